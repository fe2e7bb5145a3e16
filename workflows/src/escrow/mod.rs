//! The bridge market maker's escrow pipeline:
//!
//! - [`order`]: one workflow per L2 order, from detection to the release of our funds on L2;
//! - [`claims`]: one long-lived claim batcher per L2, so ready claims share a transaction;
//! - [`scan`]: the accepted-blocks scan a Temporal Schedule runs, so no order is ever lost.

pub mod claims;
pub mod order;
pub mod scan;

use crate::{
    failure,
    options::{self, Retries},
};
use hedgeflow_proto::{
    activities::ChainActivities,
    chain::{ReceiptOutcome, WatchReceipt},
    escrow::FoundTx,
};
use std::future::Future;
use temporalio_common::error::ActivityExecutionError;
use temporalio_sdk::WorkflowContext;

/// Attempts of a step before its order is marked FAILED (about 15 s of back-off).
pub const STEP_ATTEMPTS: u32 = 5;

/// Resubmissions of a transaction reorganised out before the step fails.
const MAX_REORG_RESUBMITS: u32 = 5;

/// An activity's outcome as a step sees it: the value, or the reason to store with the order.
async fn step<T>(
    call: impl Future<Output = Result<T, ActivityExecutionError>>,
) -> Result<T, String> {
    call.await.map_err(|error| failure::reason(&error))
}

/// Waits for `tx`'s confirmations on `chain_id`; `None` when it was reorganised out (the caller
/// looks at the chain again and resubmits the same intent).
async fn confirm<W>(
    ctx: &WorkflowContext<W>,
    chain_id: u64,
    tx: FoundTx,
    confirmations: u64,
) -> Result<Option<FoundTx>, String> {
    let watch = WatchReceipt {
        chain_id,
        tx_hash: tx.tx_hash,
        confirmations,
    };
    let outcome = step(ctx.execute_activity(
        ChainActivities::watch_receipt,
        watch,
        options::watch_chain(Retries::Attempts(STEP_ATTEMPTS)),
    ))
    .await?;
    Ok(match outcome {
        ReceiptOutcome::Confirmed(receipt) => Some(FoundTx {
            tx_hash: receipt.tx_hash,
            block_number: receipt.block_number,
        }),
        ReceiptOutcome::Reorged { .. } => None,
    })
}

fn reorged_too_often() -> String {
    format!(
        "transaction reorganised out {} times",
        MAX_REORG_RESUBMITS + 1
    )
}
