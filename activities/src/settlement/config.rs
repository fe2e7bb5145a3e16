//! The `[settlement]` section of the configuration file.

use alloy::primitives::Address;
use serde::Deserialize;
use std::net::SocketAddr;
use std::time::Duration;

/// Where the dealer's orders settle, and what the hot wallet agrees to sign for them.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SettlementConfig {
    /// The chain `RfqSettlement` is deployed on (a name of `[chains]`); its configured tokens are
    /// the only maker tokens the hot wallet signs orders for.
    pub chain: String,
    /// The `RfqSettlement` contract.
    pub contract: Address,
    /// The longest order life the hot wallet signs (expiry minus now).
    #[serde(with = "humantime_serde")]
    pub max_order_ttl: Duration,
    /// Where the hot wallet serves quote signing and funds reports (gRPC).
    pub signer_listen: SocketAddr,
    /// The least time an order must have left, by the chain's clock, when its fill is sent: the
    /// settlement must be mined before the order expires (a block or two, with room for a fee
    /// bump). Fills with less are refused (-42017) and nothing is sent.
    #[serde(with = "humantime_serde", default = "default_fill_margin")]
    pub fill_margin: Duration,
}

fn default_fill_margin() -> Duration {
    Duration::from_secs(15)
}
