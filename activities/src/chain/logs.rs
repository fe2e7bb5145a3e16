//! Following a contract's logs from two live inputs, for the chain indexers (escrow orders,
//! intent quotes):
//!
//! - a websocket log subscription (tried on each endpoint in turn), fast but lossy across
//!   reconnects;
//! - an HTTP poller over all endpoints (first answer wins) from a cursor kept in a file, which
//!   moves only once the handler accepted every log up to it: a crash between seeing a log and
//!   handling it re-reads the log on restart.
//!
//! Both may deliver the same log; handlers must be idempotent (the workflow ids they start or
//! signal refuse or drop a repeat).

use super::{ChainClient, ChainError, client::follow_websockets};
use alloy::{
    providers::Provider,
    rpc::types::{Filter, Log},
};
use futures::StreamExt;
use std::{
    future::Future,
    io::Write,
    path::{Path, PathBuf},
};
use tracing::{info, warn};

/// Blocks per `eth_getLogs` request; providers cap ranges.
const LOG_RANGE: u64 = 2_000;
/// Logs handled at once from the subscription.
const CONCURRENCY: usize = 32;

/// Which input delivered a log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogSource {
    Websocket,
    Poller,
}

/// The logs of one contract on one chain, followed from a block on.
pub struct LogFollower {
    chain: ChainClient,
    filter: Filter,
    cursor_file: PathBuf,
    start_block: u64,
}

impl LogFollower {
    /// Follows `filter`'s logs from `start_block`, keeping the poller's cursor in `cursor_file`.
    pub fn new(chain: ChainClient, filter: Filter, cursor_file: PathBuf, start_block: u64) -> Self {
        Self {
            chain,
            filter,
            cursor_file,
            start_block,
        }
    }

    /// Runs both inputs until the process stops, handing every log to `handle`. A handler error
    /// on a websocket log is logged (the poller reads the log again); on a polled range it
    /// keeps the cursor where it was, so the range is read again.
    pub async fn run<H, Fut>(&self, handle: H) -> Result<(), ChainError>
    where
        H: Fn(Vec<Log>, LogSource) -> Fut,
        Fut: Future<Output = Result<(), String>>,
    {
        tokio::select! {
            () = self.subscribe(&handle) => Ok(()),
            result = self.poll(&handle) => result,
        }
    }

    async fn subscribe<H, Fut>(&self, handle: &H)
    where
        H: Fn(Vec<Log>, LogSource) -> Fut,
        Fut: Future<Output = Result<(), String>>,
    {
        let urls = self.chain.websocket_urls();
        if urls.is_empty() {
            return std::future::pending().await;
        }
        follow_websockets(&self.chain.name, urls, |provider| async move {
            let subscription = provider
                .subscribe_logs(&self.filter)
                .await
                .map_err(|e| e.to_string())?;
            subscription
                .into_stream()
                .for_each_concurrent(CONCURRENCY, |log| async move {
                    if let Err(error) = handle(vec![log], LogSource::Websocket).await {
                        warn!(chain = self.chain.name, %error, "a subscribed log was not handled; the poller will read it again");
                    }
                })
                .await;
            Ok(())
        })
        .await
    }

    async fn poll<H, Fut>(&self, handle: &H) -> Result<(), ChainError>
    where
        H: Fn(Vec<Log>, LogSource) -> Fut,
        Fut: Future<Output = Result<(), String>>,
    {
        let mut cursor =
            read_cursor(&self.cursor_file)?.unwrap_or(self.start_block.saturating_sub(1));
        info!(chain = self.chain.name, cursor, file = %self.cursor_file.display(), "polling logs");
        let mut interval = tokio::time::interval(self.chain.config.poll_interval);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            match self.poll_once(cursor, handle).await {
                Ok(Some(done)) => {
                    write_cursor(&self.cursor_file, done)?;
                    cursor = done;
                }
                Ok(None) => {}
                Err(error) => {
                    warn!(chain = self.chain.name, cursor, %error, "log poll failed; retrying from the same cursor")
                }
            }
        }
    }

    /// Hands every log after `cursor` up to the head to `handle`; the new cursor when it took
    /// them all.
    async fn poll_once<H, Fut>(&self, cursor: u64, handle: &H) -> Result<Option<u64>, String>
    where
        H: Fn(Vec<Log>, LogSource) -> Fut,
        Fut: Future<Output = Result<(), String>>,
    {
        let head = self
            .chain
            .provider
            .get_block_number()
            .await
            .map_err(|e| e.to_string())?;
        if head <= cursor {
            return Ok(None);
        }
        let logs = read_logs(&self.chain, &self.filter, cursor + 1, head)
            .await
            .map_err(|e| e.to_string())?;
        if !logs.is_empty() {
            handle(logs, LogSource::Poller).await?;
        }
        Ok(Some(head))
    }
}

/// Every log of `filter` in `from..=to`, in chunks the providers accept.
pub async fn read_logs(
    chain: &ChainClient,
    filter: &Filter,
    from: u64,
    to: u64,
) -> Result<Vec<Log>, ChainError> {
    let mut logs = Vec::new();
    let mut start = from;
    while start <= to {
        let end = to.min(start + LOG_RANGE - 1);
        let chunk = chain
            .provider
            .get_logs(&filter.clone().from_block(start).to_block(end))
            .await
            .map_err(ChainError::rpc)?;
        logs.extend(chunk);
        start = end + 1;
    }
    Ok(logs)
}

fn read_cursor(path: &Path) -> Result<Option<u64>, ChainError> {
    match std::fs::read_to_string(path) {
        Ok(text) => text.trim().parse().map(Some).map_err(|_| {
            ChainError::Journal(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("cursor file {} is not a block number", path.display()),
            ))
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(ChainError::Journal(error)),
    }
}

/// Replaces the cursor atomically (write, fsync, rename), so a crash leaves the old or the new.
fn write_cursor(path: &Path, block: u64) -> Result<(), ChainError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("cursor.tmp");
    let mut file = std::fs::File::create(&tmp)?;
    writeln!(file, "{block}")?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_survives_a_rewrite_and_rejects_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/escrow-1.cursor");
        assert_eq!(read_cursor(&path).unwrap(), None);
        write_cursor(&path, 41).unwrap();
        write_cursor(&path, 42).unwrap();
        assert_eq!(read_cursor(&path).unwrap(), Some(42));
        std::fs::write(&path, "forty-two").unwrap();
        assert!(read_cursor(&path).is_err());
    }
}
