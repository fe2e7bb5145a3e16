//! The fill workflow's fields on a quote's row: the settlement transaction and why a fill was
//! refused or failed. One column per statement, as SQLite alters a table.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RfqQuotes {
    Table,
    FillTx,
    FillBlock,
    FillDetail,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = vec![
            string_null(RfqQuotes::FillTx),
            big_integer_null(RfqQuotes::FillBlock),
            text_null(RfqQuotes::FillDetail),
        ];
        super::add_columns(manager, RfqQuotes::Table.into_iden(), columns).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            RfqQuotes::FillTx,
            RfqQuotes::FillBlock,
            RfqQuotes::FillDetail,
        ];
        let columns = columns.into_iter().map(IntoIden::into_iden).collect();
        super::drop_columns(manager, RfqQuotes::Table.into_iden(), columns).await
    }
}
