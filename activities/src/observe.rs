//! What the activities report: each function is an event, logged with its ids and counted.
//!
//! Metrics go through the Temporal runtime's meter, so they are served on the same Prometheus
//! endpoint as the SDK's worker metrics (counters keep their names: no `_total` suffix). A
//! process that installs no meter still logs. Every instrument is created through one
//! [`Registry`], so [`metric_names`] is exactly what a process can serve; the alert rules in
//! `deploy/prometheus/alerts.yml` are tested against it and cannot name a metric that is gone.
//!
//! - this file: the hot wallet's transactions, receipts, transfers and escrow orders;
//! - [`intent`]: the intent hedger's steps, chain events, validator, price signer and
//!   allocation health (`hedgeflow_intent_*`);
//! - [`broker`]: the futures broker's orders and failed requests (`hedgeflow_broker_*`);
//! - [`rpc`]: the chain providers (`hedgeflow_rpc_*`);
//! - [`rfq`]: the RFQ pipeline's fills and hedges (`hedgeflow_rfq_*`).

mod broker;
#[cfg(test)]
mod dashboards_test;
mod intent;
mod rfq;
mod rpc;
#[cfg(test)]
mod rules_test;

pub use broker::*;
pub use intent::*;
pub use rfq::*;
pub use rpc::*;

use crate::chain::journal::JournalEntry;
use hedgeflow_proto::{
    chain::ConfirmedReceipt,
    escrow::{EscrowRecord, EscrowStatus},
    transfer::TransferRecord,
};
use std::sync::{Arc, OnceLock};
use temporalio_common::telemetry::metrics::{
    CoreMeter, Counter, CounterBase, Gauge, GaugeF64, MetricAttributes, MetricKeyValue,
    MetricParameters, NewAttributes, NoOpCoreMeter,
};
use tracing::{info, warn};

/// The hot wallet's, the receipts' and the escrow pipeline's counters.
struct Core {
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
    policy_refusals: Counter,
}

impl Core {
    fn register(r: &mut Registry) -> Self {
        Self {
            signed: r.counter(
                "hedgeflow_transactions_signed",
                "Transactions signed by the hot wallet",
            ),
            replaced: r.counter(
                "hedgeflow_transactions_replaced",
                "Stuck transactions replaced with a higher fee",
            ),
            broadcast: r.counter(
                "hedgeflow_transactions_broadcast",
                "Signed transactions sent to the providers",
            ),
            included: r.counter(
                "hedgeflow_transactions_included",
                "Submitted transactions seen in a block",
            ),
            confirmed: r.counter(
                "hedgeflow_receipts_confirmed",
                "Receipts that reached their confirmations",
            ),
            reverted: r.counter(
                "hedgeflow_receipts_reverted",
                "Receipts with a failed status",
            ),
            reorged: r.counter(
                "hedgeflow_receipts_reorged",
                "Receipts that disappeared in a reorg",
            ),
            transfers_recorded: r.counter(
                "hedgeflow_transfers_recorded",
                "Treasury transfer stages stored",
            ),
            escrow_orders_started: r.counter(
                "hedgeflow_escrow_orders_started",
                "Escrow order workflows started by the indexer or the scan",
            ),
            escrow_orders_finished: r.counter(
                "hedgeflow_escrow_orders_finished",
                "Escrow orders COMPLETED or DROPPED",
            ),
            escrow_orders_failed: r.counter(
                "hedgeflow_escrow_orders_failed",
                "Escrow order steps that exhausted their retries (order FAILED)",
            ),
            escrow_claims_sent: r.counter(
                "hedgeflow_escrow_claims_planned",
                "Escrow orders put into a claim transaction",
            ),
            policy_refusals: r.counter(
                "hedgeflow_policy_refusals",
                "Transactions the hot wallet's policy refused to sign, by rule",
            ),
        }
    }
}

/// Every instrument of a process.
struct Instruments {
    core: Core,
    intent: intent::Metrics,
    broker: broker::Metrics,
    rpc: rpc::Metrics,
    rfq: rfq::Metrics,
}

impl Instruments {
    fn register(r: &mut Registry) -> Self {
        Self {
            core: Core::register(r),
            intent: intent::Metrics::register(r),
            broker: broker::Metrics::register(r),
            rpc: rpc::Metrics::register(r),
            rfq: rfq::Metrics::register(r),
        }
    }
}

/// The instruments and the meter whose attributes (labels) they accept.
struct Installed {
    meter: Arc<dyn CoreMeter>,
    instruments: Instruments,
}

static INSTALLED: OnceLock<Installed> = OnceLock::new();

/// Creates instruments on a meter and remembers their names: the one way metrics are made.
struct Registry<'a> {
    meter: &'a dyn CoreMeter,
    names: Vec<&'static str>,
}

impl<'a> Registry<'a> {
    fn new(meter: &'a dyn CoreMeter) -> Self {
        Self {
            meter,
            names: Vec::new(),
        }
    }

    fn parameters(&mut self, name: &'static str, help: &'static str) -> MetricParameters {
        self.names.push(name);
        MetricParameters::builder()
            .name(name)
            .description(help)
            .build()
    }

    fn counter(&mut self, name: &'static str, help: &'static str) -> Counter {
        let parameters = self.parameters(name, help);
        self.meter.counter(parameters)
    }

    fn gauge(&mut self, name: &'static str, help: &'static str) -> Gauge {
        let parameters = self.parameters(name, help);
        self.meter.gauge(parameters)
    }

    fn gauge_f64(&mut self, name: &'static str, help: &'static str) -> GaugeF64 {
        let parameters = self.parameters(name, help);
        self.meter.gauge_f64(parameters)
    }
}

/// Registers hedgeflow's metrics on the runtime's meter; call once per process.
pub fn install_metrics(meter: Arc<dyn CoreMeter>) {
    let instruments = Instruments::register(&mut Registry::new(meter.as_ref()));
    let _ = INSTALLED.set(Installed { meter, instruments });
}

/// The Temporal SDK's worker metrics the dashboards read, as a worker's `/metrics` serves them
/// next to ours (the end-to-end transfer test sees each one in a real scrape).
pub const TEMPORAL_SDK_METRICS: [&str; 5] = [
    "temporal_workflow_failed",
    "temporal_workflow_endtoend_latency_bucket",
    "temporal_workflow_endtoend_latency_count",
    "temporal_activity_execution_latency_bucket",
    "temporal_activity_execution_failed",
];

/// The name of every metric [`install_metrics`] registers, as Prometheus serves it.
pub fn metric_names() -> Vec<&'static str> {
    let mut registry = Registry::new(&NoOpCoreMeter);
    Instruments::register(&mut registry);
    registry.names
}

fn count(pick: impl FnOnce(&Instruments) -> &Counter) {
    if let Some(installed) = INSTALLED.get() {
        pick(&installed.instruments).adds(1);
    }
}

/// Records through `emit` with `labels` (made by the installed meter, the only kind its
/// instruments accept). Label values are ours, never secrets.
fn record(labels: &[(&'static str, &str)], emit: impl FnOnce(&Instruments, &MetricAttributes)) {
    if let Some(installed) = INSTALLED.get() {
        let labels = labels
            .iter()
            .map(|(key, value)| MetricKeyValue::new(*key, (*value).to_owned()))
            .collect::<Vec<_>>();
        let attributes = installed.meter.new_attributes(NewAttributes::new(labels));
        emit(&installed.instruments, &attributes);
    }
}

/// Adds one to the counter `pick` chooses, with `labels`.
fn record_one(labels: &[(&'static str, &str)], pick: impl FnOnce(&Instruments) -> &Counter) {
    record(labels, |m, a| pick(m).add(1, a));
}

pub fn transaction_signed(entry: &JournalEntry, attempt: usize) {
    info!(chain_id = entry.chain_id, nonce = entry.nonce, tx = %entry.tx_hash, attempt, "transaction signed and journaled");
    count(|m| {
        if attempt > 1 {
            &m.core.replaced
        } else {
            &m.core.signed
        }
    });
}

pub fn policy_refused(intent_key: &str, refusal: &crate::policy::Refusal) {
    warn!(intent = intent_key, rule = %refusal.rule, reason = %refusal.reason, "policy refused the transaction; nothing signed");
    record_one(&[("rule", &refusal.rule)], |m| &m.core.policy_refusals);
}

pub fn transaction_broadcast(entry: &JournalEntry) {
    info!(chain_id = entry.chain_id, nonce = entry.nonce, tx = %entry.tx_hash, "transaction broadcast");
    count(|m| &m.core.broadcast);
}

pub fn transaction_included(entry: &JournalEntry, block_number: u64) {
    info!(chain_id = entry.chain_id, nonce = entry.nonce, tx = %entry.tx_hash, block_number, "transaction included");
    count(|m| &m.core.included);
}

pub fn receipt_confirmed(receipt: &ConfirmedReceipt) {
    info!(tx = %receipt.tx_hash, block_number = receipt.block_number, confirmations = receipt.confirmations, "receipt confirmed");
    count(|m| &m.core.confirmed);
}

pub fn receipt_reverted(tx: &alloy::primitives::B256, block_number: u64) {
    warn!(%tx, block_number, "transaction reverted");
    count(|m| &m.core.reverted);
}

pub fn receipt_reorged(tx: &alloy::primitives::B256, last_seen_block: u64) {
    warn!(%tx, last_seen_block, "receipt disappeared: block reorganised away");
    count(|m| &m.core.reorged);
}

pub fn transfer_recorded(record: &TransferRecord) {
    info!(workflow_id = %record.workflow_id, status = record.status.as_str(), error = record.error.as_deref(), "transfer recorded");
    count(|m| &m.core.transfers_recorded);
}

pub fn escrow_order_recorded(record: &EscrowRecord) {
    let status = record.status;
    match status {
        EscrowStatus::Failed => {
            warn!(order_id = %record.workflow_id, status = status.as_str(), detail = record.detail.as_deref(), "escrow order failed");
            count(|m| &m.core.escrow_orders_failed);
        }
        EscrowStatus::Completed | EscrowStatus::Dropped => {
            info!(order_id = %record.workflow_id, status = status.as_str(), detail = record.detail.as_deref(), "escrow order finished");
            count(|m| &m.core.escrow_orders_finished);
        }
        _ => info!(order_id = %record.workflow_id, status = status.as_str(), "escrow order status"),
    }
}

pub fn escrow_order_started(order_id: &str, source: &str) {
    info!(order_id, source, "escrow order workflow started");
    count(|m| &m.core.escrow_orders_started);
}

pub fn escrow_claims_planned(chain_id: u64, orders: usize) {
    info!(chain_id, orders, "escrow claim batch planned");
    if let Some(installed) = INSTALLED.get() {
        installed
            .instruments
            .core
            .escrow_claims_sent
            .adds(orders as u64);
    }
}
