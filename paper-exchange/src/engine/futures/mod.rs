//! The USDⓈ-M-style perpetual futures market: one perpetual per listed symbol quoted in USDT,
//! one-way mode (`positionSide` BOTH), cross margin at the configured leverage, a USDT wallet
//! per account separate from the spot balances.
//!
//! Each perpetual has a book of its own ([`crate::engine::exchange::Venue::perp`]) fed every tick with
//! the same synthetic ladders as the spot book: the same prices, but liquidity of its own, so
//! futures orders never consume spot liquidity nor fill spot orders. The mark and index
//! prices are the spot symbol's synthetic mid. The funding rate is reported, never charged.
//!
//! - [`position`]: positions, entry price, realized and unrealized profit; `margins`: an
//!   account's margins at the mark prices.
//! - [`place`]: new orders (filters, reduce-only, margin, matching, resting).
//! - [`manage`]: cancels, lookups, and resting orders filled by the moving market.
//! - [`events`]: the futures user data stream's `ORDER_TRADE_UPDATE` and `ACCOUNT_UPDATE`.
//! - [`listen_keys`]: the user data stream's listen keys.
//! - [`leverage`]: leverage per account and symbol, and the notional bracket.

pub mod events;
pub mod leverage;
pub mod listen_keys;
pub mod manage;
mod margins;
pub mod place;
pub mod position;

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::config::{Config, FuturesConfig};
use crate::engine::accounts::AccountId;
use crate::engine::orders::Order;
use crate::engine::user_data::UserEvents;
use events::FuturesEvent;
use leverage::LeverageSettings;
use listen_keys::ListenKeys;
use position::Position;

pub use margins::Margins;

/// The only margin asset.
pub const MARGIN_ASSET: &str = "USDT";
/// Decimal places of commissions and realized profit.
const MONEY_DP: u32 = 8;

/// Why the futures engine refuses a request; each maps to one Binance futures error.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FuturesReject {
    #[error("Invalid symbol.")]
    UnknownSymbol,
    #[error("Order's position side does not match user's setting.")]
    PositionSide,
    #[error("ClientOrderId is duplicated.")]
    DuplicateClientOrderId,
    #[error("{}", .0.message())]
    Filter(FilterFailure),
    #[error("Margin is insufficient.")]
    Margin,
    #[error("ReduceOnly Order is rejected.")]
    ReduceOnly,
    /// The position would pass the bracket's notional cap.
    #[error("Exceeded the maximum allowable position at current leverage.")]
    MaxNotional,
    /// A cancel found no open order.
    #[error("Unknown order sent.")]
    UnknownOrder,
    /// A query found no order.
    #[error("Order does not exist.")]
    NoSuchOrder,
}

/// A futures filter failure: Binance futures reports each with a code of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterFailure {
    QtyBelowMin,
    QtyAboveMax,
    QtyOffStep,
    PriceBelowMin,
    PriceAboveMax,
    PriceOffTick,
    /// Below MIN_NOTIONAL (reduce-only orders are exempt).
    Notional,
}

impl FilterFailure {
    pub fn code(self) -> i32 {
        match self {
            FilterFailure::QtyBelowMin => -4004,
            FilterFailure::QtyAboveMax => -4005,
            FilterFailure::PriceBelowMin => -4013,
            FilterFailure::PriceOffTick => -4014,
            FilterFailure::PriceAboveMax => -4016,
            FilterFailure::QtyOffStep => -4023,
            FilterFailure::Notional => -4164,
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            FilterFailure::QtyBelowMin => "Quantity less than min quantity.",
            FilterFailure::QtyAboveMax => "Quantity greater than max quantity.",
            FilterFailure::QtyOffStep => "Quantity not increased by step size.",
            FilterFailure::PriceBelowMin => "Price less than min price.",
            FilterFailure::PriceAboveMax => "Price greater than max price.",
            FilterFailure::PriceOffTick => "Price not increased by tick size.",
            FilterFailure::Notional => {
                "Order's notional must be no smaller than the minimum (unless you choose reduce only)."
            }
        }
    }
}

/// One futures order: the spot order record (same enums, quantities and status rules) and
/// what futures add.
#[derive(Clone, Debug)]
pub struct FuturesOrder {
    pub order: Order,
    pub reduce_only: bool,
}

/// One account's futures wallet and positions.
#[derive(Clone, Debug, Default)]
pub struct FuturesAccount {
    /// USDT wallet balance: deposits plus realized profit less commissions.
    pub wallet: Decimal,
    pub positions: BTreeMap<String, Position>,
    pub update_time: u64,
    /// Leverage set per symbol; the configured default elsewhere.
    pub leverage: LeverageSettings,
}

/// The futures side of the engine: wallets, positions, orders and their events.
#[derive(Debug)]
pub struct Futures {
    pub config: FuturesConfig,
    pub accounts: Vec<FuturesAccount>,
    pub orders: BTreeMap<u64, FuturesOrder>,
    next_order_id: u64,
    next_trade_id: u64,
    /// The futures user data stream (separate from the spot one).
    pub events: UserEvents<FuturesEvent>,
    pub listen_keys: ListenKeys,
}

impl Futures {
    pub fn new(config: &Config) -> Self {
        Futures {
            config: config.futures.clone(),
            accounts: config
                .accounts
                .iter()
                .map(|a| FuturesAccount {
                    wallet: a.futures_usdt,
                    ..FuturesAccount::default()
                })
                .collect(),
            orders: BTreeMap::new(),
            next_order_id: 1,
            next_trade_id: 1,
            events: UserEvents::default(),
            listen_keys: ListenKeys::default(),
        }
    }

    fn next_order_id(&mut self) -> u64 {
        let id = self.next_order_id;
        self.next_order_id += 1;
        id
    }

    fn next_trade_id(&mut self) -> u64 {
        let id = self.next_trade_id;
        self.next_trade_id += 1;
        id
    }

    pub fn account(&self, id: AccountId) -> &FuturesAccount {
        &self.accounts[id.0]
    }

    /// The position of `account` in `symbol` (flat when it never traded it).
    pub fn position(&self, account: AccountId, symbol: &str) -> Position {
        self.account(account)
            .positions
            .get(symbol)
            .cloned()
            .unwrap_or_default()
    }

    /// Initial margin the account's open orders hold (on one symbol or all): each
    /// non-reduce-only order's unfilled notional at its price over its symbol's leverage.
    pub fn open_order_margin(&self, account: AccountId, symbol: Option<&str>) -> Decimal {
        self.orders
            .values()
            .filter(|o| o.order.account == account && o.order.status.is_open() && !o.reduce_only)
            .filter(|o| symbol.is_none_or(|s| o.order.symbol == s))
            .map(|o| o.order.price * o.order.remaining() / self.leverage(account, &o.order.symbol))
            .sum()
    }
}

/// A commission or profit amount as it is booked.
fn money(value: Decimal) -> Decimal {
    value.round_dp(MONEY_DP)
}
