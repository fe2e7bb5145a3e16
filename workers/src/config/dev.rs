//! `[dev]` and `[paper-exchange]`: the local stack `hedgeflow dev` runs; absent in production
//! files.

use anyhow::Context;
use hedgeflow_activities::chain::signer::SignerSource;
use serde::Deserialize;
use std::{collections::BTreeMap, net::SocketAddr, path::PathBuf};

use super::Config;

/// The local stack's paper exchange.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct PaperExchangeConfig {
    /// Where it serves REST and websocket streams.
    pub listen: SocketAddr,
    /// Its symbols, synthetic market and accounts (every field has a dev default).
    #[serde(default)]
    pub market: hedgeflow_paper_exchange::Config,
}

/// The embedded local stack.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DevConfig {
    /// Temporal's SQLite file, anvil state, logs: all under here.
    pub data_dir: PathBuf,
    pub temporal_port: u16,
    pub temporal_ui_port: u16,
    /// One anvil per entry, by chain name; chain ids come from `[chains.<name>]`.
    pub anvil: BTreeMap<String, AnvilConfig>,
    /// Development-only key that deploys the test tokens (anvil's account 9 by default).
    pub deployer: SignerSource,
    /// How long a user of the dev `Escrow` waits before reclaiming an unfilled order.
    #[serde(default = "default_reclaim_delay", with = "humantime_serde")]
    pub escrow_reclaim_delay: std::time::Duration,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct AnvilConfig {
    pub port: u16,
    /// Seconds between blocks (0 mines on every transaction).
    #[serde(default = "default_block_time")]
    pub block_time: u64,
}

fn default_block_time() -> u64 {
    1
}
fn default_reclaim_delay() -> std::time::Duration {
    std::time::Duration::from_secs(24 * 3600)
}

impl Config {
    /// The address the paper exchange sends withdrawals from, when it has a wallet.
    pub fn paper_exchange_wallet(&self) -> anyhow::Result<Option<alloy::primitives::Address>> {
        let Some(wallet) = self
            .paper_exchange
            .as_ref()
            .and_then(|p| p.market.wallet.as_ref())
        else {
            return Ok(None);
        };
        let signer = hedgeflow_paper_exchange::withdraw_signer(&wallet.withdraw_signer)
            .context("[paper-exchange.market.wallet] withdraw-signer")?;
        Ok(Some(signer.address()))
    }
}
