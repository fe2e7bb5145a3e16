//! API keys per taker, as 0x and Hashflow issue them to integrators: a request carrying a known
//! key (`X-API-Key`) is its holder's, spends the key's own bucket in place of its source
//! address's and of the taker address it names (so nobody naming a keyed taker's address drains
//! that holder's budget), and, when the key lists takers, may name only those. An unknown key
//! is refused before any method runs.
//!
//! The keys come from a secret file (TOML), never from the config:
//!
//! ```toml
//! [[keys]]
//! name = "acme"                      # for logs and metrics; the key itself is never logged
//! key = "…"                          # at least 24 characters
//! rate-limit = { per-second = 100, burst = 200 }
//! takers = ["0x…"]                   # optional: the only takers this key may name
//! ```

use super::limit::RateLimit;
use alloy::primitives::Address;
use governor::{DefaultDirectRateLimiter, RateLimiter};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// The header a key travels in.
pub const API_KEY_HEADER: &str = "x-api-key";
/// Shorter keys are refused at load: they could be guessed.
const MIN_KEY_CHARS: usize = 24;

/// Every issued key, by the SHA-256 of its text (a lookup by hash leaks nothing of a key's
/// content through timing).
#[derive(Debug, Default)]
pub struct ApiKeys(HashMap<[u8; 32], Arc<ApiKey>>);

/// One integrator's key: its name, its bucket and the takers it may name.
#[derive(Debug)]
pub struct ApiKey {
    pub name: String,
    takers: BTreeSet<Address>,
    bucket: DefaultDirectRateLimiter,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiKeysError {
    #[error("the API key file does not parse: {0}")]
    Parse(#[from] toml::de::Error),
    #[error("API key `{0}` is shorter than {MIN_KEY_CHARS} characters")]
    Short(String),
    #[error("API key `{0}` is issued twice (names and keys must be unique)")]
    Duplicate(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    #[serde(default)]
    keys: Vec<KeyEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct KeyEntry {
    name: String,
    key: String,
    rate_limit: RateLimit,
    #[serde(default)]
    takers: Vec<Address>,
}

impl ApiKeys {
    /// The keys of a key file; errors name a key by its name, never by its text.
    pub fn parse(text: &str) -> Result<Self, ApiKeysError> {
        let file: KeyFile = toml::from_str(text)?;
        let mut keys = HashMap::new();
        let mut names = BTreeSet::new();
        for entry in file.keys {
            if entry.key.trim().chars().count() < MIN_KEY_CHARS {
                return Err(ApiKeysError::Short(entry.name));
            }
            let hash: [u8; 32] = Sha256::digest(entry.key.trim().as_bytes()).into();
            if !names.insert(entry.name.clone()) || keys.contains_key(&hash) {
                return Err(ApiKeysError::Duplicate(entry.name));
            }
            let key = ApiKey {
                name: entry.name,
                takers: entry.takers.into_iter().collect(),
                bucket: RateLimiter::direct(entry.rate_limit.quota()),
            };
            keys.insert(hash, Arc::new(key));
        }
        Ok(Self(keys))
    }

    /// The key `presented` is, if issued.
    pub fn find(&self, presented: &[u8]) -> Option<Arc<ApiKey>> {
        let hash: [u8; 32] = Sha256::digest(presented.trim_ascii()).into();
        self.0.get(&hash).cloned()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl ApiKey {
    /// Spend a token of the key's bucket; false when it is empty.
    pub(super) fn check(&self) -> bool {
        self.bucket.check().is_ok()
    }

    /// Whether the key may name `taker`: any taker when it lists none.
    pub(super) fn serves(&self, taker: &Address) -> bool {
        self.takers.is_empty() || self.takers.contains(taker)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "acme-0123456789abcdef0123456789";

    #[test]
    fn keys_are_found_by_their_text_and_bind_their_takers() {
        let keys = ApiKeys::parse(&format!(
            "[[keys]]\nname = \"acme\"\nkey = \"{KEY}\"\nrate-limit = {{ per-second = 1, burst = 2 }}\ntakers = [\"{}\"]\n",
            Address::repeat_byte(1)
        ))
        .unwrap();
        let key = keys.find(KEY.as_bytes()).expect("the issued key");
        assert_eq!(key.name, "acme");
        assert!(key.serves(&Address::repeat_byte(1)));
        assert!(!key.serves(&Address::repeat_byte(2)));
        assert!(
            key.check() && key.check() && !key.check(),
            "its own bucket of 2"
        );
        assert!(keys.find(b"acme-0123456789abcdef012345678X").is_none());
    }

    #[test]
    fn short_and_repeated_keys_are_refused_by_name() {
        let entry = |name: &str, key: &str| {
            format!(
                "[[keys]]\nname = \"{name}\"\nkey = \"{key}\"\nrate-limit = {{ per-second = 1, burst = 1 }}\n"
            )
        };
        let short = ApiKeys::parse(&entry("tiny", "short"))
            .unwrap_err()
            .to_string();
        assert!(
            short.contains("`tiny`") && !short.contains("short\""),
            "{short}"
        );
        let twice = format!("{}{}", entry("a", KEY), entry("b", KEY));
        assert!(
            matches!(ApiKeys::parse(&twice), Err(ApiKeysError::Duplicate(name)) if name == "b")
        );
    }
}
