//! The `[exchanges]` and `[obm]` sections of the configuration file.

use crate::binance::MarketData;
use crate::manager::{BookKey, Feed, Settings};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;
use url::Url;

/// An exchange's public endpoints (Binance Spot or a compatible one). API keys are not here:
/// only the exchange role reads them, from its own section.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ExchangeEndpoints {
    /// REST base, e.g. `https://api.binance.com`.
    pub rest: Url,
    /// Websocket stream base, e.g. `wss://stream.binance.com:9443`.
    pub websocket: Url,
}

/// The order book manager.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ObmConfig {
    /// Where the gRPC service listens.
    pub listen: SocketAddr,
    /// The books to keep, each on an exchange of `[exchanges]`.
    pub books: Vec<BookConfig>,
    /// Levels of the REST depth snapshot (Binance allows up to 5000).
    #[serde(default = "default_snapshot_limit")]
    pub snapshot_limit: u32,
    /// A book without an update for this long is unusable until the next one.
    #[serde(with = "humantime_serde", default = "default_stale_after")]
    pub stale_after: Duration,
    /// The market watcher's sampling interval of each mid.
    #[serde(with = "humantime_serde", default = "default_sample_interval")]
    pub sample_interval: Duration,
    /// The window the volatility is computed over.
    #[serde(with = "humantime_serde", default = "default_volatility_window")]
    pub volatility_window: Duration,
    /// Wait before reconnecting after a stream or snapshot failure.
    #[serde(with = "humantime_serde", default = "default_reconnect_delay")]
    pub reconnect_delay: Duration,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct BookConfig {
    pub exchange: String,
    pub symbol: String,
}

fn default_snapshot_limit() -> u32 {
    1000
}
fn default_stale_after() -> Duration {
    Duration::from_secs(5)
}
fn default_sample_interval() -> Duration {
    Duration::from_secs(1)
}
fn default_volatility_window() -> Duration {
    Duration::from_secs(60)
}
fn default_reconnect_delay() -> Duration {
    Duration::from_secs(1)
}

/// A book names an exchange that `[exchanges]` does not configure.
#[derive(Debug, thiserror::Error)]
#[error("obm book {symbol} names exchange {exchange:?}, which [exchanges] does not configure")]
pub struct UnknownExchange {
    pub exchange: String,
    pub symbol: String,
}

impl ObmConfig {
    pub fn settings(&self) -> Settings {
        Settings {
            stale_after: self.stale_after,
            sample_interval: self.sample_interval,
            volatility_window: self.volatility_window,
            reconnect_delay: self.reconnect_delay,
        }
    }

    /// The feeds to follow, each with its exchange's endpoints.
    pub fn feeds(
        &self,
        exchanges: &BTreeMap<String, ExchangeEndpoints>,
    ) -> Result<Vec<Feed>, UnknownExchange> {
        self.books
            .iter()
            .map(|book| {
                let endpoints = exchanges
                    .get(&book.exchange)
                    .ok_or_else(|| UnknownExchange {
                        exchange: book.exchange.clone(),
                        symbol: book.symbol.clone(),
                    })?;
                Ok(Feed {
                    key: BookKey {
                        exchange: book.exchange.clone(),
                        symbol: book.symbol.clone(),
                    },
                    market_data: MarketData::new(
                        endpoints.rest.clone(),
                        endpoints.websocket.clone(),
                        self.snapshot_limit,
                    ),
                })
            })
            .collect()
    }
}
