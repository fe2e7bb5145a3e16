//! The RFQ dealer's rows: its quotes, written when it serves a signed quote and when a taker asks
//! to fill it, read back to validate that fill (and, later, by the fill workflow); and its taker
//! profiles, saved by every admin change. [`StoredQuotes`] and [`StoredProfiles`] serve them to
//! the dealer as its stores.

mod stored_profiles;
mod stored_quotes;

pub use stored_profiles::StoredProfiles;
pub use stored_quotes::StoredQuotes;

use super::{
    Store, StoreError,
    entity::{dealer_profile, rfq_quote},
};
use chrono::{DateTime, Utc};
use hedgeflow_proto::{
    rfq::fill::{FillRecord, FillStatus},
    rfq::hedge::FilledTrade,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, IntoActiveModel, QueryFilter,
    Statement,
    prelude::Json,
    sea_query::{Expr, OnConflict},
};

/// The dealer's own database user (`deploy/postgres/dealer.sql`), when the database has one.
pub const DEALER_USER: &str = "hedgeflow_dealer";

/// What the dealer role's queries need, table by table, and nothing more: the migration table to
/// wait for the schema (`Store::connect_when_migrated`); its quotes, to store the ones it signs
/// ([`Store::insert_rfq_quotes`]), read them back to check a fill, and record a fill request
/// ([`Store::request_rfq_fill`]: those four columns only, never a settlement, hedge or amount);
/// its taker profiles. Fills, hedges and everything else are the orchestrator's.
pub const DEALER_GRANTS: [(&str, &str); 3] = [
    ("seaql_migrations", "SELECT"),
    (
        "rfq_quotes",
        "SELECT, INSERT, UPDATE (status, status_history, fill_request, fill_requested_at)",
    ),
    ("dealer_profiles", "SELECT, INSERT, UPDATE"),
];

/// A signed quote nobody asked to fill yet.
pub const QUOTED: &str = "quoted";
/// The taker submitted a valid fill request.
pub const FILL_REQUESTED: &str = "fill requested";

/// What [`Store::request_rfq_fill`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FillRequestOutcome {
    /// This call recorded the request.
    Recorded,
    /// A request was recorded before (a replay, or a concurrent submission that won).
    AlreadyRequested,
    /// No such quote.
    Unknown,
}

impl Store {
    /// Grants [`DEALER_USER`] its [`DEALER_GRANTS`] on PostgreSQL, if the database has that user
    /// (production's, made at the database's creation); anywhere else, nothing. Run by the
    /// schema's owner after migrating, so a table a migration creates is granted as it appears.
    pub(super) async fn grant_dealer(&self) -> Result<(), StoreError> {
        if self.db.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let exists = self
            .db
            .query_one_raw(Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                "SELECT 1 FROM pg_roles WHERE rolname = $1",
                [DEALER_USER.into()],
            ))
            .await?
            .is_some();
        if !exists {
            return Ok(());
        }
        for (table, rights) in DEALER_GRANTS {
            self.db
                .execute_unprepared(&format!("GRANT {rights} ON {table} TO {DEALER_USER}"))
                .await?;
        }
        Ok(())
    }

    /// Inserts freshly signed quotes with status `quoted`, all or none, in one statement (the
    /// dealer commits quotes in groups); their `status`, `status_history` and fill fields are set
    /// here, whatever the rows hold. Quote ids are fresh v4 UUIDs, so an existing id is an
    /// error, never an overwrite.
    pub async fn insert_rfq_quotes(
        &self,
        quotes: impl IntoIterator<Item = rfq_quote::Model>,
    ) -> Result<(), StoreError> {
        let mut rows = Vec::new();
        for quote in quotes {
            let history =
                super::append_status(&quote.quote_id, None, QUOTED, None, quote.quoted_at)?;
            let row = rfq_quote::Model {
                status: QUOTED.to_owned(),
                status_history: history,
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
                ..quote
            };
            rows.push(row.into_active_model());
        }
        if rows.is_empty() {
            return Ok(());
        }
        rfq_quote::Entity::insert_many(rows)
            .exec_without_returning(&self.db)
            .await?;
        Ok(())
    }

    /// The quote's row, if stored.
    pub async fn rfq_quote(&self, quote_id: &str) -> Result<Option<rfq_quote::Model>, StoreError> {
        Ok(rfq_quote::Entity::find_by_id(quote_id.to_owned())
            .one(&self.db)
            .await?)
    }

    /// Records the taker's fill request (status `fill requested`) unless the quote already has
    /// one. The update is conditional on the row having no request, so two concurrent requests
    /// (two dealer replicas) record exactly one.
    pub async fn request_rfq_fill(
        &self,
        quote_id: &str,
        request: Json,
        at: DateTime<Utc>,
    ) -> Result<FillRequestOutcome, StoreError> {
        let Some(row) = self.rfq_quote(quote_id).await? else {
            return Ok(FillRequestOutcome::Unknown);
        };
        if row.fill_request.is_some() {
            return Ok(FillRequestOutcome::AlreadyRequested);
        }
        let history = super::append_status(
            quote_id,
            Some(&row.status_history),
            FILL_REQUESTED,
            None,
            at,
        )?;
        let updated = rfq_quote::Entity::update_many()
            .col_expr(rfq_quote::Column::Status, Expr::value(FILL_REQUESTED))
            .col_expr(rfq_quote::Column::StatusHistory, Expr::value(history))
            .col_expr(rfq_quote::Column::FillRequest, Expr::value(request))
            .col_expr(rfq_quote::Column::FillRequestedAt, Expr::value(at))
            .filter(rfq_quote::Column::QuoteId.eq(quote_id))
            .filter(rfq_quote::Column::FillRequest.is_null())
            .exec(&self.db)
            .await?;
        Ok(if updated.rows_affected == 1 {
            FillRequestOutcome::Recorded
        } else {
            FillRequestOutcome::AlreadyRequested
        })
    }
}

impl Store {
    /// Writes the fill workflow's state to the quote's row: the status (appended to the history
    /// unless already latest), the settlement transaction once known, and the reason of a
    /// refusal or failure. Idempotent; the quote must exist (it is stored before it is served).
    pub async fn record_rfq_fill(&self, record: &FillRecord) -> Result<(), StoreError> {
        let quote_id = &record.quote_id;
        let row = self.rfq_quote(quote_id).await?.ok_or_else(|| {
            StoreError::Corrupt(quote_id.clone(), "fill of an unknown quote".into())
        })?;
        let status = record.status.as_str();
        let detail = record.detail.as_deref();
        let history = super::append_status(
            quote_id,
            Some(&row.status_history),
            status,
            detail,
            Utc::now(),
        )?;
        let mut update = rfq_quote::Entity::update_many()
            .col_expr(rfq_quote::Column::Status, Expr::value(status))
            .col_expr(rfq_quote::Column::StatusHistory, Expr::value(history))
            .filter(rfq_quote::Column::QuoteId.eq(quote_id.as_str()));
        if let Some(tx) = record.tx_hash {
            update = update.col_expr(rfq_quote::Column::FillTx, Expr::value(tx.to_string()));
        }
        if let Some(block) = record.block_number {
            update = update.col_expr(rfq_quote::Column::FillBlock, Expr::value(block as i64));
        }
        if let Some(detail) = detail {
            update = update.col_expr(rfq_quote::Column::FillDetail, Expr::value(detail));
        }
        if let Some(trade) = &record.trade {
            let trade = serde_json::to_value(trade)
                .map_err(|e| StoreError::Corrupt(quote_id.clone(), e.to_string()))?;
            update = update
                .col_expr(rfq_quote::Column::FilledTrade, Expr::value(trade))
                .col_expr(rfq_quote::Column::FilledAt, Expr::value(Utc::now()));
        }
        update.exec(&self.db).await?;
        crate::observe::rfq_fill_recorded(record);
        Ok(())
    }

    /// Fills settled before `settled_before` and still `filled, unhedged`: the ones a hedger
    /// should hold by now, and may have lost.
    pub async fn unhedged_fills(
        &self,
        settled_before: DateTime<Utc>,
    ) -> Result<Vec<FilledTrade>, StoreError> {
        let rows = rfq_quote::Entity::find()
            .filter(rfq_quote::Column::Status.eq(FillStatus::FilledUnhedged.as_str()))
            .filter(rfq_quote::Column::FilledAt.lt(settled_before))
            .all(&self.db)
            .await?;
        rows.into_iter()
            .filter_map(|row| Some((row.quote_id, row.filled_trade?)))
            .map(|(quote_id, trade)| {
                serde_json::from_value(trade)
                    .map_err(|e| StoreError::Corrupt(quote_id, e.to_string()))
            })
            .collect()
    }
}

impl Store {
    /// Quotes whose fill is under way (requested or submitted, not yet settled or refused):
    /// what the hot wallet is about to deliver and receive.
    pub async fn rfq_fills_in_flight(&self) -> Result<Vec<rfq_quote::Model>, StoreError> {
        let in_flight = [FillStatus::Requested, FillStatus::Submitted].map(|s| s.as_str());
        Ok(rfq_quote::Entity::find()
            .filter(rfq_quote::Column::Status.is_in(in_flight))
            .all(&self.db)
            .await?)
    }
}

impl Store {
    /// The taker profiles saved under `name`.
    pub async fn dealer_profiles(&self, name: &str) -> Result<Option<Json>, StoreError> {
        Ok(dealer_profile::Entity::find_by_id(name.to_owned())
            .one(&self.db)
            .await?
            .map(|row| row.profiles))
    }

    /// Replaces the taker profiles saved under `name`.
    pub async fn save_dealer_profiles(&self, name: &str, profiles: Json) -> Result<(), StoreError> {
        let row = dealer_profile::Model {
            name: name.to_owned(),
            profiles,
            updated_at: Utc::now(),
        };
        dealer_profile::Entity::insert(row.into_active_model())
            .on_conflict(
                OnConflict::column(dealer_profile::Column::Name)
                    .update_columns([
                        dealer_profile::Column::Profiles,
                        dealer_profile::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use serde_json::json;

    fn quote(id: &str, hash: &str) -> rfq_quote::Model {
        let now = Utc::now();
        rfq_quote::Model {
            quote_id: id.into(),
            chain_id: 31337,
            settlement: "0x00000000000000000000000000000000000000aa".into(),
            taker: "0x00000000000000000000000000000000000000bb".into(),
            maker_asset: "0x00000000000000000000000000000000000000cc".into(),
            taker_asset: "0x00000000000000000000000000000000000000dd".into(),
            maker_amount: "1000000000000000000".into(),
            taker_amount: "3000000000".into(),
            size_side: "maker".into(),
            size: "1000000000000000000".into(),
            market: "WETH/USDC".into(),
            side: "buy".into(),
            price: "3000".into(),
            pricing: json!({"premium_bps": "5"}),
            rfq_order: json!({"salt": "7"}),
            order_hash: hash.into(),
            signature: "0x01".into(),
            quoted_at: now,
            expires_at: now,
            status: "ignored".into(),
            status_history: json!("ignored"),
            fill_request: Some(json!("ignored")),
            fill_requested_at: None,
            fill_tx: Some("ignored".into()),
            fill_block: Some(1),
            fill_detail: Some("ignored".into()),
            hedge_order: None,
            hedge_trade: None,
            realized_pnl: None,
            filled_trade: None,
            filled_at: None,
        }
    }

    /// The row's statuses, oldest first.
    fn statuses(row: &rfq_quote::Model) -> Vec<Json> {
        let history = row.status_history.as_array().unwrap();
        history.iter().map(|e| e["status"].clone()).collect()
    }

    #[tokio::test]
    async fn a_quote_takes_one_fill_request() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("q.db").display());
        let store = Store::connect(&url).await.unwrap();
        store.insert_rfq_quotes([quote("q1", "0x1")]).await.unwrap();
        // A second row with the same order hash is refused: one order, one quote.
        assert!(store.insert_rfq_quotes([quote("q2", "0x1")]).await.is_err());
        assert!(store.insert_rfq_quotes([quote("q1", "0x2")]).await.is_err());
        // A group is all or none.
        let group = [quote("q3", "0x3"), quote("q4", "0x1")];
        assert!(store.insert_rfq_quotes(group).await.is_err());
        assert_eq!(store.rfq_quote("q3").await.unwrap(), None);
        store
            .insert_rfq_quotes([quote("q3", "0x3"), quote("q4", "0x4")])
            .await
            .unwrap();
        assert!(store.rfq_quote("q4").await.unwrap().is_some());

        let row = store.rfq_quote("q1").await.unwrap().unwrap();
        assert_eq!(row.status, QUOTED);
        assert_eq!(row.fill_request, None);
        assert_eq!(row.status_history.as_array().unwrap().len(), 1);

        let at = Utc::now();
        let first = json!({"salt": "7", "signer": "a"});
        let outcomes = [
            store
                .request_rfq_fill("q1", first.clone(), at)
                .await
                .unwrap(),
            store
                .request_rfq_fill("q1", json!({"salt": "8"}), at)
                .await
                .unwrap(),
            store.request_rfq_fill("nope", json!({}), at).await.unwrap(),
        ];
        assert_eq!(
            outcomes,
            [
                FillRequestOutcome::Recorded,
                FillRequestOutcome::AlreadyRequested,
                FillRequestOutcome::Unknown
            ]
        );
        let row = store.rfq_quote("q1").await.unwrap().unwrap();
        assert_eq!(row.status, FILL_REQUESTED);
        assert_eq!(row.fill_request, Some(first));
        assert_eq!(
            row.fill_requested_at.map(|t| t.timestamp_millis()),
            Some(at.timestamp_millis())
        );
        assert_eq!(statuses(&row), [json!(QUOTED), json!(FILL_REQUESTED)]);
    }

    #[tokio::test]
    async fn the_fill_workflow_writes_its_statuses_once_each() {
        use alloy::primitives::B256;
        use hedgeflow_proto::rfq::fill::FillStatus;
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("f.db").display());
        let store = Store::connect(&url).await.unwrap();
        store.insert_rfq_quotes([quote("q1", "0x1")]).await.unwrap();
        let record = |status, tx_hash, detail: Option<&str>| FillRecord {
            quote_id: "q1".into(),
            status,
            tx_hash,
            block_number: tx_hash.map(|_| 12),
            detail: detail.map(str::to_owned),
            trade: None,
        };
        let tx = Some(B256::repeat_byte(7));
        for write in [
            record(FillStatus::Requested, None, None),
            record(FillStatus::Submitted, tx, None),
            // a retried write changes nothing
            record(FillStatus::Submitted, tx, None),
            record(FillStatus::Failed, tx, Some("reverted in block 12")),
        ] {
            store.record_rfq_fill(&write).await.unwrap();
        }
        let row = store.rfq_quote("q1").await.unwrap().unwrap();
        assert_eq!(row.status, "fill failed");
        assert_eq!(row.fill_tx, Some(B256::repeat_byte(7).to_string()));
        assert_eq!(row.fill_block, Some(12));
        assert_eq!(row.fill_detail.as_deref(), Some("reverted in block 12"));
        assert_eq!(
            statuses(&row),
            [
                json!(QUOTED),
                json!("fill requested"),
                json!("fill submitted"),
                json!("fill failed")
            ]
        );
        // A fill of a quote never stored is refused.
        let mut unknown = record(FillStatus::Requested, None, None);
        unknown.quote_id = "nope".into();
        assert!(store.record_rfq_fill(&unknown).await.is_err());
    }

    #[tokio::test]
    async fn a_hedge_is_recorded_once_on_every_quote_it_covered() {
        use hedgeflow_proto::{
            rfq::hedge::{HedgeExecution, HedgeRecord, QuoteHedge},
            rfq::side::Side,
        };
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("q.db").display());
        let store = Store::connect(&url).await.unwrap();
        store
            .insert_rfq_quotes([quote("q1", "0x01"), quote("q2", "0x02")])
            .await
            .unwrap();
        let execution = HedgeExecution {
            client_order_id: "hedge-WETH-USDC-9".into(),
            order_id: Some(42),
            symbol: "ETHUSDT".into(),
            side: Side::Buy,
            status: "FILLED".into(),
            quantity: "0.5".parse().unwrap(),
            limit_price: "3030".parse().unwrap(),
            executed: "0.5".parse().unwrap(),
            average_price: Some("3001".parse().unwrap()),
            mark_price: "3000".parse().unwrap(),
            fees: [("ETH".to_owned(), "0.0005".parse().unwrap())].into(),
            fees_in_quote: "1.5005".parse().unwrap(),
            fees_complete: true,
            at_ms: 1_700_000_000_000,
        };
        let record = HedgeRecord {
            market: "WETH/USDC".into(),
            epoch: 9,
            net: "0.5".parse().unwrap(),
            carried_in: Decimal::ZERO,
            carried_out: Decimal::ZERO,
            execution: execution.clone(),
            quotes: vec![
                QuoteHedge {
                    quote_id: "q1".into(),
                    pnl: "1.25".parse().unwrap(),
                },
                QuoteHedge {
                    quote_id: "q2".into(),
                    pnl: "-0.5".parse().unwrap(),
                },
            ],
        };
        store.record_hedge(&record).await.unwrap();
        // A retried record changes nothing: one hedge row, one `hedged` entry per quote.
        store.record_hedge(&record).await.unwrap();
        let hedges = store.rfq_hedges("WETH/USDC").await.unwrap();
        assert_eq!(hedges.len(), 1);
        assert_eq!(hedges[0].order_id, Some(42));
        assert_eq!(hedges[0].average_price.as_deref(), Some("3001"));
        for (id, pnl) in [("q1", "1.25"), ("q2", "-0.5")] {
            let row = store.rfq_quote(id).await.unwrap().unwrap();
            assert_eq!(row.status, "hedged");
            assert_eq!(statuses(&row), [json!("quoted"), json!("hedged")]);
            assert_eq!(row.hedge_order.as_deref(), Some("hedge-WETH-USDC-9"));
            assert_eq!(row.realized_pnl.as_deref(), Some(pnl));
            let trade: HedgeExecution = serde_json::from_value(row.hedge_trade.unwrap()).unwrap();
            assert_eq!(trade, execution);
        }
        // A hedge naming a quote that does not exist is refused whole.
        let mut unknown = record.clone();
        unknown.execution.client_order_id = "hedge-WETH-USDC-10".into();
        unknown.quotes.push(QuoteHedge {
            quote_id: "nope".into(),
            pnl: Decimal::ZERO,
        });
        assert!(store.record_hedge(&unknown).await.is_err());
        assert_eq!(store.rfq_hedges("WETH/USDC").await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn profiles_are_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("p.db").display());
        let store = Store::connect(&url).await.unwrap();
        assert_eq!(store.dealer_profiles("takers").await.unwrap(), None);
        store
            .save_dealer_profiles("takers", json!({"deny": ["a"]}))
            .await
            .unwrap();
        store
            .save_dealer_profiles("takers", json!({"deny": []}))
            .await
            .unwrap();
        assert_eq!(
            store.dealer_profiles("takers").await.unwrap(),
            Some(json!({"deny": []}))
        );
        assert_eq!(store.dealer_profiles("other").await.unwrap(), None);
    }
}
