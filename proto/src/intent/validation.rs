//! The position validator: what it compares (our DB, the chain, the broker) and what it
//! finds.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The position validator's run: the book's chain and the broker symbols to compare.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationRequest {
    pub chain_id: u64,
    pub symbols: Vec<String>,
}

/// One disagreement between our DB and the chain (a quote) or the broker (a symbol). The
/// validator reports it and never changes anything.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatch {
    /// `intent-<chainId>-<book>-<quoteId>-<identity>` or the broker symbol.
    pub subject: String,
    /// `chain` or `broker`: what disagrees with our DB.
    pub against: String,
    /// Party B's signed position by our DB, and by the other side.
    pub ours: Decimal,
    pub theirs: Decimal,
    pub detail: String,
}

/// What one validation found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationReport {
    pub quotes: u32,
    pub symbols: u32,
    /// Symbols with a quote between its broker order and its chain transaction: their sums
    /// would disagree for a moment by design, so they wait for the next run.
    pub in_flight: Vec<String>,
    pub mismatches: Vec<Mismatch>,
}
