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
    /// Where the hot wallet serves quote signing and funds reports (gRPC); loopback unless
    /// set. Anywhere else needs `signer-token`.
    #[serde(default = "default_signer_listen")]
    pub signer_listen: SocketAddr,
    /// The bearer token every caller of the quote signer must send (the dealer and the CLI read
    /// the same secret); without it, only loopback callers are served.
    #[serde(default)]
    pub signer_token: Option<crate::chain::signer::SecretRef>,
    /// The least time an order must have left, by the chain's clock, when its fill is sent: the
    /// settlement must be mined before the order expires (a block or two, with room for a fee
    /// bump). Fills with less are refused (-42017) and nothing is sent.
    #[serde(with = "humantime_serde", default = "default_fill_margin")]
    pub fill_margin: Duration,
}

fn default_signer_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 50062))
}

impl SettlementConfig {
    /// The quote signer's token, read from its secret; `None` when none is configured.
    pub fn signer_token(
        &self,
    ) -> Result<Option<hedgeflow_proto::grpc::auth::Token>, crate::chain::ChainError> {
        self.signer_token
            .as_ref()
            .map(|secret| secret.read().map(hedgeflow_proto::grpc::auth::Token::new))
            .transpose()
    }
}

fn default_fill_margin() -> Duration {
    Duration::from_secs(15)
}
