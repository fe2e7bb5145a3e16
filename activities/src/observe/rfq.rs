//! The RFQ pipeline's fills and hedges (`hedgeflow_rfq_*`): what the dashboards and ops read
//! to see fills settle and the hedger keep its net flat.

use super::{Registry, record, record_one};
use hedgeflow_proto::{rfq::fill::FillRecord, rfq::hedge::HedgeRecord};
use rust_decimal::prelude::ToPrimitive;
use temporalio_common::telemetry::metrics::{Counter, GaugeF64};
use tracing::info;

pub(super) struct Metrics {
    fills: Counter,
    hedges: Counter,
    carry: GaugeF64,
}

impl Metrics {
    pub(super) fn register(r: &mut Registry) -> Self {
        Self {
            fills: r.counter(
                "hedgeflow_rfq_fills",
                "Fill statuses the fill workflow stored (label status: fill requested, fill \
                 rejected, fill submitted, filled, unhedged, fill failed); hedged fills are \
                 counted by hedgeflow_rfq_hedges",
            ),
            hedges: r.counter(
                "hedgeflow_rfq_hedges",
                "Hedge epochs stored, by the exchange's final order status (label status)",
            ),
            carry: r.gauge_f64(
                "hedgeflow_rfq_hedge_carry",
                "Base quantity a market's last hedge left unhedged, carried to its next epoch \
                 (label market; positive: to buy)",
            ),
        }
    }
}

/// A fill's status was stored on its quote's row.
pub fn rfq_fill_recorded(fill: &FillRecord) {
    let status = fill.status.as_str();
    info!(quote_id = %fill.quote_id, status, "fill status recorded");
    record_one(&[("status", status)], |m| &m.rfq.fills);
}

/// An epoch's hedge was stored.
pub fn rfq_hedge_recorded(hedge: &HedgeRecord) {
    let execution = &hedge.execution;
    info!(
        market = %hedge.market,
        epoch = hedge.epoch,
        client_order_id = %execution.client_order_id,
        status = %execution.status,
        carried_out = %hedge.carried_out,
        "hedge recorded"
    );
    let status = execution.status.to_ascii_lowercase();
    record_one(&[("status", status.as_str())], |m| &m.rfq.hedges);
    let carry = hedge.carried_out.to_f64().unwrap_or_default();
    record(&[("market", hedge.market.as_str())], |m, labels| {
        m.rfq.carry.record(carry, labels);
    });
}
