//! The perpetual futures broker the hedger hedges on: its sides, orders, executions and
//! positions.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A side on the broker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BrokerSide {
    Buy,
    Sell,
}

impl BrokerSide {
    pub fn opposite(&self) -> Self {
        match self {
            Self::Buy => Self::Sell,
            Self::Sell => Self::Buy,
        }
    }

    /// `quantity` signed by this side: positive for a buy.
    pub fn signed(&self, quantity: Decimal) -> Decimal {
        match self {
            Self::Buy => quantity,
            Self::Sell => -quantity,
        }
    }
}

/// One order on the perpetual futures broker, placed once by `client_order_id` and followed
/// until it is final or `wait_ms` has passed (then the rest is cancelled).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerOrder {
    pub client_order_id: String,
    pub symbol: String,
    pub side: BrokerSide,
    /// Base quantity, already on the symbol's step.
    pub quantity: Decimal,
    /// Limit price: never worse than what party A accepts. `None` for a MARKET order (undoing a
    /// hedge, which must not be left open at any price).
    pub limit_price: Option<Decimal>,
    /// IOC (a MARKET quote, which fills now or not at all) or GTC for at most `wait_ms`.
    /// Never reduce-only: the broker nets every quote of a symbol into one position, whose
    /// direction need not be this quote's.
    pub immediate: bool,
    pub wait_ms: u64,
}

/// What a broker order did, once final.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerExecution {
    pub client_order_id: String,
    pub order_id: u64,
    /// Binance's final status (`FILLED`, `CANCELED`, `EXPIRED`…).
    pub status: String,
    pub executed: Decimal,
    /// Average execution price; zero when nothing executed.
    pub avg_price: Decimal,
    /// Commission in the margin asset.
    pub fee: Decimal,
}

/// The broker's net position in one symbol (`positionRisk`): every quote hedged on it together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerPosition {
    pub symbol: String,
    /// Signed: positive long.
    pub amount: Decimal,
    pub entry_price: Decimal,
    pub unrealized_pnl: Decimal,
}
