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
        for column in [
            string_null(RfqQuotes::FillTx),
            big_integer_null(RfqQuotes::FillBlock),
            text_null(RfqQuotes::FillDetail),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(RfqQuotes::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            RfqQuotes::FillTx,
            RfqQuotes::FillBlock,
            RfqQuotes::FillDetail,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(RfqQuotes::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
