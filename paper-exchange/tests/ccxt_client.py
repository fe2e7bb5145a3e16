#!/usr/bin/env python3
"""Drives the paper exchange with ccxt's `binance` class (PyPI ccxt), unmodified.

ccxt is the general-purpose trading library many clients use; only its configuration is ours:
every URL of its Binance API points at the paper exchange, and options keep it off endpoints a
paper exchange has no use for (the /sapi currency list, margin pairs, COIN-M and options
markets). Checks markets, tickers, the book, balances, orders by client order id, the account's
trades, and on the perpetuals leverage, position mode, a market order, the positions and a
reduce-only close; exits non-zero on the first failure. Run by the Rust test
tests/e2e/ccxt_client.rs, which starts the exchange and sets PAPER_EXCHANGE_URL,
PAPER_EXCHANGE_API_KEY, PAPER_EXCHANGE_SECRET_KEY and PYTHONPATH (.tools/python-clients,
installed by scripts/bootstrap).
"""

import os
import sys
import time
from decimal import Decimal
from urllib.parse import urlsplit

import ccxt

SPOT = "ETH/USDT"
PERP = "ETH/USDT:USDT"
# the paper exchange's spot commission, charged in the asset received
COMMISSION = Decimal("0.001")


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def dec(value):
    return Decimal(str(value))


def paper_binance():
    base = os.environ["PAPER_EXCHANGE_URL"].rstrip("/")
    exchange = ccxt.binance(
        {
            "apiKey": os.environ["PAPER_EXCHANGE_API_KEY"],
            "secret": os.environ["PAPER_EXCHANGE_SECRET_KEY"],
            "enableRateLimit": False,
            "options": {
                # /sapi/v1/capital/config/getall: not served
                "fetchCurrencies": False,
                # spot and USDⓈ-M only: no /dapi (COIN-M) or /eapi (options) markets
                "fetchMarkets": {"types": ["spot", "linear"]},
                "fetchMargins": False,
                # /fapi/v2/positionRisk (the paper exchange serves v2, not v3)
                "fetchPositionsRisk": {"useV2": True},
            },
        }
    )
    # every API ccxt knows, at the same path on the paper exchange
    exchange.urls["api"] = {
        name: base + urlsplit(url).path
        for name, url in exchange.urls["api"].items()
        if isinstance(url, str)
    }
    return exchange


def spot(exchange):
    markets = exchange.load_markets()
    market = markets[SPOT]
    check(market["spot"] and market["id"] == "ETHUSDT", f"spot market {market}")
    check(dec(market["limits"]["amount"]["min"]) == Decimal("0.0001"), f"limits {market['limits']}")
    check(dec(market["precision"]["price"]) == Decimal("0.01"), f"precision {market['precision']}")
    perp = markets[PERP]
    check(perp["swap"] and perp["linear"] and perp["settle"] == "USDT", f"perpetual {perp}")

    ticker = exchange.fetch_ticker(SPOT)
    check(ticker["symbol"] == SPOT, f"ticker {ticker}")
    check(0 < ticker["bid"] < ticker["ask"], f"ticker bid/ask {ticker}")
    check(ticker["low"] <= ticker["last"] <= ticker["high"], f"ticker range {ticker}")
    check(ticker["baseVolume"] == 0, f"volume before any trade {ticker}")

    tickers = exchange.fetch_tickers([SPOT, "BTC/USDT"])
    check(sorted(tickers) == ["BTC/USDT", SPOT], f"tickers {sorted(tickers)}")
    check(all(t["bid"] < t["ask"] for t in tickers.values()), f"tickers {tickers}")

    book = exchange.fetch_order_book(SPOT, 5)
    check(0 < len(book["bids"]) <= 5 and 0 < len(book["asks"]) <= 5, f"book {book}")
    check(book["bids"][0][0] < book["asks"][0][0], f"crossed book {book}")
    check(book["bids"] == sorted(book["bids"], reverse=True), f"bids order {book['bids']}")

    balance = exchange.fetch_balance()
    eth_before = dec(balance["ETH"]["total"])
    check(dec(balance["USDT"]["free"]) == Decimal("1000000"), f"USDT {balance['USDT']}")

    # a limit order well below the market rests; found by its client order id
    price = exchange.price_to_precision(SPOT, book["bids"][0][0] * 0.9)
    order = exchange.create_order(SPOT, "limit", "buy", 0.05, price, {"clientOrderId": "ccxt-limit-1"})
    check(order["status"] == "open" and order["clientOrderId"] == "ccxt-limit-1", f"limit order {order}")
    found = exchange.fetch_order(None, SPOT, {"origClientOrderId": "ccxt-limit-1"})
    check(found["id"] == order["id"] and found["status"] == "open", f"by client id {found}")
    check(dec(found["price"]) == dec(price) and dec(found["amount"]) == Decimal("0.05"), f"by client id {found}")
    locked = exchange.fetch_balance()["USDT"]["used"]
    check(dec(locked) == dec(price) * Decimal("0.05"), f"USDT locked {locked}")
    canceled = exchange.cancel_order(order["id"], SPOT)
    check(canceled["status"] == "canceled", f"cancel {canceled}")

    # a market buy fills at once; its trades carry the commission
    since = exchange.milliseconds() - 1000
    bought = exchange.create_order(SPOT, "market", "buy", 0.02, None, {"clientOrderId": "ccxt-market-1"})
    check(bought["status"] == "closed" and dec(bought["filled"]) == Decimal("0.02"), f"market order {bought}")
    trades = exchange.fetch_my_trades(SPOT, since)
    mine = [t for t in trades if t["order"] == bought["id"]]
    check(mine and sum(dec(t["amount"]) for t in mine) == Decimal("0.02"), f"my trades {trades}")
    for trade in mine:
        check(trade["side"] == "buy" and trade["takerOrMaker"] == "taker", f"trade {trade}")
        check(trade["fee"]["currency"] == "ETH", f"trade fee {trade}")
        check(dec(trade["fee"]["cost"]) == dec(trade["amount"]) * COMMISSION, f"trade fee {trade}")
        check(dec(trade["cost"]) == dec(trade["price"]) * dec(trade["amount"]), f"trade cost {trade}")
    by_order = exchange.fetch_my_trades(SPOT, None, None, {"orderId": bought["id"]})
    check([t["id"] for t in by_order] == [t["id"] for t in mine], f"trades by order {by_order}")
    eth_after = dec(exchange.fetch_balance()["ETH"]["total"])
    check(eth_after == eth_before + Decimal("0.02") * (1 - COMMISSION), f"ETH {eth_before} -> {eth_after}")

    ticker = exchange.fetch_ticker(SPOT)
    check(dec(ticker["baseVolume"]) == Decimal("0.02"), f"volume after the buy {ticker}")
    check(dec(ticker["last"]) == dec(mine[-1]["price"]), f"last price {ticker}")


def futures(exchange):
    answer = exchange.set_leverage(10, PERP)
    check(int(answer["leverage"]) == 10 and answer["symbol"] == "ETHUSDT", f"set leverage {answer}")
    mode = exchange.fetch_position_mode(PERP)
    check(mode["hedged"] is False, f"position mode {mode}")
    exchange.set_position_mode(False, PERP)
    try:
        exchange.set_position_mode(True, PERP)
        check(False, "hedge mode was accepted")
    except ccxt.ExchangeError as error:
        check("-1020" in str(error), f"hedge mode: {error}")

    opened = exchange.create_order(PERP, "market", "buy", 0.1, None, {"clientOrderId": "ccxt-perp-1"})
    check(opened["status"] == "closed" and dec(opened["filled"]) == Decimal("0.1"), f"perp order {opened}")
    positions = exchange.fetch_positions([PERP])
    check(len(positions) == 1, f"positions {positions}")
    position = positions[0]
    check(position["symbol"] == PERP and position["side"] == "long", f"position {position}")
    check(dec(position["contracts"]) == Decimal("0.1") and position["leverage"] == 10, f"position {position}")
    check(position["entryPrice"] > 0 and position["marginMode"] == "cross", f"position {position}")
    notional = dec(position["notional"])
    check(dec(position["initialMargin"]).quantize(Decimal("0.01")) == (notional / 10).quantize(Decimal("0.01")),
          f"initial margin at 10x {position}")

    closed = exchange.create_order(PERP, "market", "sell", 0.1, None, {"reduceOnly": True})
    check(closed["status"] == "closed" and closed["reduceOnly"] is True, f"close {closed}")
    flat = [p for p in exchange.fetch_positions([PERP]) if p["contracts"]]
    check(flat == [], f"positions after the close {flat}")
    try:
        exchange.create_order(PERP, "market", "sell", 0.1, None, {"reduceOnly": True})
        check(False, "a reduce-only order without a position was accepted")
    except ccxt.ExchangeError as error:
        check("-2022" in str(error), f"reduce-only without a position: {error}")


def main():
    exchange = paper_binance()
    started = time.time()
    spot(exchange)
    futures(exchange)
    print(f"ccxt {ccxt.__version__}: all checks passed in {time.time() - started:.1f}s")


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # any failure, including ccxt's own errors, fails the test
        print(f"FAILED: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
