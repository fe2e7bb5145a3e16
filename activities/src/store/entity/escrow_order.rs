//! `escrow_orders`: one row per escrow order workflow, with its status history and transactions.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "escrow_orders")]
pub struct Model {
    /// `escrow-<chainId>-<orderId>-<tx>`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub workflow_id: String,
    pub chain_id: i64,
    pub order_id: i64,
    pub recipient: String,
    /// Wei, decimal.
    pub amount: String,
    pub fee: String,
    pub set_order_tx: String,
    pub set_order_block: i64,
    /// `websocket`, `poller` or `scan`: which input started it.
    pub source: String,
    pub status: String,
    /// Why it is in this status (a drop or failure reason).
    pub detail: Option<String>,
    pub transfer_tx: Option<String>,
    pub transfer_block: Option<i64>,
    pub claim_tx: Option<String>,
    pub claim_block: Option<i64>,
    pub release_tx: Option<String>,
    pub release_block: Option<i64>,
    /// `[{"status", "at", "detail"?}]`, oldest first.
    pub status_history: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
