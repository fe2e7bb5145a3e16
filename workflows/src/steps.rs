//! Steps every pipeline takes the same way: an activity's failure as the reason stored with an
//! order, and a sent transaction waited out to its confirmations (or found reorganised away).

use crate::{
    failure,
    options::{self, Retries},
};
use hedgeflow_proto::{
    activities::ChainActivities,
    chain::{ConfirmedReceipt, FoundTx, ReceiptOutcome, WatchReceipt},
};
use std::future::Future;
use temporalio_common::error::ActivityExecutionError;
use temporalio_sdk::WorkflowContext;

/// Workflow time in Unix ms (deterministic: the time of the task being replayed).
pub(crate) fn now_ms<W>(ctx: &WorkflowContext<W>) -> u64 {
    ctx.workflow_time()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_millis() as u64)
}

/// Attempts of a step before its order is marked FAILED (about 15 s of back-off).
pub const STEP_ATTEMPTS: u32 = 5;

/// Resubmissions of a transaction reorganised out before the step fails.
pub(crate) const MAX_REORG_RESUBMITS: u32 = 5;

/// An activity's outcome as a step sees it: the value, or the reason to store with the order.
pub(crate) async fn step<T>(
    call: impl Future<Output = Result<T, ActivityExecutionError>>,
) -> Result<T, String> {
    call.await.map_err(|error| failure::reason(&error))
}

/// Waits for `tx`'s confirmations on `chain_id`, retrying the watch as `retries` says; `None`
/// when it was reorganised out (the caller looks at the chain again and resubmits the same
/// intent).
pub(crate) async fn confirm<W>(
    ctx: &WorkflowContext<W>,
    chain_id: u64,
    tx: &FoundTx,
    confirmations: u64,
    retries: Retries,
) -> Result<Option<ConfirmedReceipt>, String> {
    let watch = WatchReceipt {
        chain_id,
        tx_hash: tx.tx_hash,
        confirmations,
    };
    let outcome = step(ctx.execute_activity(
        ChainActivities::watch_receipt,
        watch,
        options::watch_chain(retries),
    ))
    .await?;
    Ok(match outcome {
        ReceiptOutcome::Confirmed(receipt) => Some(receipt),
        ReceiptOutcome::Reorged { .. } => None,
    })
}

pub(crate) fn reorged_too_often() -> String {
    format!(
        "transaction reorganised out {} times",
        MAX_REORG_RESUBMITS + 1
    )
}
