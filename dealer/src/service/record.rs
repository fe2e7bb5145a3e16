//! What the dealer keeps of every signed quote ([`QuoteRecord`]) and where it keeps it
//! ([`QuoteStore`]).
//!
//! A signed quote is stored *before* it is returned: a taker can only fill a quote the store
//! knows. Indicative quotes (no order) are not stored. The only implementation so far is
//! [`MemoryQuoteStore`]; the database one (the orchestrator's DB, per the mission's "one quote
//! record holds everything") is still to be written against this trait.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use alloy::primitives::{Address, U256};
use uuid::Uuid;

use crate::api::{self, SignedOrder};
use crate::maker::PricedQuote;

/// One signed quote: the request, how it was priced, and the signed order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuoteRecord {
    pub quote_id: Uuid,
    /// The taker the order names.
    pub taker: Address,
    pub maker_asset: Address,
    pub taker_asset: Address,
    /// The size as the taker asked for it (base units).
    pub requested: api::Size,
    /// Maker asset base units delivered.
    pub maker_size: U256,
    /// Taker asset base units paid.
    pub taker_size: U256,
    /// The maker's quote: market, side, human amounts, all-in price and its inputs (book
    /// snapshot ids, fees, mid, volatility, premium, widening, skew, position, hedge price).
    pub priced: PricedQuote,
    /// Unix ms after which a fill is refused (the order's expiry in ms).
    pub expiration_ms: u64,
    /// The order, its hash and the hot wallet's signature.
    pub order: SignedOrder,
}

/// Why a record could not be stored.
#[derive(Debug, thiserror::Error)]
#[error("quote store: {0}")]
pub struct StoreError(pub String);

/// Where signed quotes are kept. `save` must be durable when it returns `Ok`: the quote is
/// served right after.
#[async_trait::async_trait]
pub trait QuoteStore: Send + Sync + 'static {
    /// Stores a new record. Quote ids are fresh v4 UUIDs, so this never overwrites.
    async fn save(&self, record: QuoteRecord) -> Result<(), StoreError>;

    /// The record of `quote_id`, if stored.
    async fn get(&self, quote_id: Uuid) -> Result<Option<QuoteRecord>, StoreError>;
}

/// Records in memory, for tests and the embedded dev stack: every record is kept until the
/// process exits (nothing is pruned, nothing survives a restart).
#[derive(Debug, Default)]
pub struct MemoryQuoteStore {
    records: Mutex<HashMap<Uuid, QuoteRecord>>,
}

impl MemoryQuoteStore {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.records
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[async_trait::async_trait]
impl QuoteStore for MemoryQuoteStore {
    async fn save(&self, record: QuoteRecord) -> Result<(), StoreError> {
        self.records
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(record.quote_id, record);
        Ok(())
    }

    async fn get(&self, quote_id: Uuid) -> Result<Option<QuoteRecord>, StoreError> {
        Ok(self
            .records
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&quote_id)
            .cloned())
    }
}
