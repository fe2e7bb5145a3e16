//! What the activities report: each function is an event, logged with its ids and counted.
//!
//! Metrics go through the Temporal runtime's meter, so they are served on the same Prometheus
//! endpoint as the SDK's worker metrics. A process that installs no meter still logs.

use crate::chain::journal::JournalEntry;
use hedgeflow_proto::{
    chain::ConfirmedReceipt,
    escrow::{EscrowRecord, EscrowStatus},
    transfer::TransferRecord,
};
use std::sync::OnceLock;
use temporalio_common::telemetry::metrics::{CoreMeter, Counter, CounterBase, MetricParameters};
use tracing::{info, warn};

struct Metrics {
    signed: Counter,
    replaced: Counter,
    broadcast: Counter,
    included: Counter,
    confirmed: Counter,
    reverted: Counter,
    reorged: Counter,
    transfers_recorded: Counter,
    escrow_orders_started: Counter,
    escrow_orders_finished: Counter,
    escrow_orders_failed: Counter,
    escrow_claims_sent: Counter,
    intent_mismatches: Counter,
}

static METRICS: OnceLock<Metrics> = OnceLock::new();

/// Registers hedgeflow's metrics on the runtime's meter; call once per process.
pub fn install_metrics(meter: &dyn CoreMeter) {
    let counter = |name: &'static str, description: &'static str| {
        meter.counter(
            MetricParameters::builder()
                .name(name)
                .description(description)
                .build(),
        )
    };
    let _ = METRICS.set(Metrics {
        signed: counter(
            "hedgeflow_transactions_signed",
            "Transactions signed by the hot wallet",
        ),
        replaced: counter(
            "hedgeflow_transactions_replaced",
            "Stuck transactions replaced with a higher fee",
        ),
        broadcast: counter(
            "hedgeflow_transactions_broadcast",
            "Signed transactions sent to the providers",
        ),
        included: counter(
            "hedgeflow_transactions_included",
            "Submitted transactions seen in a block",
        ),
        confirmed: counter(
            "hedgeflow_receipts_confirmed",
            "Receipts that reached their confirmations",
        ),
        reverted: counter(
            "hedgeflow_receipts_reverted",
            "Receipts with a failed status",
        ),
        reorged: counter(
            "hedgeflow_receipts_reorged",
            "Receipts that disappeared in a reorg",
        ),
        transfers_recorded: counter(
            "hedgeflow_transfers_recorded",
            "Treasury transfer stages stored",
        ),
        escrow_orders_started: counter(
            "hedgeflow_escrow_orders_started",
            "Escrow order workflows started by the indexer or the scan",
        ),
        escrow_orders_finished: counter(
            "hedgeflow_escrow_orders_finished",
            "Escrow orders COMPLETED or DROPPED",
        ),
        escrow_orders_failed: counter(
            "hedgeflow_escrow_orders_failed",
            "Escrow order steps that exhausted their retries (order FAILED)",
        ),
        escrow_claims_sent: counter(
            "hedgeflow_escrow_claims_planned",
            "Escrow orders put into a claim transaction",
        ),
        intent_mismatches: counter(
            "hedgeflow_intent_position_mismatches",
            "Disagreements the intent position validator found between DB, chain and broker",
        ),
    });
}

fn count(pick: impl FnOnce(&Metrics) -> &Counter) {
    if let Some(metrics) = METRICS.get() {
        pick(metrics).adds(1);
    }
}

pub fn transaction_signed(entry: &JournalEntry, attempt: usize) {
    info!(chain_id = entry.chain_id, nonce = entry.nonce, tx = %entry.tx_hash, attempt, "transaction signed and journaled");
    count(|m| if attempt > 1 { &m.replaced } else { &m.signed });
}

pub fn transaction_broadcast(entry: &JournalEntry) {
    info!(chain_id = entry.chain_id, nonce = entry.nonce, tx = %entry.tx_hash, "transaction broadcast");
    count(|m| &m.broadcast);
}

pub fn transaction_included(entry: &JournalEntry, block_number: u64) {
    info!(chain_id = entry.chain_id, nonce = entry.nonce, tx = %entry.tx_hash, block_number, "transaction included");
    count(|m| &m.included);
}

pub fn receipt_confirmed(receipt: &ConfirmedReceipt) {
    info!(tx = %receipt.tx_hash, block_number = receipt.block_number, confirmations = receipt.confirmations, "receipt confirmed");
    count(|m| &m.confirmed);
}

pub fn receipt_reverted(tx: &alloy::primitives::B256, block_number: u64) {
    warn!(%tx, block_number, "transaction reverted");
    count(|m| &m.reverted);
}

pub fn receipt_reorged(tx: &alloy::primitives::B256, last_seen_block: u64) {
    warn!(%tx, last_seen_block, "receipt disappeared: block reorganised away");
    count(|m| &m.reorged);
}

pub fn transfer_recorded(record: &TransferRecord) {
    info!(workflow_id = %record.workflow_id, status = record.status.as_str(), error = record.error.as_deref(), "transfer recorded");
    count(|m| &m.transfers_recorded);
}

pub fn escrow_order_recorded(record: &EscrowRecord) {
    let status = record.status;
    match status {
        EscrowStatus::Failed => {
            warn!(order_id = %record.workflow_id, status = status.as_str(), detail = record.detail.as_deref(), "escrow order failed");
            count(|m| &m.escrow_orders_failed);
        }
        EscrowStatus::Completed | EscrowStatus::Dropped => {
            info!(order_id = %record.workflow_id, status = status.as_str(), detail = record.detail.as_deref(), "escrow order finished");
            count(|m| &m.escrow_orders_finished);
        }
        _ => info!(order_id = %record.workflow_id, status = status.as_str(), "escrow order status"),
    }
}

pub fn escrow_order_started(order_id: &str, source: &str) {
    info!(order_id, source, "escrow order workflow started");
    count(|m| &m.escrow_orders_started);
}

pub fn escrow_claims_planned(chain_id: u64, orders: usize) {
    info!(chain_id, orders, "escrow claim batch planned");
    if let Some(metrics) = METRICS.get() {
        metrics.escrow_claims_sent.adds(orders as u64);
    }
}

/// The position validator's alert: our DB and the chain or the broker disagree.
pub fn position_mismatch(mismatch: &hedgeflow_proto::intent::Mismatch) {
    warn!(
        event = "position_mismatch",
        subject = mismatch.subject,
        against = mismatch.against,
        ours = %mismatch.ours,
        theirs = %mismatch.theirs,
        detail = mismatch.detail,
        "position mismatch"
    );
    count(|m| &m.intent_mismatches);
}
