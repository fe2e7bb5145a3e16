//! The taker's side of a market, shared by the fill and the hedger (below both, so neither
//! imports the other for it).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The taker's side of the market's base asset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Buy,
    Sell,
}

impl Side {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Buy => "buy",
            Self::Sell => "sell",
        }
    }

    /// `amount` signed by this side: positive for a buy, negative for a sell.
    pub fn signed(self, amount: Decimal) -> Decimal {
        match self {
            Self::Buy => amount,
            Self::Sell => -amount,
        }
    }
}
