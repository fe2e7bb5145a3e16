//! A chain as configured: endpoints, tokens, how deep to wait.

use alloy::primitives::Address;
use serde::{Deserialize, Serialize};
use std::{collections::BTreeMap, time::Duration};
use url::Url;

/// One chain (`[chains.<name>]` in the config file).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ChainConfig {
    /// EIP-155 chain id; checked against every endpoint at start-up.
    pub chain_id: u64,
    /// Two (or more) independent providers. Reads go to all of them at once and the first answer
    /// wins, so losing one provider costs nothing but its share of latency; the reads that decide
    /// whether a transaction was mined believe the provider that has seen the most (see
    /// [`super::ChainClient::receipt`]).
    pub rpc: Vec<RpcEndpoint>,
    /// Blocks a transaction must have on top of it (its own included) before it counts.
    #[serde(default = "default_confirmations")]
    pub confirmations: u64,
    /// How often heads are polled over HTTP (the websocket subscription, when up, is faster).
    #[serde(default = "default_poll_interval", with = "humantime_serde")]
    pub poll_interval: Duration,
    /// A transaction not included after this long is replaced with a higher fee.
    #[serde(default = "default_replace_after", with = "humantime_serde")]
    pub replace_after: Duration,
    /// ERC-20 tokens by symbol. `ETH` always names the native asset.
    #[serde(default)]
    pub tokens: BTreeMap<String, TokenConfig>,
}

/// One provider: its HTTP URL for calls and its websocket URL for head subscriptions.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RpcEndpoint {
    pub http: Url,
    #[serde(default)]
    pub ws: Option<Url>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct TokenConfig {
    pub address: Address,
    pub decimals: u8,
}

/// The symbol of a chain's native asset.
pub const NATIVE: &str = "ETH";
/// Decimals of the native asset.
pub const NATIVE_DECIMALS: u8 = 18;

fn default_confirmations() -> u64 {
    2
}
fn default_poll_interval() -> Duration {
    Duration::from_millis(500)
}
fn default_replace_after() -> Duration {
    Duration::from_secs(30)
}
