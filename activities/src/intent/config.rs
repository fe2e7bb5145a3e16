//! `[intents]`: the `IntentBook` the intent hedger serves and its policy.

use alloy::primitives::Address;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::{path::PathBuf, time::Duration};
use url::Url;

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct IntentsConfig {
    /// The chain (by name) of the book.
    pub chain: String,
    pub book: Address,
    /// The book's deployment block: where the indexer starts.
    #[serde(default)]
    pub start_block: u64,
    /// The broker's public futures REST base (mark prices, symbol rules); no keys.
    pub broker_rest: Url,
    /// Symbols we hedge.
    pub symbols: Vec<IntentSymbol>,
    /// The most notional (quote asset) all open positions may hold together.
    pub open_interest_cap: Decimal,
    /// A quote's requested price must lie within this many bps of the broker's mark price.
    #[serde(default = "default_price_range_bps")]
    pub price_range_bps: Decimal,
    /// A quote whose deadline is nearer than this is left alone.
    #[serde(default = "default_min_time_left", with = "humantime_serde")]
    pub min_time_left: Duration,
    /// How long a LIMIT quote's broker order rests before the rest is cancelled.
    #[serde(default = "default_limit_wait", with = "humantime_serde")]
    pub limit_wait: Duration,
    /// How often the position validator runs (a Temporal Schedule).
    #[serde(default = "default_validate_every", with = "humantime_serde")]
    pub validate_every: Duration,
    /// Where the indexer keeps its cursor file.
    pub indexer_dir: PathBuf,
}

/// One symbol of the book as we hedge it.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct IntentSymbol {
    /// The book's symbol id.
    pub id: u64,
    /// The book's name of it (`ETHUSDT`).
    pub name: String,
    /// The broker's perpetual hedging it.
    pub broker_symbol: String,
    /// The most notional its open positions may hold.
    pub notional_cap: Decimal,
    /// What the hedger asks party A to lock, in percent of the notional (the hedger API's
    /// `get_locked_params`).
    #[serde(default)]
    pub locked_params: LockedParams,
}

/// CVA, maintenance margin and liquidator fee, in percent of the notional.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct LockedParams {
    pub cva: Decimal,
    pub mm: Decimal,
    pub lf: Decimal,
}

impl Default for LockedParams {
    /// 2 % CVA, 5 % maintenance, 1 % liquidator fee.
    fn default() -> Self {
        Self {
            cva: Decimal::from(2),
            mm: Decimal::from(5),
            lf: Decimal::from(1),
        }
    }
}

impl IntentsConfig {
    pub fn symbol(&self, id: u64) -> Option<&IntentSymbol> {
        self.symbols.iter().find(|s| s.id == id)
    }

    /// The symbol by the book's name (`ETHUSDT`).
    pub fn symbol_named(&self, name: &str) -> Option<&IntentSymbol> {
        self.symbols.iter().find(|s| s.name == name)
    }
}

fn default_price_range_bps() -> Decimal {
    Decimal::from(300)
}

fn default_min_time_left() -> Duration {
    Duration::from_secs(10)
}

fn default_validate_every() -> Duration {
    Duration::from_secs(60)
}

fn default_limit_wait() -> Duration {
    Duration::from_secs(30)
}
