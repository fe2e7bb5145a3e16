//! The intent hedger's rows (`intent_quotes`): written by `record_intent` after every step of an
//! intent workflow, read by the hedger's policy (open interest) and the hedger API.

use super::{
    Store, StoreError,
    entity::{intent_mismatch, intent_quote},
};
use crate::observe;
use chrono::{DateTime, Utc};
use hedgeflow_proto::intent::{IntentRecord, Mismatch};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};

/// Which quotes [`Store::intent_quotes`] reads; every field is optional.
#[derive(Clone, Debug, Default)]
pub struct IntentQuoteFilter {
    /// Party A's address, any case.
    pub party_a: Option<String>,
    pub quote_id: Option<i64>,
    pub symbols: Vec<String>,
    /// Hedger states.
    pub states: Vec<String>,
    pub created_since: Option<DateTime<Utc>>,
    pub updated_since: Option<DateTime<Utc>>,
}

impl Store {
    /// Upserts the quote's row from the record and appends the hedger state to its history
    /// (once, with the reason). Idempotent.
    pub async fn record_intent(&self, record: &IntentRecord) -> Result<(), StoreError> {
        let id = record.intent.workflow_id();
        let txn = self.db.begin().await?;
        let existing = intent_quote::Entity::find_by_id(id.clone())
            .one(&txn)
            .await?;
        let now = Utc::now();
        let history = super::append_status(
            &id,
            existing.as_ref().map(|row| &row.status_history),
            record.state.as_str(),
            record.reason.as_deref(),
            now,
        )?;
        let whole = serde_json::to_value(record)
            .map_err(|e| StoreError::Corrupt(id.clone(), e.to_string()))?;
        let quote = record.quote.as_ref();
        let opened_price = quote
            .filter(|q| !q.opened_price.is_zero())
            .map(|q| q.opened_price);
        let notional = opened_price.unwrap_or_default() * record.chain_position.abs();
        let row = intent_quote::ActiveModel {
            workflow_id: Set(id),
            chain_id: Set(record.intent.chain_id as i64),
            quote_id: Set(record.intent.quote_id as i64),
            book: Set(record.intent.book.to_string()),
            party_a: Set(quote.map(|q| q.party_a.to_string())),
            symbol_id: Set(quote.map(|q| q.symbol_id as i64)),
            symbol: Set(record.symbol.clone()),
            position_type: Set(quote.map(|q| format!("{:?}", q.position_type).to_uppercase())),
            order_type: Set(quote.map(|q| format!("{:?}", q.order_type).to_uppercase())),
            quantity: Set(quote.map(|q| q.quantity.to_string())),
            requested_price: Set(quote.map(|q| q.requested_open_price.to_string())),
            opened_price: Set(opened_price.map(|p| p.to_string())),
            chain_status: Set(quote.map(|q| q.status.as_str().to_owned())),
            hedger_state: Set(record.state.as_str().to_owned()),
            // normalized, so a flat position is always "0"
            broker_position: Set(record.broker_position.normalize().to_string()),
            chain_position: Set(record.chain_position.normalize().to_string()),
            notional: Set(notional.normalize().to_string()),
            error_code: Set(record.error_code.map(|c| c as i32)),
            reason: Set(record.reason.clone()),
            record: Set(whole),
            status_history: Set(history),
            created_at: Set(existing.as_ref().map_or(now, |row| row.created_at)),
            updated_at: Set(now),
        };
        if existing.is_some() {
            intent_quote::Entity::update(row).exec(&txn).await?;
        } else {
            intent_quote::Entity::insert(row).exec(&txn).await?;
        }
        txn.commit().await?;
        observe::intent_recorded(
            record,
            previous_state(existing.as_ref()),
            known_txs(existing.as_ref()),
        );
        Ok(())
    }

    /// One quote's row.
    pub async fn intent_quote(
        &self,
        workflow_id: &str,
    ) -> Result<Option<intent_quote::Model>, StoreError> {
        Ok(intent_quote::Entity::find_by_id(workflow_id.to_owned())
            .one(&self.db)
            .await?)
    }

    /// Quotes with a position on chain or on the broker (what the validator and the caps look
    /// at), optionally of one broker symbol.
    pub async fn intent_positions(
        &self,
        symbol: Option<&str>,
    ) -> Result<Vec<intent_quote::Model>, StoreError> {
        let mut query = intent_quote::Entity::find()
            .filter(
                intent_quote::Column::ChainPosition
                    .ne("0")
                    .or(intent_quote::Column::BrokerPosition.ne("0")),
            )
            .order_by_asc(intent_quote::Column::QuoteId);
        if let Some(symbol) = symbol {
            query = query.filter(intent_quote::Column::Symbol.eq(symbol));
        }
        Ok(query.all(&self.db).await?)
    }

    /// Rows for the hedger API's `position-state`, newest first.
    /// Every party A with a quote on chain `chain_id`, once per hedger state its quotes are in,
    /// and whether one of its quotes changed after `since` (the balance manager's list of
    /// allocations, and which of them are in use).
    pub async fn intent_party_states(
        &self,
        chain_id: u64,
        since: DateTime<Utc>,
    ) -> Result<Vec<(String, String, bool)>, StoreError> {
        let rows: Vec<(Option<String>, String, bool)> = intent_quote::Entity::find()
            .select_only()
            .column(intent_quote::Column::PartyA)
            .column(intent_quote::Column::HedgerState)
            .column_as(intent_quote::Column::UpdatedAt.gt(since), "recent")
            .distinct()
            .filter(intent_quote::Column::ChainId.eq(chain_id as i64))
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(party_a, state, recent)| Some((party_a?, state, recent)))
            .collect())
    }

    /// The quotes matching `filter`, most recently updated first, `limit` of them from
    /// `offset`: filtered and paged by the database, never read whole.
    pub async fn intent_quotes(
        &self,
        filter: &IntentQuoteFilter,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<intent_quote::Model>, StoreError> {
        use sea_orm::sea_query::{Expr, Func};
        let mut query = intent_quote::Entity::find();
        if let Some(party_a) = &filter.party_a {
            query = query.filter(
                Expr::expr(Func::lower(Expr::col(intent_quote::Column::PartyA)))
                    .eq(party_a.to_lowercase()),
            );
        }
        if let Some(quote_id) = filter.quote_id {
            query = query.filter(intent_quote::Column::QuoteId.eq(quote_id));
        }
        if !filter.symbols.is_empty() {
            query = query.filter(intent_quote::Column::Symbol.is_in(filter.symbols.clone()));
        }
        if !filter.states.is_empty() {
            query = query.filter(intent_quote::Column::HedgerState.is_in(filter.states.clone()));
        }
        if let Some(since) = filter.created_since {
            query = query.filter(intent_quote::Column::CreatedAt.gte(since));
        }
        if let Some(since) = filter.updated_since {
            query = query.filter(intent_quote::Column::UpdatedAt.gte(since));
        }
        Ok(query
            .order_by_desc(intent_quote::Column::UpdatedAt)
            .order_by_desc(intent_quote::Column::QuoteId)
            .offset(offset)
            .limit(limit)
            .all(&self.db)
            .await?)
    }
}

impl Store {
    /// The hedger state and last update of every quote in one of `states` (the validator's view
    /// of the quotes in flight, which are few).
    pub async fn intent_states(
        &self,
        states: &[&str],
    ) -> Result<Vec<(String, DateTime<Utc>)>, StoreError> {
        Ok(intent_quote::Entity::find()
            .select_only()
            .column(intent_quote::Column::HedgerState)
            .column(intent_quote::Column::UpdatedAt)
            .filter(intent_quote::Column::HedgerState.is_in(states.iter().copied()))
            .into_tuple()
            .all(&self.db)
            .await?)
    }

    /// Stores what one validation run found.
    pub async fn record_mismatches(
        &self,
        chain_id: u64,
        mismatches: &[Mismatch],
    ) -> Result<(), StoreError> {
        if mismatches.is_empty() {
            return Ok(());
        }
        let now = Utc::now();
        let rows = mismatches.iter().map(|m| intent_mismatch::ActiveModel {
            chain_id: Set(chain_id as i64),
            subject: Set(m.subject.clone()),
            against: Set(m.against.clone()),
            ours: Set(m.ours.to_string()),
            theirs: Set(m.theirs.to_string()),
            detail: Set(m.detail.clone()),
            seen_at: Set(now),
            ..Default::default()
        });
        intent_mismatch::Entity::insert_many(rows)
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Every mismatch the validator stored, newest first.
    pub async fn intent_mismatches(&self) -> Result<Vec<intent_mismatch::Model>, StoreError> {
        Ok(intent_mismatch::Entity::find()
            .order_by_desc(intent_mismatch::Column::Id)
            .all(&self.db)
            .await?)
    }
}

/// The notional a set of rows holds (the sum of their `notional`).
pub fn notional(rows: &[intent_quote::Model]) -> Decimal {
    rows.iter()
        .filter_map(|row| row.notional.parse::<Decimal>().ok())
        .sum()
}

/// The state a row held before this record (for the metrics: a repeat is not a step).
fn previous_state(row: Option<&intent_quote::Model>) -> Option<&str> {
    row.map(|row| row.hedger_state.as_str())
}

/// How many transactions the row's stored record lists (for the metrics: only new ones count).
fn known_txs(row: Option<&intent_quote::Model>) -> usize {
    row.and_then(|row| row.record.get("transactions"))
        .and_then(serde_json::Value::as_array)
        .map_or(0, Vec::len)
}
