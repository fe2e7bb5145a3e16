//! Activity signatures. Implementations live in `activities/` and name these with
//! `#[activity(definition = ...)]`, so the compiler checks that both sides agree on types.
//!
//! Each doc says where the activity runs, whether it is idempotent and what a retry does.

#![allow(clippy::unused_async)]

use crate::{
    chain::{ReceiptOutcome, SubmittedTx, TxIntent, WatchReceipt},
    transfer::{TransferPlan, TransferRecord, TransferRequest},
};
use temporalio_macros::activity_definitions;
use temporalio_sdk::activities::ActivityError;

/// Activities that need the signing key. Task queue [`crate::queues::HOT_WALLET`].
pub struct HotWalletActivities;

#[activity_definitions]
impl HotWalletActivities {
    /// Signs and broadcasts `intent`, replaces it with a higher fee while it is stuck, and returns
    /// once one of its transactions is included in a block. Heartbeats while waiting.
    ///
    /// Idempotent by `intent.intent_key`: every signed transaction is journaled before it is
    /// broadcast, so a retry after a crash (before or after the broadcast) finds the journaled
    /// transaction, rebroadcasts it if the chain does not know it, and waits for it; it never
    /// signs a new transaction for an intent that already has one. Fails non-retryably when the
    /// call would revert or the wallet cannot pay for it (nothing is signed then).
    #[activity]
    pub fn submit_transaction(intent: TxIntent) -> Result<SubmittedTx, ActivityError> {
        unimplemented!()
    }
}

/// Chain reads that need no secret. Task queue [`crate::queues::ORCHESTRATOR`].
pub struct ChainActivities;

#[activity_definitions]
impl ChainActivities {
    /// Waits for the receipt to reach the requested confirmations, heartbeating each new block.
    /// Read-only, so any retry is safe. A reverted transaction fails non-retryably; a receipt that
    /// disappears (reorg) returns [`ReceiptOutcome::Reorged`].
    #[activity]
    pub fn watch_receipt(watch: WatchReceipt) -> Result<ReceiptOutcome, ActivityError> {
        unimplemented!()
    }

    /// Resolves a transfer request against the configured tokens and the chain: known chain and
    /// token, non-zero amount within the hot wallet's balance. Read-only. Invalid requests fail
    /// non-retryably with the reason.
    #[activity]
    pub fn plan_transfer(request: TransferRequest) -> Result<TransferPlan, ActivityError> {
        unimplemented!()
    }
}

/// Our database. Task queue [`crate::queues::ORCHESTRATOR`] (the only role with DB credentials).
pub struct StoreActivities;

#[activity_definitions]
impl StoreActivities {
    /// Upserts the transfer's row by workflow id and appends the status to its history.
    /// Idempotent: recording the same status twice leaves one history entry.
    #[activity]
    pub fn record_transfer(record: TransferRecord) -> Result<(), ActivityError> {
        unimplemented!()
    }
}

/// The marker type of each activity, for `#[activity(definition = definitions::…)]` in the
/// implementing crate (the macro's own modules are private to this one).
pub mod definitions {
    pub use super::chain_activities::{PlanTransfer, WatchReceipt};
    pub use super::hot_wallet_activities::SubmitTransaction;
    pub use super::store_activities::RecordTransfer;
}
