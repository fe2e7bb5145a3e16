//! The position validator's findings: one `intent_mismatches` row per mismatch it saw.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IntentMismatches {
    Table,
    Id,
    ChainId,
    Subject,
    Against,
    Ours,
    Theirs,
    Detail,
    SeenAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IntentMismatches::Table)
                    .if_not_exists()
                    .col(pk_auto(IntentMismatches::Id))
                    .col(big_integer(IntentMismatches::ChainId))
                    .col(string(IntentMismatches::Subject))
                    .col(string(IntentMismatches::Against))
                    .col(string(IntentMismatches::Ours))
                    .col(string(IntentMismatches::Theirs))
                    .col(string(IntentMismatches::Detail))
                    .col(timestamp_with_time_zone(IntentMismatches::SeenAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IntentMismatches::Table).to_owned())
            .await
    }
}
