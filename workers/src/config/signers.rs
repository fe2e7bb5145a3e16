//! The sections of the roles that hold a key: `[relayer]`, `[hot-wallet]` (with its policy)
//! and `[price-signer]`. Every other role sees only their public addresses.

use alloy::primitives::Address;
use hedgeflow_activities::chain::signer::SignerSource;
use serde::Deserialize;
use std::path::PathBuf;

/// The relayer's key (its own, not the hot wallet's) and the messenger pairs it serves.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RelayerConfig {
    pub signer: SignerSource,
    pub routes: Vec<RelayRoute>,
}

/// Messages sent through `l1_messenger` on chain `from` are delivered by `l2_messenger` on `to`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RelayRoute {
    pub from: String,
    pub l1_messenger: Address,
    pub to: String,
    pub l2_messenger: Address,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct HotWalletConfig {
    /// The hot wallet's public address: every role may know it; only the `hot-wallet` role
    /// loads the key, and refuses to start if the key is not this address's.
    pub address: Address,
    /// The signing key's source; read only by the `hot-wallet` role.
    pub signer: SignerSource,
    /// The transaction journal (write-ahead record of signed transactions).
    pub journal: PathBuf,
    /// What the hot wallet agrees to sign beyond the pipelines' own calls (always enforced).
    #[serde(default)]
    pub policy: PolicyConfig,
}

/// `[hot-wallet.policy]`: the pipelines' calls are allowed from their own sections; this adds
/// who may be paid and how much may move.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct PolicyConfig {
    /// Who treasury transfers (native or configured tokens) and the balance manager's collateral
    /// transfers (the broker's deposit address) may pay. Nobody else is ever paid.
    #[serde(default)]
    pub recipients: Vec<Address>,
    /// Value limits per asset.
    #[serde(default)]
    pub limits: Vec<LimitConfig>,
}

/// One asset's limits, in its units (`ETH`, or a token symbol of the chain).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct LimitConfig {
    pub chain: String,
    pub asset: String,
    pub per_tx: String,
    pub per_day: String,
}

/// `[price-signer]`: the key the `IntentBook` checks prices against.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct PriceSignerConfig {
    /// Its public address (what the book is deployed with); only the `price-signer` role loads
    /// the key, and refuses to start if the key is not this address's.
    pub address: Address,
    pub signer: SignerSource,
}
