//! The settled fill as its hedger takes it, stored with the quote when it settles, and when: so
//! the unhedged-fills sweep can hand it to a hedger again if the one holding it is gone.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RfqQuotes {
    Table,
    FilledTrade,
    FilledAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = vec![
            json_null(RfqQuotes::FilledTrade),
            timestamp_with_time_zone_null(RfqQuotes::FilledAt),
        ];
        super::add_columns(manager, RfqQuotes::Table.into_iden(), columns).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [RfqQuotes::FilledTrade, RfqQuotes::FilledAt];
        let columns = columns.into_iter().map(IntoIden::into_iden).collect();
        super::drop_columns(manager, RfqQuotes::Table.into_iden(), columns).await
    }
}
