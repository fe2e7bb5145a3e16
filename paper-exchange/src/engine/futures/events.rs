//! The futures user data stream's events, as the engine sees them: `ORDER_TRADE_UPDATE` for
//! every change of an order and `ACCOUNT_UPDATE` after every change of the wallet or a
//! position. Each carries a copy of what it reports; Binance's JSON of each is `api`'s.

use rust_decimal::Decimal;

use super::position::Position;
use super::{Futures, FuturesAccount, FuturesOrder};
use crate::engine::accounts::AccountId;

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

/// An event of the futures user data stream.
#[derive(Debug)]
pub enum FuturesEvent {
    /// `ORDER_TRADE_UPDATE`: `order` as it is after `execution`.
    OrderTradeUpdate {
        order: FuturesOrder,
        execution: Execution,
        now: u64,
    },
    /// `ACCOUNT_UPDATE` after a fill in `symbol` (reason ORDER): the USDT wallet and the
    /// position, its unrealized profit at `mark` (the fill's price).
    PositionUpdate {
        wallet: Decimal,
        symbol: String,
        position: Position,
        mark: Decimal,
        now: u64,
    },
    /// `ACCOUNT_UPDATE` after a transfer between the spot and the futures wallet changed the
    /// USDT wallet (now `wallet`) by `delta`.
    WalletTransfer {
        wallet: Decimal,
        delta: Decimal,
        now: u64,
    },
}

/// An event for one account's listen keys.
pub type AccountEvent = (AccountId, FuturesEvent);

impl Futures {
    pub(crate) fn publish(&self, (account, event): AccountEvent) {
        self.events.publish(account, event);
    }
}

/// `ORDER_TRADE_UPDATE` of `order` as it is now, after `execution`.
pub fn order_trade_update(order: &FuturesOrder, execution: &Execution, now: u64) -> AccountEvent {
    let event = FuturesEvent::OrderTradeUpdate {
        order: order.clone(),
        execution: execution.clone(),
        now,
    };
    (order.order.account, event)
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
    let event = FuturesEvent::PositionUpdate {
        wallet: account.wallet,
        symbol: symbol.to_string(),
        position: position.clone(),
        mark,
        now,
    };
    (id, event)
}

/// `ACCOUNT_UPDATE` after a transfer between the spot and the futures wallet changed the
/// USDT wallet by `delta`.
pub fn wallet_transfer_update(
    id: AccountId,
    account: &FuturesAccount,
    delta: Decimal,
    now: u64,
) -> AccountEvent {
    let event = FuturesEvent::WalletTransfer {
        wallet: account.wallet,
        delta,
        now,
    };
    (id, event)
}
