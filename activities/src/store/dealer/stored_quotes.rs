//! [`StoredQuotes`]: the dealer's [`QuoteStore`] in our database (`rfq_quotes`), so a quote
//! survives a dealer restart and is filled by whichever dealer replica the taker reaches.
//!
//! New quotes are committed in groups: each `save` queues its row for one writer task, which
//! inserts whatever has queued meanwhile (up to [`MAX_GROUP`]) in one statement and answers every
//! waiting `save` when it is committed. One commit (one fsync) then serves many quotes, where a
//! commit per quote would cap the dealer at the disk's commit rate. A group that fails is
//! retried row by row, so one bad row fails only its own quote.
//!
//! Rows keep their fields readable (addresses and hashes as 0x hex, amounts as decimal strings,
//! the pricing and order as JSON objects) and convert back to the exact record.

use super::FillRequestOutcome;
use crate::store::{Store, entity::rfq_quote};
use alloy::primitives::{Address, B256, Bytes, U256};
use chrono::{DateTime, TimeZone, Utc};
use hedgeflow_dealer::api::{FillRequest, FillState, Signature, SignedOrder, Size};
use hedgeflow_dealer::maker::TakerSide;
use hedgeflow_dealer::service::{FillRecord, FillRecorded, QuoteRecord, QuoteStore, StoreError};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

/// The most quotes one commit inserts.
const MAX_GROUP: usize = 64;

/// A quote waiting for the group writer, and who waits for it.
type Pending = (rfq_quote::Model, oneshot::Sender<Result<(), StoreError>>);

/// The quote table behind the dealer.
#[derive(Clone, Debug)]
pub struct StoredQuotes {
    store: Store,
    inserts: mpsc::Sender<Pending>,
}

impl StoredQuotes {
    /// Starts the group writer on the current Tokio runtime; it stops when the last clone of
    /// this store is dropped.
    pub fn new(store: Store) -> Self {
        let (inserts, queue) = mpsc::channel(4 * MAX_GROUP);
        tokio::spawn(write_groups(store.clone(), queue));
        Self { store, inserts }
    }
}

/// Inserts what has queued, a group per commit, until every sender is gone.
async fn write_groups(store: Store, mut queue: mpsc::Receiver<Pending>) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while queue.recv_many(&mut group, MAX_GROUP).await > 0 {
        let rows = group.iter().map(|(row, _)| row.clone());
        match store.insert_rfq_quotes(rows).await {
            Ok(()) => group.drain(..).for_each(|(_, done)| {
                let _ = done.send(Ok(()));
            }),
            Err(error) => {
                tracing::warn!(%error, quotes = group.len(), "quote group not stored; row by row");
                for (row, done) in group.drain(..) {
                    let stored = store.insert_rfq_quotes([row]).await.map_err(store_error);
                    let _ = done.send(stored);
                }
            }
        }
    }
}

#[async_trait::async_trait]
impl QuoteStore for StoredQuotes {
    async fn save(&self, record: QuoteRecord) -> Result<(), StoreError> {
        let (done, stored) = oneshot::channel();
        let writer_gone = || StoreError("the quote writer stopped".into());
        self.inserts
            .send((to_row(&record)?, done))
            .await
            .map_err(|_| writer_gone())?;
        stored.await.map_err(|_| writer_gone())?
    }

    async fn get(&self, quote_id: Uuid) -> Result<Option<QuoteRecord>, StoreError> {
        let row = self
            .store
            .rfq_quote(&quote_id.to_string())
            .await
            .map_err(store_error)?;
        row.map(|row| from_row(&row)).transpose()
    }

    async fn fill_state(&self, quote_id: Uuid) -> Result<Option<FillState>, StoreError> {
        let row = self
            .store
            .rfq_quote(&quote_id.to_string())
            .await
            .map_err(store_error)?;
        row.map(|row| fill_state(quote_id, &row)).transpose()
    }

    async fn request_fill(
        &self,
        quote_id: Uuid,
        fill: FillRecord,
    ) -> Result<FillRecorded, StoreError> {
        let request = serde_json::to_value(FillRow::from(&fill.request)).map_err(corrupt)?;
        let outcome = self
            .store
            .request_rfq_fill(&quote_id.to_string(), request, utc(fill.accepted_at_ms)?)
            .await
            .map_err(store_error)?;
        Ok(match outcome {
            FillRequestOutcome::Recorded => FillRecorded::Recorded,
            FillRequestOutcome::AlreadyRequested => FillRecorded::AlreadyRequested,
            FillRequestOutcome::Unknown => FillRecorded::Unknown,
        })
    }
}

/// A fill request as the row keeps it: the spec's parameter names, amounts as decimal strings.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FillRow {
    salt: String,
    signature: Signature,
    signer: Address,
    data: Bytes,
    gas_price: String,
    expiration_time_seconds: u64,
}

impl From<&FillRequest> for FillRow {
    fn from(request: &FillRequest) -> Self {
        Self {
            salt: request.salt.to_string(),
            signature: request.taker_signature,
            signer: request.signer,
            data: request.data.clone(),
            gas_price: request.gas_price.to_string(),
            expiration_time_seconds: request.expiration_time_seconds,
        }
    }
}

fn to_row(record: &QuoteRecord) -> Result<rfq_quote::Model, StoreError> {
    let (size_side, size) = match record.requested {
        Size::MakerSize(units) => ("maker", units),
        Size::TakerSize(units) => ("taker", units),
    };
    let priced = &record.priced;
    Ok(rfq_quote::Model {
        quote_id: record.quote_id.to_string(),
        chain_id: i64::try_from(record.order.chain_id).map_err(corrupt)?,
        settlement: record.order.verifying_contract.to_string(),
        taker: record.taker.to_string(),
        maker_asset: record.maker_asset.to_string(),
        taker_asset: record.taker_asset.to_string(),
        maker_amount: record.maker_size.to_string(),
        taker_amount: record.taker_size.to_string(),
        size_side: size_side.into(),
        size: size.to_string(),
        market: priced.market.clone(),
        side: match priced.side {
            TakerSide::Buy => "buy",
            TakerSide::Sell => "sell",
        }
        .into(),
        price: priced.price.to_string(),
        pricing: serde_json::to_value(priced).map_err(corrupt)?,
        rfq_order: serde_json::to_value(&record.order.order).map_err(corrupt)?,
        order_hash: record.order.hash.to_string(),
        signature: record.order.signature.to_string(),
        quoted_at: utc(priced.priced_at_ms)?,
        expires_at: utc(record.expiration_ms)?,
        // Set by the store on insert.
        status: String::new(),
        status_history: serde_json::Value::Null,
        fill_request: None,
        fill_requested_at: None,
        fill_tx: None,
        fill_block: None,
        fill_detail: None,
        hedge_order: None,
        hedge_trade: None,
        realized_pnl: None,
        filled_trade: None,
        filled_at: None,
    })
}

fn from_row(row: &rfq_quote::Model) -> Result<QuoteRecord, StoreError> {
    let units = |value: &str| U256::from_str_radix(value, 10).map_err(corrupt);
    let address = |value: &str| value.parse::<Address>().map_err(corrupt);
    let size = units(&row.size)?;
    let requested = match row.size_side.as_str() {
        "maker" => Size::MakerSize(size),
        "taker" => Size::TakerSize(size),
        other => return Err(corrupt(format!("size side {other:?}"))),
    };
    let fill = match (&row.fill_request, row.fill_requested_at) {
        (Some(json), Some(at)) => {
            let fill: FillRow = serde_json::from_value(json.clone()).map_err(corrupt)?;
            Some(FillRecord {
                request: FillRequest {
                    quote_id: parse_uuid(&row.quote_id)?,
                    salt: units(&fill.salt)?,
                    taker_signature: fill.signature,
                    signer: fill.signer,
                    data: fill.data,
                    gas_price: units(&fill.gas_price)?,
                    expiration_time_seconds: fill.expiration_time_seconds,
                },
                accepted_at_ms: u64::try_from(at.timestamp_millis()).map_err(corrupt)?,
            })
        }
        _ => None,
    };
    Ok(QuoteRecord {
        quote_id: parse_uuid(&row.quote_id)?,
        taker: address(&row.taker)?,
        maker_asset: address(&row.maker_asset)?,
        taker_asset: address(&row.taker_asset)?,
        requested,
        maker_size: units(&row.maker_amount)?,
        taker_size: units(&row.taker_amount)?,
        priced: serde_json::from_value(row.pricing.clone()).map_err(corrupt)?,
        expiration_ms: u64::try_from(row.expires_at.timestamp_millis()).map_err(corrupt)?,
        order: SignedOrder {
            order: serde_json::from_value(row.rfq_order.clone()).map_err(corrupt)?,
            hash: row.order_hash.parse::<B256>().map_err(corrupt)?,
            chain_id: u64::try_from(row.chain_id).map_err(corrupt)?,
            verifying_contract: address(&row.settlement)?,
            signature: row.signature.parse::<Signature>().map_err(corrupt)?,
        },
        fill,
    })
}

/// The row's status, settlement and reason; its time is the latest history entry's.
fn fill_state(quote_id: Uuid, row: &rfq_quote::Model) -> Result<FillState, StoreError> {
    let latest = row
        .status_history
        .as_array()
        .and_then(|entries| entries.last())
        .and_then(|entry| entry["at"].as_str())
        .ok_or_else(|| corrupt("status_history has no time"))?;
    let at = DateTime::parse_from_rfc3339(latest).map_err(corrupt)?;
    Ok(FillState {
        quote_id,
        status: row.status.clone(),
        transaction_hash: row
            .fill_tx
            .as_deref()
            .map(str::parse::<B256>)
            .transpose()
            .map_err(corrupt)?,
        reason: row.fill_detail.clone(),
        updated_at_ms: u64::try_from(at.timestamp_millis()).map_err(corrupt)?,
    })
}

fn parse_uuid(value: &str) -> Result<Uuid, StoreError> {
    value.parse().map_err(corrupt)
}

fn utc(ms: u64) -> Result<DateTime<Utc>, StoreError> {
    i64::try_from(ms)
        .ok()
        .and_then(|ms| Utc.timestamp_millis_opt(ms).single())
        .ok_or_else(|| corrupt(format!("time {ms} ms out of range")))
}

fn store_error(error: crate::store::StoreError) -> StoreError {
    StoreError(error.to_string())
}

fn corrupt(error: impl std::fmt::Display) -> StoreError {
    StoreError(format!("quote row does not convert: {error}"))
}
