//! The `[exchange]` section: which venue the exchange role trades on and with which keys. Only
//! the exchange role reads it, so only that process holds the API keys.

use crate::chain::signer::SecretRef;
use hedgeflow_exchange::{Config, Credentials, KeyKind};
use serde::Deserialize;
use std::{net::SocketAddr, time::Duration};
use url::Url;

/// Where hedges are placed.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ExchangeConfig {
    pub venue: Venue,
    /// `X-MBX-APIKEY` and the key's secret, each `{ env = "NAME" }` or `{ file = "/path" }`:
    /// the secret key for an HMAC key, the PKCS#8 PEM private key for an Ed25519 or RSA key.
    pub api_key: SecretRef,
    pub secret_key: SecretRef,
    /// The API key's kind: "hmac" (the default), "ed25519" (Binance's recommendation) or
    /// "rsa". A `secret-key` that is not of this kind stops the role at start.
    #[serde(default)]
    pub key_kind: KeyKind,
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
        let credentials = Credentials::with_key(
            read(&self.api_key)?,
            self.key_kind,
            &read(&self.secret_key)?,
        )
        .map_err(|e| format!("secret-key: {e}"))?;
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
        assert_eq!(config.key_kind, KeyKind::Hmac);
    }

    #[test]
    fn the_key_kind_is_checked_against_the_secret_file() {
        let dir = tempfile::tempdir().unwrap();
        let (api_key, secret_key) = (dir.path().join("api-key"), dir.path().join("secret-key"));
        std::fs::write(&api_key, "key").unwrap();
        std::fs::write(&secret_key, "an-hmac-secret").unwrap();
        let config = |kind: &str| -> ExchangeConfig {
            toml::from_str(&format!(
                r#"
                venue = {{ kind = "binance" }}
                api-key = {{ file = "{}" }}
                secret-key = {{ file = "{}" }}
                {kind}
                "#,
                api_key.display(),
                secret_key.display()
            ))
            .unwrap()
        };
        let hmac = config("").client_config().unwrap();
        assert_eq!(hmac.credentials.key_kind(), KeyKind::Hmac);
        let error = config(r#"key-kind = "ed25519""#)
            .client_config()
            .unwrap_err();
        assert!(
            error.starts_with("secret-key: the ed25519 key must be"),
            "{error}"
        );
        assert!(!error.contains("an-hmac-secret"), "{error}");

        // RFC 8032's public TEST 1 key as PKCS#8 PEM: a test key, registered nowhere
        std::fs::write(
            &secret_key,
            "-----BEGIN PRIVATE KEY-----\n\
             MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n\
             -----END PRIVATE KEY-----\n",
        )
        .unwrap();
        let ed25519 = config(r#"key-kind = "ed25519""#).client_config().unwrap();
        assert_eq!(ed25519.credentials.key_kind(), KeyKind::Ed25519);
        assert!(!format!("{ed25519:?}").contains("MC4CAQAw"));
        let error = config("").client_config().unwrap_err();
        assert!(
            error.contains("set the key kind to ed25519 or rsa"),
            "{error}"
        );
        assert!(
            toml::from_str::<ExchangeConfig>(
                r#"
            venue = { kind = "binance" }
            api-key = { env = "K" }
            secret-key = { env = "S" }
            key-kind = "dsa"
            "#
            )
            .is_err()
        );
    }
}
