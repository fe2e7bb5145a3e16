//! Local chains: one `anvil` per chain, kept on wall-clock time.

use super::{process::Supervised, tools};
use alloy::providers::{Provider, ProviderBuilder};
use anyhow::Context;
use std::{
    path::PathBuf,
    time::{Duration, SystemTime, UNIX_EPOCH},
};
use tracing::{info, warn};

/// How far a chain's newest block may trail the wall clock before its next block is set to now
/// (a block every second trails by up to a second between blocks).
const MAX_LAG_SECS: u64 = 3;
/// How often the keeper looks.
const CLOCK_CHECK: Duration = Duration::from_secs(2);

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
    let mut child = Supervised::spawn(
        &format!("anvil-{}", options.name),
        command,
        Some(&options.log),
        true,
    )?;
    child
        .wait_for_port(options.port, Duration::from_secs(30))
        .await
        .with_context(|| format!("see {}", options.log.display()))?;
    Ok(child)
}

/// Keeps the anvil at `port` on wall-clock time for as long as it runs: a chain restarted from
/// its saved state, or reorganised, resumes at the time its last block had, and every price
/// signed against the wall clock would then be "from the future" for it. When the newest block
/// trails the clock by more than [`MAX_LAG_SECS`], the next block is stamped now. A chain ahead
/// of the clock (a test moved it on) is left alone: time cannot go back.
pub async fn keep_on_wall_clock(name: String, port: u16) {
    let url = format!("http://127.0.0.1:{port}")
        .parse()
        .expect("a local url");
    let provider = ProviderBuilder::new().connect_http(url);
    loop {
        tokio::time::sleep(CLOCK_CHECK).await;
        if let Err(error) = catch_up(&provider).await.map(|lag| {
            if let Some(lag) = lag {
                info!(chain = %name, lag, "chain behind the wall clock; next block stamped now");
            }
        }) {
            // The chain is down or restarting: the supervisor brings it back.
            warn!(chain = %name, %error, "could not compare the chain's time with the clock");
        }
    }
}

/// Stamps the next block now if the newest trails the clock; the lag it corrected, if any.
async fn catch_up(provider: &impl Provider) -> anyhow::Result<Option<u64>> {
    let latest = provider
        .get_block_by_number(Default::default())
        .await?
        .context("no latest block")?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    let lag = now.saturating_sub(latest.header.timestamp);
    if lag <= MAX_LAG_SECS {
        return Ok(None);
    }
    provider
        .raw_request::<_, serde_json::Value>("evm_setNextBlockTimestamp".into(), (now,))
        .await?;
    Ok(Some(lag))
}

#[cfg(test)]
mod tests {
    use super::{super::process, *};

    /// A chain whose blocks run two minutes behind the clock (as one restarted from saved state
    /// does) is brought to the clock within a few seconds, and stays there.
    #[tokio::test]
    async fn a_chain_behind_the_wall_clock_is_brought_to_it() {
        let port = process::free_port();
        let dir = tempfile::tempdir().unwrap();
        let behind = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            - 120;
        let mut command = std::process::Command::new(tools::find("anvil"));
        command
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--block-time", "1", "--timestamp", &behind.to_string()]);
        let mut anvil = Supervised::spawn(
            "anvil-behind",
            command,
            Some(&dir.path().join("anvil.log")),
            false,
        )
        .unwrap();
        anvil
            .wait_for_port(port, Duration::from_secs(30))
            .await
            .unwrap();
        let provider = ProviderBuilder::new()
            .connect_http(format!("http://127.0.0.1:{port}").parse().unwrap());
        let lag = || async {
            let latest = provider
                .get_block_by_number(Default::default())
                .await
                .unwrap()
                .unwrap();
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_secs();
            now as i64 - latest.header.timestamp as i64
        };
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert!(lag().await > 100, "the chain starts behind");

        let keeper = tokio::spawn(keep_on_wall_clock("behind".into(), port));
        tokio::time::sleep(CLOCK_CHECK * 3).await;
        for _ in 0..3 {
            let lag = lag().await;
            assert!((0..=2).contains(&lag), "{lag} s behind the clock");
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        keeper.abort();
        anvil.kill().await;
    }
}
