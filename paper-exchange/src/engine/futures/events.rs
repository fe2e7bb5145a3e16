//! The futures user data stream's events, field for field as Binance's USDⓈ-M Futures push
//! them on a listen key's websocket: `ORDER_TRADE_UPDATE` for every change of an order and
//! `ACCOUNT_UPDATE` after every change of the wallet or a position.
//!
//! Unrealized profit in `ACCOUNT_UPDATE` is valued at the fill's price (the market at that
//! moment); accumulated realized profit (`cr`) is not tracked and always "0".

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::position::Position;
use super::{Futures, FuturesAccount, FuturesOrder, MARGIN_ASSET};
use crate::engine::accounts::AccountId;
use crate::engine::orders::amount;

/// What happened to an order (`o.x`).
#[derive(Clone, Debug)]
pub enum Execution {
    New,
    Trade {
        price: Decimal,
        qty: Decimal,
        commission: Decimal,
        trade_id: u64,
        maker: bool,
        /// Profit this fill realized.
        realized: Decimal,
    },
    Canceled,
    Expired,
}

/// An event for one account's listen keys.
pub type AccountEvent = (AccountId, Value);

impl Futures {
    pub(crate) fn publish(&self, (account, event): AccountEvent) {
        self.events.publish(account, event);
    }
}

/// `ORDER_TRADE_UPDATE` of `order` as it is now, after `execution`.
pub fn order_trade_update(order: &FuturesOrder, execution: &Execution, now: u64) -> AccountEvent {
    let o = &order.order;
    let zero = Decimal::ZERO;
    let (kind, last_qty, last_price, commission, trade_id, maker, realized) = match *execution {
        Execution::New => ("NEW", zero, zero, None, 0, false, zero),
        Execution::Trade {
            price,
            qty,
            commission,
            trade_id,
            maker,
            realized,
        } => (
            "TRADE",
            qty,
            price,
            Some(commission),
            trade_id,
            maker,
            realized,
        ),
        Execution::Canceled => ("CANCELED", zero, zero, None, 0, false, zero),
        Execution::Expired => ("EXPIRED", zero, zero, None, 0, false, zero),
    };
    let average = if o.executed_qty.is_zero() {
        zero
    } else {
        o.cummulative_quote_qty / o.executed_qty
    };
    let mut update = json!({
        "s": o.symbol,
        "c": o.client_order_id,
        "S": o.side.as_str(),
        "o": o.order_type.as_str(),
        "f": o.time_in_force.as_str(),
        "q": amount(o.orig_qty),
        "p": amount(o.price),
        "ap": amount(average),
        "sp": amount(zero),
        "x": kind,
        "X": o.status.as_str(),
        "i": o.id,
        "l": amount(last_qty),
        "z": amount(o.executed_qty),
        "L": amount(last_price),
        "T": now,
        "t": trade_id,
        "b": amount(zero),
        "a": amount(zero),
        "m": maker,
        "R": order.reduce_only,
        "wt": "CONTRACT_PRICE",
        "ot": o.order_type.as_str(),
        "ps": "BOTH",
        "cp": false,
        "rp": amount(realized),
        "pP": false,
        "si": 0,
        "ss": 0,
        "V": "NONE",
        "pm": "NONE",
        "gtd": 0,
    });
    // Binance sends the commission fields only with a trade
    if let Some(commission) = commission {
        update["n"] = amount(commission).into();
        update["N"] = MARGIN_ASSET.into();
    }
    let event = json!({ "e": "ORDER_TRADE_UPDATE", "E": now, "T": now, "o": update });
    (o.account, event)
}

/// `ACCOUNT_UPDATE` after a fill in `symbol` (reason ORDER): the USDT wallet and the position,
/// its unrealized profit at `mark` (the fill's price).
pub fn account_update(
    id: AccountId,
    account: &FuturesAccount,
    symbol: &str,
    position: &Position,
    mark: Decimal,
    now: u64,
) -> AccountEvent {
    let wallet = amount(account.wallet);
    let event = json!({
        "e": "ACCOUNT_UPDATE",
        "E": now,
        "T": now,
        "a": {
            "m": "ORDER",
            "B": [{ "a": MARGIN_ASSET, "wb": wallet, "cw": wallet, "bc": amount(Decimal::ZERO) }],
            "P": [{
                "s": symbol,
                "pa": amount(position.amt),
                "ep": amount(position.entry),
                "bep": amount(position.entry),
                "cr": amount(Decimal::ZERO),
                "up": amount(position.unrealized(mark)),
                "mt": "cross",
                "iw": amount(Decimal::ZERO),
                "ps": "BOTH",
            }],
        },
    });
    (id, event)
}

/// `ACCOUNT_UPDATE` after a transfer between the spot and the futures wallet changed the
/// USDT wallet by `delta`: reason DEPOSIT into futures, WITHDRAW out of it, no positions.
pub fn wallet_transfer_update(
    id: AccountId,
    account: &FuturesAccount,
    delta: Decimal,
    now: u64,
) -> AccountEvent {
    let wallet = amount(account.wallet);
    let reason = if delta.is_sign_negative() {
        "WITHDRAW"
    } else {
        "DEPOSIT"
    };
    let event = json!({
        "e": "ACCOUNT_UPDATE",
        "E": now,
        "T": now,
        "a": {
            "m": reason,
            "B": [{ "a": MARGIN_ASSET, "wb": wallet, "cw": wallet, "bc": amount(delta) }],
            "P": [],
        },
    });
    (id, event)
}
