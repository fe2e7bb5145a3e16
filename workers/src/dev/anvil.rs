//! Local chains: one `anvil` per chain.

use super::{
    process::{self, Supervised},
    tools,
};
use anyhow::Context;
use std::{path::PathBuf, time::Duration};

pub struct Options {
    pub name: String,
    pub port: u16,
    pub chain_id: u64,
    /// Seconds between blocks; 0 mines each transaction at once.
    pub block_time: u64,
    /// Load state from and save it to this file (every few seconds and on exit).
    pub state: Option<PathBuf>,
    pub log: PathBuf,
}

pub async fn start(options: &Options) -> anyhow::Result<Supervised> {
    let mut command = std::process::Command::new(tools::find("anvil"));
    command
        .args(["--host", "127.0.0.1", "--port", &options.port.to_string()])
        .args(["--chain-id", &options.chain_id.to_string()])
        .args(["--mnemonic", super::DEV_MNEMONIC]);
    if options.block_time > 0 {
        command.args(["--block-time", &options.block_time.to_string()]);
    }
    if let Some(state) = &options.state {
        // Saved periodically too, so even a SIGKILL loses seconds, not the chain.
        command
            .arg("--state")
            .arg(state)
            .args(["--state-interval", "5"]);
    }
    let child = Supervised::spawn(
        &format!("anvil-{}", options.name),
        command,
        Some(&options.log),
        true,
    )?;
    process::wait_for_port(
        &format!("anvil {}", options.name),
        options.port,
        Duration::from_secs(30),
    )
    .await
    .with_context(|| format!("see {}", options.log.display()))?;
    Ok(child)
}
