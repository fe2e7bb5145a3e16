//! The front door's configuration: a `[front-door]`-style TOML table read with serde.
//!
//! ```toml
//! listen = "0.0.0.0:8545"
//! admin-listen = "127.0.0.1:8546"
//! admin-token = { env = "HEDGEFLOW_ADMIN_TOKEN" }   # or { file = "data/admin-token" }
//! rate-limit = { per-second = 20, burst = 40 }
//! per-source = { per-second = 50, burst = 100 }
//! api-keys = { file = "/run/secrets/dealer-api-keys.toml" }   # optional
//! allow = []
//! deny = ["0x000000000000000000000000000000000000dead"]
//! ```

use crate::profiler::RateLimit;
use alloy::primitives::Address;
use serde::Deserialize;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

/// The public JSON-RPC front door and its admin endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct FrontDoorConfig {
    /// Where takers connect (HTTP POST and WebSocket on one port).
    pub listen: SocketAddr,
    /// Where the admin JSON-RPC (`admin_*`) listens; keep it on loopback or a private network.
    pub admin_listen: SocketAddr,
    /// Where to read the admin bearer token from (never inline in the file).
    pub admin_token: SecretSource,
    /// The per-taker token bucket applied at start (changeable with `admin_setRateLimit`).
    #[serde(default)]
    pub rate_limit: RateLimit,
    /// One bucket over every taker's requests together: a caller rotating taker addresses (each
    /// a fresh per-taker bucket) still gets no more than this signed and stored; past it,
    /// -42024 for everyone.
    #[serde(default = "default_ceiling")]
    pub ceiling: RateLimit,
    /// A bucket per source address (the connection's peer IP), spent by every public request
    /// whatever taker it names: past it, -42024 for that source only.
    #[serde(default = "default_per_source")]
    pub per_source: RateLimit,
    /// The integrators' API keys (`X-API-Key`), a secret file (see [`crate::profiler::ApiKeys`]):
    /// a key's holder spends its key's bucket instead of its source's and its takers'.
    #[serde(default)]
    pub api_keys: Option<SecretSource>,
    /// Takers served at start; when non-empty, only these are served.
    #[serde(default)]
    pub allow: Vec<Address>,
    /// Takers refused at start (wins over `allow`).
    #[serde(default)]
    pub deny: Vec<Address>,
}

/// 50 requests per second per source address, bursts of 100.
fn default_per_source() -> RateLimit {
    RateLimit::new(
        std::num::NonZeroU32::new(50).expect("non-zero"),
        std::num::NonZeroU32::new(100).expect("non-zero"),
    )
}

/// 200 requests per second over all takers, bursts of 400.
fn default_ceiling() -> RateLimit {
    RateLimit::new(
        std::num::NonZeroU32::new(200).expect("non-zero"),
        std::num::NonZeroU32::new(400).expect("non-zero"),
    )
}

/// Where a secret comes from. Secrets are never written in the config itself.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum SecretSource {
    /// The value of this environment variable.
    Env(String),
    /// The contents of this file, surrounding whitespace trimmed.
    File(PathBuf),
}

impl SecretSource {
    /// Read the admin token. Errors name the variable or file, never the value.
    pub fn load_admin_token(&self) -> Result<AdminToken, SecretError> {
        let value = self.load()?;
        AdminToken::new(value.trim()).ok_or_else(|| SecretError::TooShort(self.to_string()))
    }

    /// The secret's text. Errors name the variable or file, never the value.
    pub fn load(&self) -> Result<String, SecretError> {
        match self {
            Self::Env(name) => std::env::var(name).map_err(|_| SecretError::Env(name.clone())),
            Self::File(path) => std::fs::read_to_string(path).map_err(|e| SecretError::File {
                path: path.clone(),
                kind: e.kind(),
            }),
        }
    }
}

impl fmt::Display for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Env(name) => write!(f, "environment variable {name}"),
            Self::File(path) => write!(f, "file {}", path.display()),
        }
    }
}

/// Why a secret could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("environment variable {0} is not set (or not UTF-8)")]
    Env(String),
    #[error("cannot read secret file {}: {kind}", path.display())]
    File {
        path: PathBuf,
        kind: std::io::ErrorKind,
    },
    #[error("the admin token from {0} is shorter than {min} characters", min = AdminToken::MIN_LEN)]
    TooShort(String),
}

/// The admin bearer token. Its `Debug` is redacted and it has no `Display`, so it cannot reach
/// a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct AdminToken(Box<str>);

impl AdminToken {
    /// Shorter tokens are refused: the admin endpoint is only as strong as its token.
    pub const MIN_LEN: usize = 16;

    /// A token of at least [`Self::MIN_LEN`] characters without whitespace.
    pub fn new(value: &str) -> Option<Self> {
        (value.len() >= Self::MIN_LEN && !value.contains(char::is_whitespace))
            .then(|| Self(value.into()))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AdminToken(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kebab_case_and_refuses_unknown_fields() {
        let text = r#"{"listen":"127.0.0.1:0","admin-listen":"127.0.0.1:0",
            "admin-token":{"env":"HEDGEFLOW_ADMIN_TOKEN"},"rate-limit":{"per-second":5,"burst":10},
            "allow":[],"deny":["0x000000000000000000000000000000000000dead"]}"#;
        let config: FrontDoorConfig = serde_json::from_str(text).unwrap();
        assert_eq!(
            config.admin_token,
            SecretSource::Env("HEDGEFLOW_ADMIN_TOKEN".into())
        );
        assert_eq!(config.rate_limit.burst.get(), 10);
        assert_eq!(config.deny.len(), 1);
        let inline = text.replace(
            r#"{"env":"HEDGEFLOW_ADMIN_TOKEN"}"#,
            r#""secret-token-inline""#,
        );
        assert!(serde_json::from_str::<FrontDoorConfig>(&inline).is_err());
        let unknown = text.replace(r#""allow":[]"#, r#""allowed":[]"#);
        assert!(serde_json::from_str::<FrontDoorConfig>(&unknown).is_err());
    }

    #[test]
    fn token_is_redacted_and_checked() {
        assert!(AdminToken::new("short").is_none());
        assert!(AdminToken::new("has a space in it, long enough").is_none());
        let token = AdminToken::new("0123456789abcdef-secret").unwrap();
        assert!(!format!("{token:?}").contains("secret"));
    }
}
