//! The position validator's comparison (`validate_positions`): our DB against the chain per
//! quote, and against the broker per symbol. Mismatches are stored and alerted, never fixed.
//! Each run also reports how long quotes have waited in each transient state (the stuck-quote
//! alert's gauges).

use super::{IntentDesk, IntentError, quotes::read_quote};
use crate::{observe, store::entity::intent_quote};
use chrono::Utc;
use hedgeflow_proto::intent::{
    BrokerPosition, HedgerState, Mismatch, ValidationReport, ValidationRequest,
};
use rust_decimal::Decimal;
use std::collections::BTreeSet;

/// States between a broker order and its chain transaction: the sides disagree by design until
/// the step ends, so such a quote (and its symbol's sum) waits for the next run.
const IN_FLIGHT: [HedgerState; 4] = [
    HedgerState::OpeningOnBroker,
    HedgerState::OpeningOnChain,
    HedgerState::ClosingOnBroker,
    HedgerState::ClosingOnChain,
];

impl IntentDesk {
    pub(super) async fn validate(
        &self,
        request: &ValidationRequest,
        positions: &[BrokerPosition],
    ) -> Result<ValidationReport, IntentError> {
        let rows = self.store.intent_positions(None).await?;
        let in_flight = |row: &intent_quote::Model| {
            IN_FLIGHT
                .iter()
                .any(|state| state.as_str() == row.hedger_state)
        };
        let busy: BTreeSet<&str> = rows
            .iter()
            .filter(|row| in_flight(row))
            .filter_map(|row| row.symbol.as_deref())
            .collect();
        let mut report = ValidationReport::default();
        for row in rows.iter().filter(|row| !in_flight(row)) {
            let quote = read_quote(&self.chain, self.config.book, row.quote_id as u64).await?;
            let theirs = if quote.status.has_position() {
                quote.position_type.party_b_signed(quote.open_quantity())
            } else {
                Decimal::ZERO
            };
            let ours = decimal(&row.chain_position);
            if ours != theirs {
                report.mismatches.push(Mismatch {
                    subject: row.workflow_id.clone(),
                    against: "chain".into(),
                    ours,
                    theirs,
                    detail: format!("the chain has the quote {}", quote.status.as_str()),
                });
            }
            report.quotes += 1;
        }
        for symbol in &request.symbols {
            if busy.contains(symbol.as_str()) {
                report.in_flight.push(symbol.clone());
                continue;
            }
            let ours: Decimal = rows
                .iter()
                .filter(|row| row.symbol.as_deref() == Some(symbol.as_str()))
                .map(|row| decimal(&row.broker_position))
                .sum();
            let theirs = positions
                .iter()
                .find(|p| &p.symbol == symbol)
                .map_or(Decimal::ZERO, |p| p.amount);
            if ours != theirs {
                report.mismatches.push(Mismatch {
                    subject: symbol.clone(),
                    against: "broker".into(),
                    ours,
                    theirs,
                    detail: "the broker's position is not the sum of our quotes' hedges".into(),
                });
            }
            report.symbols += 1;
        }
        self.store
            .record_mismatches(request.chain_id, &report.mismatches)
            .await?;
        observe::positions_validated(request.chain_id, &report);
        self.observe_states().await?;
        Ok(report)
    }

    /// How many quotes wait in each transient state, and the oldest's age: the stuck-quote
    /// alert's gauges, refreshed on every validator run (it is the one periodic job with the DB).
    async fn observe_states(&self) -> Result<(), IntentError> {
        let names = observe::TRANSIENT_STATES.map(|state| state.as_str());
        let rows = self.store.intent_states(&names).await?;
        let now = Utc::now();
        let states: Vec<(HedgerState, u64, u64)> = observe::TRANSIENT_STATES
            .iter()
            .filter_map(|state| {
                let since: Vec<_> = rows
                    .iter()
                    .filter(|(name, _)| name == state.as_str())
                    .map(|(_, updated_at)| *updated_at)
                    .collect();
                let oldest = since.iter().min()?;
                let age = (now - *oldest).num_seconds().max(0) as u64;
                Some((*state, since.len() as u64, age))
            })
            .collect();
        observe::intent_states_observed(&states);
        Ok(())
    }
}

/// A stored decimal; a row that does not parse counts as zero and shows as a mismatch.
fn decimal(text: &str) -> Decimal {
    text.parse().unwrap_or_default()
}
