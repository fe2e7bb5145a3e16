//! The store's activities; the orchestrator registers them.

use super::Store;
use crate::failure::to_activity_error;
use hedgeflow_proto::{
    activities::definitions, escrow::EscrowRecord, intent::IntentRecord, rfq::fill::FillRecord,
    rfq::hedge::HedgeRecord, transfer::TransferRecord,
};
use std::sync::Arc;
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};
use tracing::{Instrument, info_span};

pub struct StoreWriter {
    store: Store,
}

impl StoreWriter {
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

#[activities]
impl StoreWriter {
    /// See [`definitions::RecordTransfer`]: idempotent upsert by workflow id.
    #[activity(definition = definitions::RecordTransfer)]
    pub async fn record_transfer(
        self: Arc<Self>,
        _ctx: ActivityContext,
        record: TransferRecord,
    ) -> Result<(), ActivityError> {
        let span = info_span!("record_transfer", workflow_id = %record.workflow_id, status = record.status.as_str());
        self.store
            .record_transfer(&record)
            .instrument(span)
            .await
            .map_err(to_activity_error)
    }

    /// See [`definitions::RecordEscrowOrder`]: idempotent upsert by workflow id; errors keyed by
    /// their sequence number.
    #[activity(definition = definitions::RecordEscrowOrder)]
    pub async fn record_escrow_order(
        self: Arc<Self>,
        _ctx: ActivityContext,
        record: EscrowRecord,
    ) -> Result<(), ActivityError> {
        let span = info_span!("record_escrow_order", order_id = %record.workflow_id, status = record.status.as_str());
        self.store
            .record_escrow_order(&record)
            .instrument(span)
            .await
            .map_err(to_activity_error)
    }

    /// See [`definitions::RecordRfqFill`]: the fill's status, transaction and reason on its
    /// quote's row; idempotent.
    #[activity(definition = definitions::RecordRfqFill)]
    pub async fn record_rfq_fill(
        self: Arc<Self>,
        _ctx: ActivityContext,
        record: FillRecord,
    ) -> Result<(), ActivityError> {
        let span = info_span!("record_rfq_fill", quote_id = %record.quote_id, status = record.status.as_str());
        self.store
            .record_rfq_fill(&record)
            .instrument(span)
            .await
            .map_err(to_activity_error)
    }

    /// See [`definitions::RecordHedge`]: the epoch's hedge and every covered quote's trade and
    /// P&L, in one transaction; idempotent.
    #[activity(definition = definitions::RecordHedge)]
    pub async fn record_hedge(
        self: Arc<Self>,
        _ctx: ActivityContext,
        record: HedgeRecord,
    ) -> Result<(), ActivityError> {
        let span = info_span!(
            "record_hedge",
            market = %record.market,
            client_order_id = %record.execution.client_order_id,
            quotes = record.quotes.len(),
        );
        self.store
            .record_hedge(&record)
            .instrument(span)
            .await
            .map_err(to_activity_error)
    }

    /// See [`definitions::RecordIntent`]: the intent quote's row and its hedger state history;
    /// idempotent.
    #[activity(definition = definitions::RecordIntent)]
    pub async fn record_intent(
        self: Arc<Self>,
        _ctx: ActivityContext,
        record: IntentRecord,
    ) -> Result<(), ActivityError> {
        let span = info_span!(
            "record_intent",
            quote_id = %record.intent.workflow_id(),
            state = record.state.as_str(),
        );
        self.store
            .record_intent(&record)
            .instrument(span)
            .await
            .map_err(to_activity_error)
    }
}
