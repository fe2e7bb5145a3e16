//! Steps every pipeline takes the same way: an activity's failure as the reason stored with an
//! order, and a sent transaction waited out to its confirmations (or found reorganised away).

use crate::{
    failure,
    options::{self, Retries},
};
use hedgeflow_proto::{
    activities::{ChainActivities, HotWalletActivities},
    chain::{ConfirmedReceipt, FoundTx, ReceiptOutcome, SubmittedTx, TxIntent, WatchReceipt},
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

/// Sends `intent` from the hot wallet and waits for its confirmations: `Ok` only for a
/// transaction mined, successful and still canonical. A revert is an `Err` (the hot wallet
/// and the receipt watcher both refuse to call it sent), and a transaction reorganised out is
/// resubmitted under the same intent, which rebroadcasts the very same signed transaction.
pub(crate) async fn transact<W>(
    ctx: &WorkflowContext<W>,
    intent: &TxIntent,
    confirmations: u64,
    retries: Retries,
) -> Result<ConfirmedReceipt, String> {
    for _ in 0..=MAX_REORG_RESUBMITS {
        let mined = FoundTx::from(&submit(ctx, intent, retries).await?);
        if let Some(receipt) = confirm(ctx, intent.chain_id, &mined, confirmations, retries).await?
        {
            return Ok(receipt);
        }
    }
    Err(reorged_too_often())
}

/// Why a transaction step has no successful transaction.
#[derive(Debug)]
pub(crate) struct TxFailure {
    /// What to store with the order.
    pub reason: String,
    /// The transaction, when it was mined and reverted (`None`: refused, nothing mined).
    pub reverted: Option<FoundTx>,
}

impl From<TxFailure> for String {
    fn from(failure: TxFailure) -> Self {
        failure.reason
    }
}

/// The hot wallet's `submit_transaction`: the transaction in a block and successful, or why it
/// is not (refused in simulation, or mined and reverted). Does not wait for confirmations.
pub(crate) async fn submit<W>(
    ctx: &WorkflowContext<W>,
    intent: &TxIntent,
    retries: Retries,
) -> Result<SubmittedTx, TxFailure> {
    ctx.execute_activity(
        HotWalletActivities::submit_transaction,
        intent.clone(),
        options::submit_transaction(retries),
    )
    .await
    .map_err(|error| TxFailure {
        reason: failure::reason(&error),
        reverted: failure::reverted(&error),
    })
}

pub(crate) fn reorged_too_often() -> String {
    format!(
        "transaction reorganised out {} times",
        MAX_REORG_RESUBMITS + 1
    )
}
