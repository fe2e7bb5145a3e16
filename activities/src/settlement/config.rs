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
}
