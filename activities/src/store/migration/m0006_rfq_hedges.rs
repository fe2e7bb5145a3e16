//! The hedger's records: one `rfq_hedges` row per epoch hedged (the exchange's answer, the net
//! and carry, the quotes covered), and on each quote its hedge trade and realized P&L.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RfqHedges {
    Table,
    ClientOrderId,
    Market,
    Epoch,
    Symbol,
    Side,
    Status,
    OrderId,
    Executed,
    AveragePrice,
    FeesInQuote,
    Net,
    CarriedIn,
    CarriedOut,
    Execution,
    Quotes,
    ExecutedAt,
}

#[derive(DeriveIden)]
enum RfqQuotes {
    Table,
    HedgeOrder,
    HedgeTrade,
    RealizedPnl,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RfqHedges::Table)
                    .if_not_exists()
                    .col(string(RfqHedges::ClientOrderId).primary_key())
                    .col(string(RfqHedges::Market))
                    .col(big_integer(RfqHedges::Epoch))
                    .col(string(RfqHedges::Symbol))
                    .col(string(RfqHedges::Side))
                    .col(string(RfqHedges::Status))
                    .col(big_integer_null(RfqHedges::OrderId))
                    .col(string(RfqHedges::Executed))
                    .col(string_null(RfqHedges::AveragePrice))
                    .col(string(RfqHedges::FeesInQuote))
                    .col(string(RfqHedges::Net))
                    .col(string(RfqHedges::CarriedIn))
                    .col(string(RfqHedges::CarriedOut))
                    .col(json(RfqHedges::Execution))
                    .col(json(RfqHedges::Quotes))
                    .col(timestamp_with_time_zone(RfqHedges::ExecutedAt))
                    .to_owned(),
            )
            .await?;
        let columns = vec![
            string_null(RfqQuotes::HedgeOrder),
            json_null(RfqQuotes::HedgeTrade),
            string_null(RfqQuotes::RealizedPnl),
        ];
        super::add_columns(manager, RfqQuotes::Table.into_iden(), columns).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            RfqQuotes::HedgeOrder,
            RfqQuotes::HedgeTrade,
            RfqQuotes::RealizedPnl,
        ];
        let columns = columns.into_iter().map(IntoIden::into_iden).collect();
        super::drop_columns(manager, RfqQuotes::Table.into_iden(), columns).await?;
        manager
            .drop_table(Table::drop().table(RfqHedges::Table).to_owned())
            .await
    }
}
