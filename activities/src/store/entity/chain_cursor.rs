//! `chain_cursors`: the last block a chain reader has fully processed, by reader name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "chain_cursors")]
pub struct Model {
    /// e.g. `escrow-scan-31338`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    pub block: i64,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
