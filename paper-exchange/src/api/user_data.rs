//! Binance's JSON of the user data streams' events: the spot stream's (user-data-stream.md)
//! as the WebSocket API pushes them, and the USDⓈ-M futures stream's as a listen key's
//! websocket pushes them.
//!
//! Unrealized profit in the futures `ACCOUNT_UPDATE` is valued at the fill's price (the market
//! at that moment); accumulated realized profit (`cr`) is not tracked and always "0".

use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::engine::futures::events::{self, FuturesEvent};
use crate::engine::futures::position::Position;
use crate::engine::futures::{FuturesOrder, MARGIN_ASSET};
use crate::engine::orders::{Order, amount};
use crate::engine::user_data::{Execution, SpotEvent};

/// The JSON of one spot user data stream event.
pub fn spot_event(event: &SpotEvent) -> Value {
    match event {
        SpotEvent::ExecutionReport {
            order,
            execution,
            execution_id,
            now,
        } => execution_report(order, execution, *execution_id, *now),
        SpotEvent::AccountPosition {
            balances,
            update_time,
            now,
        } => {
            let balances: Vec<Value> = balances
                .iter()
                .map(|(asset, balance)| {
                    json!({ "a": asset, "f": amount(balance.free), "l": amount(balance.locked) })
                })
                .collect();
            json!({
                "e": "outboundAccountPosition",
                "E": now,
                "u": update_time,
                "B": balances,
            })
        }
        SpotEvent::BalanceUpdate { asset, delta, now } => json!({
            "e": "balanceUpdate",
            "E": now,
            "a": asset,
            "d": amount(*delta),
            "T": now,
        }),
    }
}

/// The JSON of one futures user data stream event.
pub fn futures_event(event: &FuturesEvent) -> Value {
    match event {
        FuturesEvent::OrderTradeUpdate {
            order,
            execution,
            now,
        } => order_trade_update(order, execution, *now),
        FuturesEvent::PositionUpdate {
            wallet,
            symbol,
            position,
            mark,
            now,
        } => account_update(*wallet, symbol, position, *mark, *now),
        FuturesEvent::WalletTransfer { wallet, delta, now } => {
            wallet_transfer_update(*wallet, *delta, *now)
        }
    }
}

/// Binance's `executionReport`, field for field (user-data-stream.md, "Order Update").
fn execution_report(order: &Order, execution: &Execution, execution_id: u64, now: u64) -> Value {
    let (kind, fill, maker, client_order_id, original_client_order_id) = match execution {
        Execution::New => ("NEW", None, false, order.client_order_id.as_str(), ""),
        Execution::Trade { fill, maker } => (
            "TRADE",
            Some(fill),
            *maker,
            order.client_order_id.as_str(),
            "",
        ),
        // a cancel's report carries the cancel request's id in `c` and the order's in `C`
        Execution::Canceled {
            cancel_client_order_id,
        } => (
            "CANCELED",
            None,
            false,
            cancel_client_order_id.as_str(),
            order.client_order_id.as_str(),
        ),
        Execution::Expired => ("EXPIRED", None, false, order.client_order_id.as_str(), ""),
    };
    let zero = Decimal::ZERO;
    let (last_qty, last_price) = fill.map_or((zero, zero), |f| (f.qty, f.price));
    let mut event = json!({
        "e": "executionReport",
        "E": now,
        "s": order.symbol,
        "c": client_order_id,
        "S": order.side.as_str(),
        "o": order.order_type.as_str(),
        "f": order.time_in_force.as_str(),
        "q": amount(order.orig_qty),
        "p": amount(order.price),
        "P": amount(zero),
        "F": amount(zero),
        "g": -1,
        "C": original_client_order_id,
        "x": kind,
        "X": order.status.as_str(),
        "r": "NONE",
        "i": order.id,
        "l": amount(last_qty),
        "z": amount(order.executed_qty),
        "L": amount(last_price),
        "n": fill.map_or_else(|| "0".to_string(), |f| amount(f.commission)),
        "N": fill.map(|f| f.commission_asset.clone()),
        "T": now,
        "t": fill.map_or(-1, |f| f.trade_id as i64),
        "I": execution_id,
        "w": order.status.is_open(),
        "m": maker,
        "M": false,
        "O": order.time,
        "Z": amount(order.cummulative_quote_qty),
        "Y": amount(last_qty * last_price),
        "Q": amount(order.orig_quote_order_qty),
        "V": "NONE",
    });
    if order.status.is_open() {
        event["W"] = order.time.into();
    }
    event
}

/// `ORDER_TRADE_UPDATE` of `order` as it is now, after `execution`.
fn order_trade_update(order: &FuturesOrder, execution: &events::Execution, now: u64) -> Value {
    let o = &order.order;
    let zero = Decimal::ZERO;
    let (kind, last_qty, last_price, commission, trade_id, maker, realized) = match *execution {
        events::Execution::New => ("NEW", zero, zero, None, 0, false, zero),
        events::Execution::Trade {
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
        events::Execution::Canceled => ("CANCELED", zero, zero, None, 0, false, zero),
        events::Execution::Expired => ("EXPIRED", zero, zero, None, 0, false, zero),
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
    json!({ "e": "ORDER_TRADE_UPDATE", "E": now, "T": now, "o": update })
}

/// `ACCOUNT_UPDATE` after a fill in `symbol` (reason ORDER): the USDT wallet and the position,
/// its unrealized profit at `mark` (the fill's price).
fn account_update(
    wallet: Decimal,
    symbol: &str,
    position: &Position,
    mark: Decimal,
    now: u64,
) -> Value {
    let wallet = amount(wallet);
    json!({
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
    })
}

/// `ACCOUNT_UPDATE` after a transfer between the spot and the futures wallet changed the
/// USDT wallet by `delta`: reason DEPOSIT into futures, WITHDRAW out of it, no positions.
fn wallet_transfer_update(wallet: Decimal, delta: Decimal, now: u64) -> Value {
    let wallet = amount(wallet);
    let reason = if delta.is_sign_negative() {
        "WITHDRAW"
    } else {
        "DEPOSIT"
    };
    json!({
        "e": "ACCOUNT_UPDATE",
        "E": now,
        "T": now,
        "a": {
            "m": reason,
            "B": [{ "a": MARGIN_ASSET, "wb": wallet, "cw": wallet, "bc": amount(delta) }],
            "P": [],
        },
    })
}
