//! The `[exchange]` section: which venue the exchange role trades on and with which keys. Only
//! the exchange role reads it, so only that process holds the API keys.

use crate::chain::signer::SecretRef;
use hedgeflow_exchange::{Config, Credentials};
use serde::Deserialize;
use std::{net::SocketAddr, time::Duration};
use url::Url;

/// Where hedges are placed.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ExchangeConfig {
    pub venue: Venue,
    /// `X-MBX-APIKEY` and the HMAC secret, each `{ env = "NAME" }` or `{ file = "/path" }`.
    pub api_key: SecretRef,
    pub secret_key: SecretRef,
    /// Where the role serves its account (balances, open orders) over gRPC, for the inventory
    /// manager; unset serves nothing.
    #[serde(default)]
    pub listen: Option<SocketAddr>,
    /// How often an order not yet final is polled besides the user data stream.
    #[serde(with = "humantime_serde", default = "default_poll_interval")]
    pub poll_interval: Duration,
    /// How long one attempt waits for an order to be final before the activity retries.
    #[serde(with = "humantime_serde", default = "default_order_timeout")]
    pub order_timeout: Duration,
}

/// The venue, by name.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", deny_unknown_fields)]
pub enum Venue {
    /// Binance Spot.
    Binance,
    /// Binance's Spot testnet.
    BinanceTestnet,
    /// The local stack's paper exchange at `rest` (its WebSocket API is at the same address).
    Paper { rest: Url },
}

impl ExchangeConfig {
    /// The client configuration, with the keys read from where they are kept.
    pub fn client_config(&self) -> Result<Config, String> {
        let read = |secret: &SecretRef| secret.read().map_err(|e| e.to_string());
        let credentials = Credentials::new(read(&self.api_key)?, read(&self.secret_key)?);
        Ok(match &self.venue {
            Venue::Binance => Config::binance(credentials),
            Venue::BinanceTestnet => Config::testnet(credentials),
            Venue::Paper { rest } => Config::paper(rest.clone(), credentials),
        })
    }
}

fn default_poll_interval() -> Duration {
    Duration::from_secs(1)
}

fn default_order_timeout() -> Duration {
    Duration::from_secs(30)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_paper_venue_names_its_address() {
        let config: ExchangeConfig = toml::from_str(
            r#"
            venue = { kind = "paper", rest = "http://127.0.0.1:8090" }
            api-key = { env = "HEDGEFLOW_TEST_UNSET_KEY" }
            secret-key = { env = "HEDGEFLOW_TEST_UNSET_SECRET" }
            "#,
        )
        .unwrap();
        assert!(matches!(config.venue, Venue::Paper { .. }));
        assert_eq!(config.poll_interval, Duration::from_secs(1));
        let error = config.client_config().unwrap_err();
        assert!(error.contains("HEDGEFLOW_TEST_UNSET_KEY"), "{error}");
    }
}
