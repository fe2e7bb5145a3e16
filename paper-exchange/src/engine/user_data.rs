//! The user data stream's events, as the engine sees them: on the spot stream an
//! `executionReport` for every change of an order, an `outboundAccountPosition` after every
//! balance change and a `balanceUpdate` after a transfer, deposit or withdrawal (Binance's
//! JSON of each is `api`'s); the futures stream's are `futures::events`.
//!
//! The engine publishes them on a broadcast channel while it holds its lock, so events come
//! out in the order the changes happened; each carries a copy of what it reports, so that it
//! reads the same whenever it is sent. `ws_api` forwards each to the subscriptions of its
//! account. Nobody listening is not an error: the events are simply dropped.

use std::sync::Arc;

use rust_decimal::Decimal;
use tokio::sync::broadcast;

use crate::engine::accounts::{Account, AccountId, Balance};
use crate::engine::orders::{Fill, Order};

/// User events a websocket connection may fall behind by before it is closed.
const USER_EVENT_BUFFER: usize = 4096;

/// One event for one account's subscribers.
#[derive(Debug)]
pub struct UserEvent<E> {
    pub account: AccountId,
    pub event: E,
}

/// An event of the spot user data stream.
#[derive(Debug)]
pub enum SpotEvent {
    /// `executionReport`: `order` as it is after `execution`.
    ExecutionReport {
        order: Order,
        execution: Execution,
        execution_id: u64,
        now: u64,
    },
    /// `outboundAccountPosition`: the balances of a symbol's two assets.
    AccountPosition {
        balances: [(String, Balance); 2],
        update_time: u64,
        now: u64,
    },
    /// `balanceUpdate`: a deposit, withdrawal or transfer changed `asset`'s free balance by
    /// `delta`.
    BalanceUpdate {
        asset: String,
        delta: Decimal,
        now: u64,
    },
}

/// What happened to an order (`executionReport` field `x`).
#[derive(Clone, Debug)]
pub enum Execution {
    New,
    /// One fill; `maker` when the order was resting on the book.
    Trade {
        fill: Fill,
        maker: bool,
    },
    /// Canceled by the request whose own client order id is given.
    Canceled {
        cancel_client_order_id: String,
    },
    Expired,
}

/// The publishing side of one user data stream's events (`E`), with Binance's running
/// execution ids (of the spot stream's `executionReport`s).
#[derive(Debug)]
pub struct UserEvents<E> {
    sender: broadcast::Sender<Arc<UserEvent<E>>>,
    next_execution_id: u64,
}

impl<E> Default for UserEvents<E> {
    fn default() -> Self {
        UserEvents {
            sender: broadcast::channel(USER_EVENT_BUFFER).0,
            next_execution_id: 1,
        }
    }
}

impl<E> UserEvents<E> {
    /// A receiver of every event published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<UserEvent<E>>> {
        self.sender.subscribe()
    }

    pub fn publish(&self, account: AccountId, event: E) {
        // no subscriber is not an error
        let _ = self.sender.send(Arc::new(UserEvent { account, event }));
    }
}

impl UserEvents<SpotEvent> {
    /// Publishes the `executionReport` of `order` as it is now, after `execution`.
    pub fn order(&mut self, order: &Order, execution: Execution, now: u64) {
        let execution_id = self.next_execution_id;
        self.next_execution_id += 1;
        let event = SpotEvent::ExecutionReport {
            order: order.clone(),
            execution,
            execution_id,
            now,
        };
        self.publish(order.account, event);
    }

    /// Publishes the `outboundAccountPosition` of `assets` in `account`.
    pub fn position(&self, id: AccountId, account: &Account, assets: [&str; 2], now: u64) {
        let balance = |asset: &str| {
            let balance = account.balances.get(asset).copied().unwrap_or_default();
            (asset.to_string(), balance)
        };
        let event = SpotEvent::AccountPosition {
            balances: assets.map(balance),
            update_time: account.update_time,
            now,
        };
        self.publish(id, event);
    }
}
