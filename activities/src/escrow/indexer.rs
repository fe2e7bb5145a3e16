//! The indexer of one L2 (the `indexer` role runs one per configured escrow): two live inputs
//! that start a workflow for every `SetOrder` they see.
//!
//! - a websocket log subscription (tried on each endpoint in turn), fast but lossy across
//!   reconnects;
//! - an HTTP poller over all endpoints (first answer wins) from a cursor kept in a file, which
//!   moves only once every order up to it has a workflow: a crash between seeing an order and
//!   starting it re-reads the order on restart.
//!
//! Both may report the same order; the workflow id refuses the second start. What both miss
//! (a reorg under the cursor) the accepted-blocks scan picks up.

use super::{EscrowError, config::L2Escrow, orders};
use crate::chain::{ChainClient, ChainError, client::follow_websockets};
use alloy::providers::Provider;
use futures::StreamExt;
use hedgeflow_proto::escrow::OrderSource;
use std::{
    io::Write,
    path::{Path, PathBuf},
};
use tracing::{debug, info, warn};

pub struct Indexer {
    chain: ChainClient,
    escrow: L2Escrow,
    starter: orders::OrderStarter,
    cursor_file: PathBuf,
}

impl Indexer {
    pub fn new(
        chain: ChainClient,
        escrow: L2Escrow,
        starter: orders::OrderStarter,
        dir: &Path,
    ) -> Self {
        let cursor_file = dir.join(format!("escrow-{}.cursor", chain.config.chain_id));
        Self {
            chain,
            escrow,
            starter,
            cursor_file,
        }
    }

    /// Runs both inputs until the process stops.
    pub async fn run(self) -> Result<(), EscrowError> {
        let subscription = self.subscribe();
        let poller = self.poll();
        tokio::select! {
            () = subscription => Ok(()),
            result = poller => result,
        }
    }

    async fn subscribe(&self) {
        let urls = self.chain.websocket_urls();
        if urls.is_empty() {
            return std::future::pending().await;
        }
        let filter = orders::set_order_filter(self.escrow.escrow);
        follow_websockets(&self.chain.name, urls, |provider| {
            let filter = filter.clone();
            async move {
                let subscription = provider
                    .subscribe_logs(&filter)
                    .await
                    .map_err(|e| e.to_string())?;
                let chain_id = self.chain.config.chain_id;
                subscription
                    .into_stream()
                    .filter_map(|log| async move {
                        orders::decode(chain_id, &log, OrderSource::Websocket)
                    })
                    .for_each_concurrent(orders::START_CONCURRENCY, |order| async move {
                        debug!(order_id = %order.workflow_id(), "order seen on the websocket");
                        if let Err(error) = self.starter.start(&order).await {
                            // The poller re-reads it from its cursor.
                            warn!(order_id = %order.workflow_id(), %error, "could not start the order's workflow");
                        }
                    })
                    .await;
                Ok(())
            }
        })
        .await
    }

    async fn poll(&self) -> Result<(), EscrowError> {
        let mut cursor =
            read_cursor(&self.cursor_file)?.unwrap_or(self.escrow.start_block.saturating_sub(1));
        info!(chain = self.chain.name, cursor, "escrow indexer polling");
        let mut interval = tokio::time::interval(self.chain.config.poll_interval);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            match self.poll_once(cursor).await {
                Ok(Some(done)) => {
                    write_cursor(&self.cursor_file, done)?;
                    cursor = done;
                }
                Ok(None) => {}
                Err(error) => {
                    warn!(chain = self.chain.name, cursor, %error, "escrow poll failed; retrying from the same cursor")
                }
            }
        }
    }

    /// Starts every order after `cursor` up to the head; the new cursor when all have started.
    async fn poll_once(&self, cursor: u64) -> Result<Option<u64>, EscrowError> {
        let head = self
            .chain
            .provider
            .get_block_number()
            .await
            .map_err(ChainError::rpc)?;
        if head <= cursor {
            return Ok(None);
        }
        let found = orders::read_orders(
            &self.chain,
            self.escrow.escrow,
            cursor + 1,
            head,
            OrderSource::Poller,
        )
        .await?;
        for order in &found {
            debug!(order_id = %order.workflow_id(), "order seen by the poller");
        }
        self.starter.start_all(&found).await?;
        Ok(Some(head))
    }
}

fn read_cursor(path: &Path) -> Result<Option<u64>, EscrowError> {
    match std::fs::read_to_string(path) {
        Ok(text) => text.trim().parse().map(Some).map_err(|_| {
            EscrowError::NotYet(format!(
                "cursor file {} is not a block number",
                path.display()
            ))
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(ChainError::Journal(error).into()),
    }
}

/// Replaces the cursor atomically (write, fsync, rename), so a crash leaves the old or the new.
fn write_cursor(path: &Path, block: u64) -> Result<(), EscrowError> {
    let io = |error| EscrowError::Chain(ChainError::Journal(error));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let tmp = path.with_extension("cursor.tmp");
    let mut file = std::fs::File::create(&tmp).map_err(io)?;
    writeln!(file, "{block}").map_err(io)?;
    file.sync_all().map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
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
