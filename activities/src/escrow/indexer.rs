//! The indexer of one L2 (the `indexer` role runs one per configured escrow): follows `SetOrder`
//! logs from the websocket and the poller ([`LogFollower`]) and starts a workflow for every
//! order. Both inputs may report the same order; the workflow id refuses the second start. What
//! both miss (a reorg under the cursor) the accepted-blocks scan picks up.

use super::{EscrowError, config::L2Escrow, orders, starters};
use crate::chain::{
    ChainClient,
    logs::{LogFollower, LogSource},
};
use hedgeflow_proto::escrow::OrderSource;
use std::path::Path;
use tracing::debug;

pub struct Indexer {
    chain_id: u64,
    follower: LogFollower,
    starter: starters::OrderStarter,
}

impl Indexer {
    pub fn new(
        chain: ChainClient,
        escrow: L2Escrow,
        starter: starters::OrderStarter,
        dir: &Path,
    ) -> Self {
        let chain_id = chain.config.chain_id;
        let cursor_file = dir.join(format!("escrow-{chain_id}.cursor"));
        let filter = orders::set_order_filter(escrow.escrow);
        Self {
            chain_id,
            follower: LogFollower::new(chain, filter, cursor_file, escrow.start_block),
            starter,
        }
    }

    /// Runs both inputs until the process stops.
    pub async fn run(self) -> Result<(), EscrowError> {
        let chain_id = self.chain_id;
        let starter = &self.starter;
        self.follower
            .run(|logs, source| async move {
                let source = match source {
                    LogSource::Websocket => OrderSource::Websocket,
                    LogSource::Poller => OrderSource::Poller,
                };
                let found: Vec<_> = logs
                    .iter()
                    .filter_map(|log| orders::decode(chain_id, log, source))
                    .collect();
                for order in &found {
                    debug!(order_id = %order.workflow_id(), source = source.as_str(), "order seen");
                }
                starter
                    .start_all(&found)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            })
            .await?;
        Ok(())
    }
}
