//! The maker: prices RFQ quotes from in-memory order book snapshots and runs the risk checks.
//!
//! Pure and deterministic: no I/O, no clocks (time comes in as `now_ms`), no randomness. The
//! dealer feeds it snapshots from the order book manager, volatility from the market watcher and
//! balances/positions from the hot wallet and inventory manager, and stores what it returns.
//!
//! Units: every amount and price is a [`rust_decimal::Decimal`] in *human* units (`1.5` ETH,
//! prices in quote per base); the front door converts to and from on-chain integer base units.
//! Rates are fractions (`0.001`) unless the name ends in `_bps`.
//!
//! Layout:
//! - [`book`]: book snapshots, mid, freshness and sanity checks.
//! - [`walk`]: walking one side for a base size or a quote amount.
//! - [`market`]: a market's typed config, assets and their rounding, taker side and size.
//! - [`hedge_cost`]: fee-inclusive hedge cost on one symbol ([`HedgeCost`], [`DirectHedgeCost`]).
//! - [`cross`]: implied cross rates through a common asset ([`CrossHedgeCost`]).
//! - [`spread`]: premium, volatility widening and inventory skew.
//! - [`risk`]: size limits, hot-wallet balance, pending exposure.
//! - [`price`]: the composition, [`Maker::quote`].
//! - [`error`]: [`MakerError`] and its JSON-RPC codes.
//! - `price_tests`, `proptests` and their `testkit` (tests only).
//!
//! Guarantees (property-tested in `proptests`): a bigger size never gets a better price; the
//! buy price is strictly above the sell price; the taker never pays less than the fee-inclusive
//! hedge cost nor receives more than the fee-net hedge proceeds; a cross price is the
//! composition of its legs'.

pub mod book;
pub mod cross;
pub mod error;
pub mod hedge_cost;
pub mod market;
pub mod price;
pub mod risk;
pub mod spread;
pub mod walk;

#[cfg(test)]
#[allow(clippy::too_many_lines, reason = "a test reads as one story")]
mod price_tests;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod testkit;

pub use book::{BookError, BookRef, BookSnapshot, Level};
pub use cross::CrossHedgeCost;
pub use error::MakerError;
pub use hedge_cost::{DirectHedgeCost, HedgeCost};
pub use market::{Asset, ConfigError, HedgeLeg, Market, Route, Size, TakerSide};
pub use price::{
    Maker, MarketData, MarketView, PriceInputs, PricedQuote, QuoteContext, QuoteRequest,
};
pub use risk::{Exposure, ExposureBook, Inventory, RiskLimits, adverse_move_bps};
pub use spread::Spread;
