//! `transfers`: one row per treasury transfer workflow, with its status history.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "transfers")]
pub struct Model {
    /// `transfer-<chainId>-<requestId>`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub workflow_id: String,
    pub request_id: String,
    pub chain: String,
    pub chain_id: Option<i64>,
    pub token: String,
    pub recipient: String,
    /// Base units, decimal.
    pub amount: String,
    pub status: String,
    pub tx_hash: Option<String>,
    pub block_number: Option<i64>,
    pub error: Option<String>,
    /// `[{"status": "...", "at": "RFC 3339"}]`, oldest first.
    pub status_history: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
