//! `intent_quotes`: one row per `IntentBook` quote the intent hedger saw, keyed by its workflow
//! id (`intent-<chainId>-<book>-<quoteId>-<identity>`). Decimals are strings; `record` is the whole
//! `IntentRecord` of the last step.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "intent_quotes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub workflow_id: String,
    pub chain_id: i64,
    pub quote_id: i64,
    pub book: String,
    pub party_a: Option<String>,
    pub symbol_id: Option<i64>,
    /// The broker symbol hedging it.
    pub symbol: Option<String>,
    /// `LONG`/`SHORT` (party A's side), `LIMIT`/`MARKET`.
    pub position_type: Option<String>,
    pub order_type: Option<String>,
    pub quantity: Option<String>,
    pub requested_price: Option<String>,
    pub opened_price: Option<String>,
    /// The `IntentBook` status last read (`OPENED`, …).
    pub chain_status: Option<String>,
    /// The hedger's state (`opened`, `rejected`, …), latest of `status_history`.
    pub hedger_state: String,
    /// Signed positions of this quote: ours on the broker, party B's on chain.
    pub broker_position: String,
    pub chain_position: String,
    /// |chain position| × opened price: what the quote uses of the caps.
    pub notional: String,
    pub error_code: Option<i32>,
    pub reason: Option<String>,
    pub record: Json,
    pub status_history: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
