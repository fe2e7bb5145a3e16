#!/usr/bin/env python3
"""A taker against the dealer's JSON-RPC front door, in Python: get a quote, check it, approve
its order (EIP-712, with eth-account) and request the fill, then follow it to a final status.

    scripts/bootstrap   # installs requirements.txt's pins into .tools/python-clients
    PYTHONPATH=.tools/python-clients python3 dealer/examples/python/taker.py \\
        [--url http://127.0.0.1:8547] [--maker-asset <address>] [--taker-asset <address>] \\
        [--maker-size <base units> | --taker-size <base units>]

(or `pip install -r dealer/examples/python/requirements.txt` and run it with that python3).

The same defaults as the Rust example (dealer/examples/taker.rs): the front door at DEALER_URL or
http://127.0.0.1:8547, the dev stack's WETH as the maker asset (what the taker receives), its USDC
as the taker asset (what it pays), a maker size of 1 WETH. The key comes from TAKER_PRIVATE_KEY
(hex), by default anvil's development account #1: a public test key, never to hold anything of
value. The key is never printed. Exits 1 with the code and message of any dealer error, on a quote
unsafe to approve, or when the fill does not settle.
"""

import argparse
import itertools
import json
import os
import sys
import time

import requests
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import is_hex_address, keccak, to_checksum_address

DEV_WETH = "0x700b6A60ce7EaaEA56F065753d8dcB9653dbAD35"  # config/dev.toml
DEV_USDC = "0xA15BB66138824a1c7167f5E85b957d04Dd34E468"  # config/dev.toml
ANVIL_KEY_1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"  # public
ONE_WETH = 10**18
# Quotes live seconds, so a slower answer is as good as none.
REQUEST_TIMEOUT_S = 10
FILL_WAIT_S = 300
# dealer_getFillStatus's statuses after which the fill workflow changes nothing.
FINAL = {"fill rejected", "fill failed", "filled, unhedged", "hedged"}
SETTLED = {"filled, unhedged", "hedged"}

# RfqSettlement's EIP-712 types (contracts/src/RfqSettlement.sol, proto/src/rfq.rs). eth-account
# derives the primary type from the types given, so the order's digest is taken without the
# approval's type.
ORDER_TYPES = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "RfqOrder": [
        {"name": "makerToken", "type": "address"},
        {"name": "takerToken", "type": "address"},
        {"name": "makerAmount", "type": "uint128"},
        {"name": "takerAmount", "type": "uint128"},
        {"name": "maker", "type": "address"},
        {"name": "taker", "type": "address"},
        {"name": "txOrigin", "type": "address"},
        {"name": "pool", "type": "bytes32"},
        {"name": "expiry", "type": "uint64"},
        {"name": "salt", "type": "uint256"},
    ],
}
APPROVAL_TYPES = {**ORDER_TYPES, "RfqFillApproval": [{"name": "order", "type": "RfqOrder"}]}
ORDER_FIELDS = [field["name"] for field in ORDER_TYPES["RfqOrder"]]
INTEGER_FIELDS = {"makerAmount", "takerAmount", "expiry", "salt"}


class Refused(Exception):
    """Why the taker stops: printed as is, without a traceback."""


class Dealer:
    """A JSON-RPC 2.0 client of one front door (positional params, one call per POST)."""

    def __init__(self, url):
        self.url, self.http, self.ids = url, requests.Session(), itertools.count(1)

    def call(self, method, *params):
        request_id = next(self.ids)
        body = {"jsonrpc": "2.0", "id": request_id, "method": method, "params": list(params)}
        try:
            response = self.http.post(self.url, json=body, timeout=REQUEST_TIMEOUT_S)
        except requests.RequestException as error:
            raise Refused(f"{method}: cannot reach the dealer at {self.url}: {error}") from None
        # JSON-RPC errors come with 200; any other status is an HTTP-level refusal.
        if response.status_code != 200:
            raise Refused(f"{method}: HTTP status {response.status_code}")
        try:
            reply = response.json()
        except ValueError:
            raise Refused(f"{method}: malformed reply: not JSON") from None
        if reply.get("error") is not None:
            error = reply["error"]
            raise Refused(f"{method}: dealer error {error.get('code')}: {error.get('message')}")
        if reply.get("id") != request_id or "result" not in reply:
            raise Refused(f"{method}: malformed reply: {reply}")
        return reply["result"]


def typed_data(types, primary_type, message, order):
    """The full EIP-712 message of `message` under the RfqSettlement domain of `order`."""
    domain = {
        "name": "hedgeflow RfqSettlement",
        "version": "1",
        "chainId": order["chainId"],
        "verifyingContract": order["verifyingContract"],
    }
    return {"types": types, "primaryType": primary_type, "domain": domain, "message": message}


def order_of(wire):
    """The order's EIP-712 fields from the quote's `order` object (amounts as ints)."""
    return {f: int(wire[f]) if f in INTEGER_FIELDS else wire[f] for f in ORDER_FIELDS}


def same_address(a, b):
    """Addresses compare case-insensitively: the wire's are lowercase, ours checksummed."""
    return a.lower() == b.lower()


def check(quote, trade_info, request, taker):
    """Refuses a quote unsafe to approve, as the Rust TakerClient does (approving it signs its
    whole order), and one that is not what was asked or has expired."""

    def refuse_unless(condition, reason):
        if not condition:
            raise Refused(f"quote refused: {reason}")

    order, order_hash = quote.get("order"), quote.get("orderHash")
    refuse_unless(order is not None and order_hash is not None, "no signed order in the quote")
    maker_asset, taker_asset, maker_size, taker_size = request
    refuse_unless(
        same_address(quote["makerAssetAddress"], maker_asset)
        and same_address(quote["takerAssetAddress"], taker_asset),
        "the quoted assets are not the ones asked for",
    )
    sizes = (int(quote["makerAssetSize"]), int(quote["takerAssetSize"]))
    refuse_unless(
        sizes[0] == maker_size if maker_size else sizes[1] == taker_size,
        "the quoted size is not the one asked for",
    )
    refuse_unless(
        same_address(order["makerToken"], maker_asset)
        and same_address(order["takerToken"], taker_asset),
        "the order's tokens are not the quoted assets",
    )
    refuse_unless(
        (int(order["makerAmount"]), int(order["takerAmount"])) == sizes,
        "the order's amounts are not the quoted sizes",
    )
    refuse_unless(same_address(order["taker"], taker), "the order names another taker")
    refuse_unless(order["chainId"] == trade_info["chainId"], "the order's chain is not the quote's")
    refuse_unless(int(order["expiry"]) * 1000 > quote["serverTime"], "the order has expired")
    message = typed_data(ORDER_TYPES, "RfqOrder", order_of(order), order)
    signable = encode_typed_data(full_message=message)
    digest = keccak(b"\x19" + signable.version + signable.header + signable.body)
    refuse_unless(
        digest == bytes.fromhex(order_hash.removeprefix("0x")),
        "orderHash is not the order's EIP-712 digest",
    )
    try:
        maker = Account.recover_message(signable, signature=order["signature"])
    except Exception:  # not a valid r || s || v signature
        maker = "none"
    refuse_unless(same_address(maker, order["maker"]), "the order's signature is not its maker's")


def approve(order, account):
    """The taker's EIP-712 RfqFillApproval(RfqOrder order) signature, r || s || v."""
    message = typed_data(APPROVAL_TYPES, "RfqFillApproval", {"order": order_of(order)}, order)
    return "0x" + bytes(account.sign_typed_data(full_message=message).signature).hex()


def taker_account():
    """TAKER_PRIVATE_KEY, or anvil's public account #1. The key never appears in an error."""
    try:
        return Account.from_key(os.environ.get("TAKER_PRIVATE_KEY", ANVIL_KEY_1).strip())
    except Exception:
        raise Refused("TAKER_PRIVATE_KEY is not a 32-byte hex private key") from None


def address(text):
    if not is_hex_address(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a 0x-prefixed 20-byte hex address")
    return to_checksum_address(text)


def base_units(text):
    if not text.isdigit() or int(text) == 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive integer of base units")
    return int(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("DEALER_URL", "http://127.0.0.1:8547"))
    parser.add_argument("--maker-asset", type=address, default=DEV_WETH, help="asset to receive")
    parser.add_argument("--taker-asset", type=address, default=DEV_USDC, help="asset to pay")
    sizes = parser.add_mutually_exclusive_group()
    sizes.add_argument("--maker-size", type=base_units, help="base units to receive (1 WETH)")
    sizes.add_argument("--taker-size", type=base_units, help="base units to pay instead")
    args = parser.parse_args()
    maker_size = None if args.taker_size else args.maker_size or ONE_WETH

    account = taker_account()
    dealer = Dealer(args.url)
    (dealer_time,) = dealer.call("dealer_time")
    print(f"dealer {args.url} at {dealer_time} ms; taker {account.address}")

    request = (args.maker_asset, args.taker_asset, maker_size, args.taker_size)
    quote, trade_info, _extra = dealer.call(
        "dealer_getQuote",
        args.maker_asset.lower(),
        args.taker_asset.lower(),
        None if maker_size is None else str(maker_size),
        None if args.taker_size is None else str(args.taker_size),
        account.address.lower(),
        True,
    )
    check(quote, trade_info, request, account.address)
    order = quote["order"]
    print(f"quote {quote['quoteId']}")
    maker_asset, taker_asset = (
        to_checksum_address(quote[side]) for side in ("makerAssetAddress", "takerAssetAddress")
    )
    print(f"  receive {quote['makerAssetSize']} of {maker_asset}")
    print(f"  pay     {quote['takerAssetSize']} of {taker_asset}")
    print(f"  expires {quote['expiration']} ms (order expiry {order['expiry']} s)")
    print(f"  order   {quote['orderHash']} (salt {order['salt']})")
    print(
        f"  settles on chain {order['chainId']} through "
        f"{to_checksum_address(order['verifyingContract'])}, gas price {trade_info['gasPrice']}"
    )

    approval = approve(order, account)
    print(f"approved: {approval}")

    quote_id, transaction, submitted_at, extra = dealer.call(
        "dealer_submitFill",
        quote["quoteId"],
        str(order["salt"]),
        approval,
        account.address.lower(),
        "0x",  # the dealer's hot wallet builds the settlement call itself
        trade_info["gasPrice"],
        int(order["expiry"]),
    )
    print(f"fill submitted: transaction {transaction}")
    print(f"  at {submitted_at} ms, extra {json.dumps(extra, separators=(',', ':'))}")
    # Follow it to a final status (confirmations, or a revert).
    deadline = time.monotonic() + FILL_WAIT_S
    _, status, _, _, reason = dealer.call("dealer_getFillStatus", quote_id)
    while status not in FINAL:
        if time.monotonic() > deadline:
            raise Refused(f"the fill is still {status!r} after {FILL_WAIT_S} s")
        time.sleep(0.5)
        _, status, _, _, reason = dealer.call("dealer_getFillStatus", quote_id)
    print(f"fill status: {status}")
    if status not in SETTLED:
        raise Refused(f"the fill did not settle: {reason}")


if __name__ == "__main__":
    try:
        main()
    except Refused as refused:
        sys.exit(f"error: {refused}")
