//! The intent hedger (SYMMIO-style party B): one `intent-<chainId>-<book>-<quoteId>-<identity>`
//! workflow per quote of an `IntentBook`, hedged 1:1 on a perpetual futures broker: open on the
//! broker first, then on chain at the broker's price; close on the broker, then fill the close on
//! chain.
//!
//! Amounts, prices and quantities are the contract's 18-decimal fixed point, carried here as
//! [`rust_decimal::Decimal`] so histories read `"2.5"` rather than `"2500000000000000000"`.
//!
//! Signs and sides: party A's LONG makes us (party B) short on chain, so the hedge **buys** on
//! the broker; closing a LONG sells there. SHORT is the mirror.
//!
//! - `book`: the book's quotes and events; `broker`: the broker's orders and positions;
//! - `hedger`: the hedger's decisions, state and records; `validation`: the position
//!   validator; [`error_codes`]: the hedger API's codes; `contract`: the party-B calls.

mod book;
mod broker;
mod contract;
pub mod error_codes;
mod hedger;
#[cfg(test)]
mod tests;
mod validation;

pub use book::*;
pub use broker::*;
pub use contract::*;
pub use hedger::*;
pub use validation::*;

use crate::ids;
use alloy::primitives::{Address, B256, keccak256};
use serde::{Deserialize, Serialize};

/// One quote of one `IntentBook`: what names an intent workflow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntentRef {
    pub chain_id: u64,
    pub book: Address,
    pub quote_id: u64,
    /// The quote's [`ChainQuote::identity`]: quote ids are sequential, so an l2 reorg can hand
    /// one to another party A's quote, which must not be taken for this one. Zero in runs
    /// started before it existed.
    #[serde(default)]
    pub identity: B256,
}

impl IntentRef {
    /// The reference of `quote`, as `book` on `chain_id` holds it.
    pub fn of(chain_id: u64, book: Address, quote: &ChainQuote) -> Self {
        Self {
            chain_id,
            book,
            quote_id: quote.quote_id,
            identity: quote.identity(),
        }
    }

    /// Whether `quote` is this quote: the quote its id names on chain now may be another one
    /// (an l2 reorg reassigned the id). Runs started before identities always match.
    pub fn names(&self, quote: &ChainQuote) -> bool {
        self.identity.is_zero() || quote.identity() == self.identity
    }

    /// `intent-<chainId>-<book>-<quoteId>-<identity>` (see [`ids::intent_workflow`]).
    pub fn workflow_id(&self) -> String {
        let id = ids::intent_workflow(self.chain_id, &self.book, self.quote_id);
        if self.identity.is_zero() {
            return id;
        }
        format!("{id}-{}", ids::short(self.identity.as_slice()))
    }

    /// The idempotency key of this quote's transaction for `step` (`lock`, `open`, `close-2`…).
    pub fn tx_key(&self, step: &str) -> String {
        ids::tx_intent_key(&self.workflow_id(), step)
    }

    /// The broker client order id of this quote's order for `step` (`open`, `close-2`, `undo-open`).
    /// Binance allows 36 characters of `[.A-Z:/a-z0-9_-]`: `i-<tag>-<quoteId>-<step>`, where
    /// `<tag>` is 4 bytes (hex) of the hash of the chain id, the book and the quote's identity,
    /// so that another chain's book, a redeployed one, or another quote a reorg gave this id to
    /// never finds this quote's orders.
    pub fn broker_order_id(&self, step: &str) -> String {
        let identity: &[u8] = if self.identity.is_zero() {
            &[]
        } else {
            self.identity.as_slice()
        };
        let tag = keccak256(
            [
                &self.chain_id.to_be_bytes()[..],
                self.book.as_slice(),
                identity,
            ]
            .concat(),
        );
        format!("i-{}-{}-{step}", ids::short(tag.as_slice()), self.quote_id)
    }
}
