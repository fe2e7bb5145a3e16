//! The accepted-blocks scan: re-reads `SetOrder` logs of blocks the L2 treats as final, from a
//! cursor stored in the DB, and starts any order the live inputs missed.

use super::{EscrowChains, EscrowError, orders, starters};
use crate::{chain::ChainError, store::Store};
use alloy::providers::Provider;
use hedgeflow_proto::{
    escrow::{OrderSource, ScanReport},
    ids,
};
use temporalio_sdk::activities::ActivityContext;
use tracing::info;

/// Blocks per step; the cursor is stored and a heartbeat sent after each.
const STEP: u64 = 5_000;

pub async fn scan(
    ctx: &ActivityContext,
    chains: &EscrowChains,
    store: &Store,
    starter: &starters::OrderStarter,
    chain_id: u64,
) -> Result<ScanReport, EscrowError> {
    let (l2, escrow) = chains.l2(chain_id)?;
    let cursor_name = ids::escrow_scan_schedule(chain_id);
    let head = l2
        .provider
        .get_block_number()
        .await
        .map_err(ChainError::rpc)?;
    let finalized = head.saturating_sub(escrow.finality_depth);
    let from_block = store
        .cursor(&cursor_name)
        .await?
        .map_or(escrow.start_block, |done| done + 1);
    let mut report = ScanReport {
        chain_id,
        from_block,
        to_block: from_block.saturating_sub(1),
        orders_seen: 0,
        started: 0,
    };
    let mut start = from_block;
    while start <= finalized {
        let end = finalized.min(start + STEP - 1);
        let found = orders::read_orders(l2, escrow.escrow, start, end, OrderSource::Scan).await?;
        report.orders_seen += found.len() as u32;
        for order_id in starter.start_all(&found).await? {
            report.started += 1;
            info!(
                order_id,
                "the scan found an order no live input had started"
            );
        }
        // Only past blocks whose every order now has a workflow.
        store.set_cursor(&cursor_name, end).await?;
        report.to_block = end;
        let _ = ctx.record_heartbeat(end).await;
        if ctx.is_cancelled() {
            return Err(EscrowError::Cancelled);
        }
        start = end + 1;
    }
    Ok(report)
}
