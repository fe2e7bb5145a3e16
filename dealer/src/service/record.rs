//! What the dealer keeps of every signed quote ([`QuoteRecord`]), of a taker's request to fill
//! it ([`FillRecord`]), and where it keeps them ([`QuoteStore`]).
//!
//! A signed quote is stored *before* it is returned: a taker can only fill a quote the store
//! knows. Indicative quotes (no order) are not stored. The production store is the database
//! (the `dealer` role's `StoredQuotes`); [`MemoryQuoteStore`] serves tests.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use alloy::primitives::{Address, U256};
use uuid::Uuid;

use crate::api::{self, FillRequest, FillState, SignedOrder};
use crate::maker::PricedQuote;

/// One signed quote: the request, how it was priced, the signed order, and its fill request
/// once a taker made one.
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
    /// The accepted fill request, if any.
    pub fill: Option<FillRecord>,
}

/// A fill request that passed validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FillRecord {
    pub request: FillRequest,
    /// Unix ms at which it was accepted.
    pub accepted_at_ms: u64,
}

/// What [`QuoteStore::request_fill`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FillRecorded {
    /// This call recorded the request.
    Recorded,
    /// The quote had a fill request already (a replay, or a concurrent one that won).
    AlreadyRequested,
    /// No such quote.
    Unknown,
}

/// Why a record could not be stored or read.
#[derive(Debug, thiserror::Error)]
#[error("quote store: {0}")]
pub struct StoreError(pub String);

/// Where signed quotes are kept. A write must be durable when it returns `Ok`: the quote is
/// served (or the fill acknowledged) right after.
#[async_trait::async_trait]
pub trait QuoteStore: Send + Sync + 'static {
    /// Stores a new record (without a fill). Quote ids are fresh v4 UUIDs, so this never
    /// overwrites.
    async fn save(&self, record: QuoteRecord) -> Result<(), StoreError>;

    /// The record of `quote_id`, if stored.
    async fn get(&self, quote_id: Uuid) -> Result<Option<QuoteRecord>, StoreError>;

    /// Where the quote's fill stands, if the quote is stored.
    async fn fill_state(&self, quote_id: Uuid) -> Result<Option<FillState>, StoreError>;

    /// Records the quote's fill request unless it has one already; exactly one of concurrent
    /// callers gets [`FillRecorded::Recorded`].
    async fn request_fill(
        &self,
        quote_id: Uuid,
        fill: FillRecord,
    ) -> Result<FillRecorded, StoreError>;
}

/// Records in memory, for tests: every record is kept until the process exits.
#[derive(Debug, Default)]
pub struct MemoryQuoteStore {
    records: Mutex<HashMap<Uuid, QuoteRecord>>,
}

impl MemoryQuoteStore {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, QuoteRecord>> {
        self.records.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait::async_trait]
impl QuoteStore for MemoryQuoteStore {
    async fn save(&self, record: QuoteRecord) -> Result<(), StoreError> {
        self.lock().insert(record.quote_id, record);
        Ok(())
    }

    async fn get(&self, quote_id: Uuid) -> Result<Option<QuoteRecord>, StoreError> {
        Ok(self.lock().get(&quote_id).cloned())
    }

    /// `quoted` or `fill requested`: nothing settles fills recorded here.
    async fn fill_state(&self, quote_id: Uuid) -> Result<Option<FillState>, StoreError> {
        Ok(self.lock().get(&quote_id).map(|record| FillState {
            quote_id,
            status: match &record.fill {
                None => "quoted",
                Some(_) => "fill requested",
            }
            .to_owned(),
            transaction_hash: None,
            reason: None,
            updated_at_ms: record
                .fill
                .as_ref()
                .map_or(record.priced.priced_at_ms, |fill| fill.accepted_at_ms),
        }))
    }

    async fn request_fill(
        &self,
        quote_id: Uuid,
        fill: FillRecord,
    ) -> Result<FillRecorded, StoreError> {
        Ok(match self.lock().get_mut(&quote_id) {
            None => FillRecorded::Unknown,
            Some(record) if record.fill.is_some() => FillRecorded::AlreadyRequested,
            Some(record) => {
                record.fill = Some(fill);
                FillRecorded::Recorded
            }
        })
    }
}
