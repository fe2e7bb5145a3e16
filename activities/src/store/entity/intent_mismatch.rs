//! `intent_mismatches`: what the position validator found, one row per mismatch per run.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "intent_mismatches")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub chain_id: i64,
    /// `intent-<chainId>-<book>-<quoteId>-<identity>` or a broker symbol.
    pub subject: String,
    /// `chain` or `broker`.
    pub against: String,
    /// Signed positions as decimals: ours (the DB) and theirs.
    pub ours: String,
    pub theirs: String,
    pub detail: String,
    pub seen_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
