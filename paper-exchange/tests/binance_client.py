#!/usr/bin/env python3
"""Drives the paper exchange with Binance's official Python client (binance-connector), unmodified.

Places, queries and cancels an order, reads depth and balances, and checks every answer; exits
non-zero on the first failure. Run by the Rust test tests/e2e/binance_client.rs, which starts the
exchange and sets PAPER_EXCHANGE_URL, PAPER_EXCHANGE_API_KEY, PYTHONPATH (.tools/python-clients,
installed by scripts/bootstrap) and the key: PAPER_EXCHANGE_SECRET_KEY for an HMAC key, or
PAPER_EXCHANGE_PRIVATE_KEY (a PKCS#8 PEM) for an Ed25519 or RSA key, which the client signs with
itself.
"""

import os
import sys
import time
from decimal import ROUND_DOWN, Decimal

from binance.error import ClientError
from binance.spot import Spot

SYMBOL = "ETHUSDT"


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def balance(client, asset):
    for entry in client.account()["balances"]:
        if entry["asset"] == asset:
            return Decimal(entry["free"]), Decimal(entry["locked"])
    return Decimal(0), Decimal(0)


def main():
    if "PAPER_EXCHANGE_PRIVATE_KEY" in os.environ:
        key = {"private_key": os.environ["PAPER_EXCHANGE_PRIVATE_KEY"]}
    else:
        key = {"api_secret": os.environ["PAPER_EXCHANGE_SECRET_KEY"]}
    client = Spot(
        api_key=os.environ["PAPER_EXCHANGE_API_KEY"],
        base_url=os.environ["PAPER_EXCHANGE_URL"],
        **key,
    )

    check(client.ping() == {}, "ping")
    server_time = client.time()["serverTime"]
    check(abs(server_time - time.time() * 1000) < 5000, f"server time {server_time}")

    info = client.exchange_info(symbol=SYMBOL)["symbols"][0]
    check(info["status"] == "TRADING" and info["baseAsset"] == "ETH", f"exchange info {info}")
    filters = {f["filterType"]: f for f in info["filters"]}
    tick = Decimal(filters["PRICE_FILTER"]["tickSize"])

    depth = client.depth(SYMBOL, limit=1000)
    check(depth["lastUpdateId"] > 0 and depth["bids"] and depth["asks"], f"depth {depth}")
    best_bid, best_ask = Decimal(depth["bids"][0][0]), Decimal(depth["asks"][0][0])
    check(best_bid < best_ask, f"crossed book {best_bid} / {best_ask}")

    free_before, _ = balance(client, "USDT")
    # a whole number of ticks, well below the market so that it rests
    price = (best_bid * Decimal("0.9") / tick).to_integral_value(rounding=ROUND_DOWN) * tick
    order = client.new_order(
        symbol=SYMBOL,
        side="BUY",
        type="LIMIT",
        timeInForce="GTC",
        quantity="0.05",
        price=str(price),
        newClientOrderId="py-client-1",
    )
    check(order["status"] == "NEW" and order["clientOrderId"] == "py-client-1", f"new order {order}")
    order_id = order["orderId"]

    queried = client.get_order(SYMBOL, orderId=order_id)
    check(queried["status"] == "NEW" and Decimal(queried["price"]) == price, f"query {queried}")
    check(Decimal(queried["origQty"]) == Decimal("0.05"), f"query {queried}")
    open_orders = client.get_open_orders(SYMBOL)
    check([o["orderId"] for o in open_orders] == [order_id], f"open orders {open_orders}")
    free, locked = balance(client, "USDT")
    check(locked == price * Decimal("0.05") and free == free_before - locked, f"USDT {free} / {locked}")

    canceled = client.cancel_order(SYMBOL, origClientOrderId="py-client-1")
    check(canceled["status"] == "CANCELED" and canceled["orderId"] == order_id, f"cancel {canceled}")
    check(balance(client, "USDT") == (free_before, Decimal(0)), "USDT after cancel")
    try:
        client.cancel_order(SYMBOL, orderId=order_id)
        check(False, "a second cancel succeeded")
    except ClientError as error:
        check(error.status_code == 400 and error.error_code == -2011, f"second cancel: {error}")

    market = client.new_order(symbol=SYMBOL, side="BUY", type="MARKET", quantity="0.02")
    check(market["status"] == "FILLED" and market["fills"], f"market order {market}")
    check(sum(Decimal(f["qty"]) for f in market["fills"]) == Decimal("0.02"), f"fills {market['fills']}")

    try:
        client.new_order(symbol="NOPE", side="BUY", type="MARKET", quantity="1")
        check(False, "an order on an unknown symbol succeeded")
    except ClientError as error:
        check(error.status_code == 400 and error.error_code == -1121, f"unknown symbol: {error}")

    print("binance-connector: all checks passed")


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # any failure, including the client's own errors, fails the test
        print(f"FAILED: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
