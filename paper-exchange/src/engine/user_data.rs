//! The user data stream's events, as Binance's WebSocket API pushes them after
//! `userDataStream.subscribe.signature`: `executionReport` for every change of an order and
//! `outboundAccountPosition` after every balance change.
//!
//! The engine publishes them on a broadcast channel while it holds its lock, so events come
//! out in the order the changes happened; `ws_api` forwards each to the subscriptions of its
//! account. Nobody listening is not an error: the events are simply dropped.

use std::sync::Arc;

use rust_decimal::Decimal;
use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::engine::accounts::{Account, AccountId};
use crate::engine::orders::amount;
use crate::engine::orders::{Fill, Order};

/// User events a websocket connection may fall behind by before it is closed.
const USER_EVENT_BUFFER: usize = 4096;

/// One event for one account's subscribers.
#[derive(Debug)]
pub struct UserEvent {
    pub account: AccountId,
    /// The `event` object of the pushed `{"subscriptionId","event"}` frame.
    pub event: Value,
}

/// What happened to an order (`executionReport` field `x`).
#[derive(Clone, Copy, Debug)]
pub enum Execution<'a> {
    New,
    /// One fill; `maker` when the order was resting on the book.
    Trade {
        fill: &'a Fill,
        maker: bool,
    },
    /// Canceled by the request whose own client order id is given.
    Canceled {
        cancel_client_order_id: &'a str,
    },
    Expired,
}

/// The publishing side of the user events, with Binance's running execution ids.
#[derive(Debug)]
pub struct UserEvents {
    sender: broadcast::Sender<Arc<UserEvent>>,
    next_execution_id: u64,
}

impl Default for UserEvents {
    fn default() -> Self {
        UserEvents {
            sender: broadcast::channel(USER_EVENT_BUFFER).0,
            next_execution_id: 1,
        }
    }
}

impl UserEvents {
    /// A receiver of every event published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<UserEvent>> {
        self.sender.subscribe()
    }

    /// Publishes the `executionReport` of `order` as it is now, after `execution`.
    pub fn order(&mut self, order: &Order, execution: Execution<'_>, now: u64) {
        let execution_id = self.next_execution_id;
        self.next_execution_id += 1;
        let event = execution_report(order, execution, execution_id, now);
        self.publish(order.account, event);
    }

    /// Publishes the `outboundAccountPosition` of `assets` in `account`.
    pub fn position(&self, id: AccountId, account: &Account, assets: [&str; 2], now: u64) {
        let balances: Vec<Value> = assets
            .iter()
            .map(|asset| {
                let balance = account.balances.get(*asset).copied().unwrap_or_default();
                json!({ "a": asset, "f": amount(balance.free), "l": amount(balance.locked) })
            })
            .collect();
        let event = json!({
            "e": "outboundAccountPosition",
            "E": now,
            "u": account.update_time,
            "B": balances,
        });
        self.publish(id, event);
    }

    pub fn publish(&self, account: AccountId, event: Value) {
        // no subscriber is not an error
        let _ = self.sender.send(Arc::new(UserEvent { account, event }));
    }
}

/// Binance's `executionReport`, field for field (user-data-stream.md, "Order Update").
fn execution_report(order: &Order, execution: Execution<'_>, execution_id: u64, now: u64) -> Value {
    let (kind, fill, maker, client_order_id, original_client_order_id) = match execution {
        Execution::New => ("NEW", None, false, order.client_order_id.as_str(), ""),
        Execution::Trade { fill, maker } => (
            "TRADE",
            Some(fill),
            maker,
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
            cancel_client_order_id,
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
