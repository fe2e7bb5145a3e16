//! The intent hedger's events: each quote's steps and transactions, the chain events the indexer
//! hands to the workflows, the position validator, the price signer and party A's allocation
//! health. Labels are bounded sets (states, steps, event kinds), except `party_a`: one series per
//! party A the hedger serves.

use super::{Registry, record, record_one};
use hedgeflow_proto::intent::{
    HedgerState, IntentEvent, IntentRecord, Mismatch, PriceRequest, SignedPrice, ValidationReport,
};
use std::time::{SystemTime, UNIX_EPOCH};
use temporalio_common::telemetry::metrics::{Counter, Gauge, GaugeF64};
use tracing::{debug, info, warn};

pub(super) struct Metrics {
    steps: Counter,
    finished: Counter,
    transactions: Counter,
    events: Counter,
    validations: Counter,
    mismatches: Counter,
    in_state: Gauge,
    oldest_in_state: Gauge,
    states_observed_at: Gauge,
    webhook: Counter,
    price_signatures: Counter,
    clock_skew: GaugeF64,
    health: GaugeF64,
    below_threshold: Gauge,
}

impl Metrics {
    pub(super) fn register(r: &mut Registry) -> Self {
        Self {
            steps: r.counter(
                "hedgeflow_intent_steps",
                "Hedger states entered by intent quotes (label state), counted once per change",
            ),
            finished: r.counter(
                "hedgeflow_intent_quotes_finished",
                "Intent quotes that reached a final hedger state (label state)",
            ),
            transactions: r.counter(
                "hedgeflow_intent_transactions",
                "Party-B transactions of the hedger included on chain, by step (label step)",
            ),
            events: r.counter(
                "hedgeflow_intent_events",
                "IntentBook events handed to their quote's workflow (labels kind, source)",
            ),
            validations: r.counter(
                "hedgeflow_intent_validations",
                "Position validator runs (label outcome: consistent or mismatches)",
            ),
            mismatches: r.counter(
                "hedgeflow_intent_position_mismatches",
                "Disagreements the intent position validator found between DB, chain and broker \
                 (label against)",
            ),
            in_state: r.gauge(
                "hedgeflow_intent_quotes_in_state",
                "Intent quotes in each non-final hedger state, as of the last validator run \
                 (label state)",
            ),
            oldest_in_state: r.gauge(
                "hedgeflow_intent_oldest_in_state_seconds",
                "Seconds since the oldest quote in each non-final hedger state was last recorded, \
                 as of the last validator run (label state)",
            ),
            states_observed_at: r.gauge(
                "hedgeflow_intent_states_observed_at_seconds",
                "Unix time of the last validator run that set the in-state gauges",
            ),
            webhook: r.counter(
                "hedgeflow_intent_mismatch_webhook",
                "Mismatch webhook deliveries (label outcome: delivered or failed)",
            ),
            price_signatures: r.counter(
                "hedgeflow_intent_price_signatures",
                "Prices signed by the price signer (label outcome: signed or failed)",
            ),
            clock_skew: r.gauge_f64(
                "hedgeflow_chain_clock_skew_seconds",
                "How far the chain's latest block time is behind the price signer's clock, in \
                 seconds (negative: ahead), as read when it signs (label chain_id)",
            ),
            health: r.gauge_f64(
                "hedgeflow_intent_allocation_health",
                "Party A's allocation health as the balance manager last computed it \
                 (label party_a)",
            ),
            below_threshold: r.gauge(
                "hedgeflow_intent_allocation_below_threshold",
                "1 while party A's allocation health is below the configured threshold, else 0 \
                 (label party_a)",
            ),
        }
    }
}

/// States a quote ends in: its workflow is done.
const FINAL: [HedgerState; 6] = [
    HedgerState::Rejected,
    HedgerState::Closed,
    HedgerState::Canceled,
    HedgerState::Expired,
    HedgerState::Lost,
    HedgerState::Replaced,
];

/// The states a quote should pass through in seconds or minutes: `opened` is not one (a position
/// waits for party A), nor are the final ones. The validator reports their ages for the
/// stuck-quote alert.
pub const TRANSIENT_STATES: [HedgerState; 7] = [
    HedgerState::Seen,
    HedgerState::Locking,
    HedgerState::Locked,
    HedgerState::OpeningOnBroker,
    HedgerState::OpeningOnChain,
    HedgerState::ClosingOnBroker,
    HedgerState::ClosingOnChain,
];

/// The state as a label value (`opening_on_broker`).
fn state_label(state: HedgerState) -> String {
    state.as_str().replace(' ', "_")
}

/// A transaction step without its ordinal (`close-2` → `close`), so the label set stays small.
fn step_label(step: &str) -> &str {
    step.trim_end_matches(|c: char| c.is_ascii_digit())
        .trim_end_matches('-')
}

/// A quote's row was stored. `previous` is the state the row held before and `known` how many of
/// the record's transactions it held: a repeated record (a retry, or the same state saved again)
/// counts nothing, so the counters follow the quote rather than the activity's attempts.
pub fn intent_recorded(record: &IntentRecord, previous: Option<&str>, known: usize) {
    let workflow_id = record.intent.workflow_id();
    for (step, tx) in record.transactions.iter().skip(known) {
        info!(quote_id = %workflow_id, step, %tx, "intent transaction recorded");
        record_one(&[("step", step_label(step))], |m| &m.intent.transactions);
    }
    if previous == Some(record.state.as_str()) {
        return;
    }
    let state = state_label(record.state);
    if FINAL.contains(&record.state) {
        info!(quote_id = %workflow_id, state = record.state.as_str(), reason = record.reason.as_deref(), "intent quote finished");
        record_one(&[("state", state.as_str())], |m| &m.intent.finished);
    } else {
        info!(quote_id = %workflow_id, state = record.state.as_str(), "intent quote step");
    }
    record_one(&[("state", state.as_str())], |m| &m.intent.steps);
}

/// A chain input saw an event of a quote and hands it to the quote's workflow.
pub fn intent_event_seen(workflow_id: &str, event: &IntentEvent) {
    debug!(quote_id = %workflow_id, kind = ?event.kind, source = ?event.source, "quote event");
    let kind = format!("{:?}", event.kind);
    let source = format!("{:?}", event.source).to_lowercase();
    record_one(
        &[("kind", kind.as_str()), ("source", source.as_str())],
        |m| &m.intent.events,
    );
}

/// One validator run's result: counted, and each mismatch logged and counted.
pub fn positions_validated(chain_id: u64, report: &ValidationReport) {
    let outcome = if report.mismatches.is_empty() {
        debug!(
            chain_id,
            quotes = report.quotes,
            symbols = report.symbols,
            "positions consistent"
        );
        "consistent"
    } else {
        "mismatches"
    };
    record_one(&[("outcome", outcome)], |m| &m.intent.validations);
    for mismatch in &report.mismatches {
        position_mismatch(mismatch);
    }
}

/// The position validator's alert: our DB and the chain or the broker disagree.
pub fn position_mismatch(mismatch: &Mismatch) {
    warn!(
        event = "position_mismatch",
        subject = mismatch.subject,
        against = mismatch.against,
        ours = %mismatch.ours,
        theirs = %mismatch.theirs,
        detail = mismatch.detail,
        "position mismatch"
    );
    record_one(&[("against", mismatch.against.as_str())], |m| {
        &m.intent.mismatches
    });
}

/// How many quotes sit in each transient state and for how long the oldest has (seconds), as
/// the validator read them from the DB. Every state of [`TRANSIENT_STATES`] is set, zero when
/// empty, so a state that drains stops alerting.
pub fn intent_states_observed(states: &[(HedgerState, u64, u64)]) {
    for state in TRANSIENT_STATES {
        let (quotes, oldest) = states
            .iter()
            .find(|(s, _, _)| *s == state)
            .map_or((0, 0), |(_, quotes, oldest)| (*quotes, *oldest));
        if quotes > 0 {
            debug!(
                state = state.as_str(),
                quotes,
                oldest_secs = oldest,
                "quotes in flight"
            );
        }
        let label = state_label(state);
        record(&[("state", label.as_str())], |m, a| {
            m.intent.in_state.record(quotes, a);
            m.intent.oldest_in_state.record(oldest, a);
        });
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    record(&[], |m, a| m.intent.states_observed_at.record(now, a));
}

/// The mismatch webhook took a run's mismatches.
pub fn mismatches_notified(chain_id: u64, mismatches: usize) {
    info!(chain_id, mismatches, "mismatch webhook delivered");
    record_one(&[("outcome", "delivered")], |m| &m.intent.webhook);
}

/// The mismatch webhook refused or did not answer (the activity is retried).
pub fn mismatch_webhook_failed(chain_id: u64, attempt: u32, error: &dyn std::fmt::Display) {
    warn!(chain_id, attempt, %error, "mismatch webhook failed");
    record_one(&[("outcome", "failed")], |m| &m.intent.webhook);
}

/// The price signer signed (or failed to sign) a mark price.
pub fn price_signed<E: std::fmt::Display>(request: &PriceRequest, signed: &Result<SignedPrice, E>) {
    let outcome = match signed {
        Ok(price) => {
            info!(symbol = %request.symbol, price = %price.price, timestamp = price.timestamp, "price signed");
            "signed"
        }
        Err(error) => {
            warn!(symbol = %request.symbol, %error, "price not signed");
            "failed"
        }
    };
    record_one(&[("outcome", outcome)], |m| &m.intent.price_signatures);
}

/// The chain's clock against ours when a price was signed with the chain's time: a chain far
/// behind or ahead is a chain (or a clock) in trouble.
pub fn chain_clock_skew(chain_id: u64, behind_secs: f64) {
    if behind_secs.abs() > 30.0 {
        warn!(chain_id, behind_secs, "the chain's clock is far from ours");
    }
    let chain = chain_id.to_string();
    record(&[("chain_id", chain.as_str())], |m, a| {
        m.intent.clock_skew.record(behind_secs, a);
    });
}

/// Party A's allocation health as the balance manager computed it, and whether it is below the
/// configured threshold (the alert).
pub fn allocation_health(party_a: &str, health: f64, below: bool) {
    if below {
        warn!(party_a, health, "allocation health below threshold");
    } else {
        debug!(party_a, health, "allocation health");
    }
    record(&[("party_a", party_a)], |m, a| {
        m.intent.health.record(health, a);
        m.intent.below_threshold.record(u64::from(below), a);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_stay_in_small_sets() {
        assert_eq!(step_label("close-12"), "close");
        assert_eq!(step_label("undo-open"), "undo-open");
        assert_eq!(step_label("lock"), "lock");
        assert_eq!(
            state_label(HedgerState::OpeningOnBroker),
            "opening_on_broker"
        );
    }
}
