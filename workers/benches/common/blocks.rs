//! A chain's clock as seen from outside every process under test: one poller asks the node for
//! its head every [`POLL`] and, for each new block, keeps its timestamp, the wall-clock time it
//! was first seen, and one contract's logs in it. Block timestamps have a 1 s resolution; the
//! first-seen times are at most a poll (plus an RPC round trip) late, the same for every block,
//! so differences between them measure time between blocks to about [`POLL`]. Also the table
//! of stages measured against it ([`stage_table`]): each stage's time, the part the chain's
//! blocks imposed, and the rest.

use alloy::{
    eips::BlockNumberOrTag,
    primitives::Address,
    providers::{DynProvider, Provider},
    rpc::types::{Filter, Log},
};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tokio::task::JoinHandle;

/// How often the head is asked for.
pub const POLL: Duration = Duration::from_millis(50);

#[derive(Clone, Copy, Debug)]
pub struct Block {
    pub number: u64,
    /// The block's own timestamp (Unix seconds).
    pub timestamp: u64,
    /// When the poller first saw it.
    pub seen: SystemTime,
    pub gas_used: u64,
    pub gas_limit: u64,
}

/// A log of the watched contract and when its block was first seen.
#[derive(Clone, Debug)]
pub struct SeenLog {
    pub log: Log,
    pub block: Block,
}

#[derive(Default)]
struct Seen {
    blocks: Vec<Block>,
    logs: Vec<SeenLog>,
}

/// Polls until dropped.
pub struct Watcher {
    seen: Arc<Mutex<Seen>>,
    task: JoinHandle<()>,
}

impl Watcher {
    /// Starts watching `provider`'s chain (and `contract`'s logs) from its current head on.
    pub async fn start(provider: DynProvider, contract: Address) -> Self {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let mut last = provider.get_block_number().await.expect("the chain's head");
        let task = tokio::spawn({
            let seen = seen.clone();
            async move {
                loop {
                    tokio::time::sleep(POLL).await;
                    let Ok(head) = provider.get_block_number().await else {
                        continue;
                    };
                    let at = SystemTime::now();
                    if head <= last {
                        continue;
                    }
                    match new_blocks(&provider, contract, last + 1, head, at).await {
                        Ok((blocks, logs)) => {
                            let mut seen = seen.lock().unwrap();
                            seen.blocks.extend(blocks);
                            seen.logs.extend(logs);
                            last = head;
                        }
                        // Asked again at the next poll; the blocks then share its time.
                        Err(e) => eprintln!("blocks {}..={head}: {e}", last + 1),
                    }
                }
            }
        });
        Self { seen, task }
    }

    /// The blocks seen so far, oldest first.
    pub fn blocks(&self) -> Vec<Block> {
        self.seen.lock().unwrap().blocks.clone()
    }

    /// The logs seen so far, in chain order.
    pub fn logs(&self) -> Vec<SeenLog> {
        self.seen.lock().unwrap().logs.clone()
    }

    /// The first block seen after `at`.
    pub fn first_seen_after(&self, at: SystemTime) -> Option<Block> {
        let seen = self.seen.lock().unwrap();
        seen.blocks.iter().find(|b| b.seen > at).copied()
    }

    pub fn block(&self, number: u64) -> Option<Block> {
        let seen = self.seen.lock().unwrap();
        seen.blocks.iter().find(|b| b.number == number).copied()
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn new_blocks(
    provider: &DynProvider,
    contract: Address,
    from: u64,
    to: u64,
    seen: SystemTime,
) -> Result<(Vec<Block>, Vec<SeenLog>), String> {
    let mut blocks = Vec::new();
    for number in from..=to {
        let block = provider
            .get_block_by_number(BlockNumberOrTag::Number(number))
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("block {number} is missing"))?;
        blocks.push(Block {
            number,
            timestamp: block.header.timestamp,
            seen,
            gas_used: block.header.gas_used,
            gas_limit: block.header.gas_limit,
        });
    }
    let filter = Filter::new()
        .address(contract)
        .from_block(from)
        .to_block(to);
    let logs = provider
        .get_logs(&filter)
        .await
        .map_err(|e| e.to_string())?;
    let logs = logs
        .into_iter()
        .filter_map(|log| {
            let number = log.block_number?;
            let block = *blocks.iter().find(|b| b.number == number)?;
            Some(SeenLog { log, block })
        })
        .collect();
    Ok((blocks, logs))
}

/// The mean time between consecutive blocks of `blocks` (oldest first), by first-seen times and
/// by the blocks' timestamps, in seconds.
pub fn mean_interval(blocks: &[Block]) -> (f64, f64) {
    let (Some(first), Some(last)) = (blocks.first(), blocks.last()) else {
        return (0.0, 0.0);
    };
    let gaps = (blocks.len().max(2) - 1) as f64;
    let seen = last
        .seen
        .duration_since(first.seen)
        .unwrap_or_default()
        .as_secs_f64();
    let stamped = last.timestamp.saturating_sub(first.timestamp) as f64;
    (seen / gaps, stamped / gaps)
}

/// Seconds from `from` to `to`, negative when `to` came first.
pub fn seconds(from: SystemTime, to: SystemTime) -> f64 {
    match to.duration_since(from) {
        Ok(d) => d.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    }
}

/// One stage of a pipeline measured against the chain: per item, the time it took and the part
/// of it the chain imposed (waiting for blocks); `blocks` says how many, for the table.
pub struct Stage {
    pub name: String,
    pub blocks: String,
    pub took: Vec<f64>,
    pub chain: Vec<f64>,
}

/// Markdown rows (with header) of `stages`: p50 and p99 of the time taken, the chain's wait
/// (p50) and the overhead beyond it (taken less chain, per item: p50, p99).
pub fn stage_table(stages: &[Stage]) -> String {
    let p = |mut values: Vec<f64>| {
        values.sort_by(f64::total_cmp);
        let at = |q: f64| {
            let rank = ((values.len() as f64 - 1.0) * q).round() as usize;
            values.get(rank).copied().unwrap_or(f64::NAN)
        };
        (at(0.50), at(0.99))
    };
    let mut table = String::from(
        "| stage | p50 | p99 | chain's wait (blocks) | chain's wait p50 | our overhead p50 | our overhead p99 |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for stage in stages {
        let (took50, took99) = p(stage.took.clone());
        let (chain50, _) = p(stage.chain.clone());
        let over = stage.took.iter().zip(&stage.chain).map(|(t, c)| t - c);
        let (over50, over99) = p(over.collect());
        table.push_str(&format!(
            "| {} | {took50:.2} s | {took99:.2} s | {} | {chain50:.2} s | {over50:.2} s | {over99:.2} s |\n",
            stage.name, stage.blocks,
        ));
    }
    table
}
