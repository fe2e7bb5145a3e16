use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RfqQuotes {
    Table,
    QuoteId,
    ChainId,
    Settlement,
    Taker,
    MakerAsset,
    TakerAsset,
    MakerAmount,
    TakerAmount,
    SizeSide,
    Size,
    Market,
    Side,
    Price,
    Pricing,
    RfqOrder,
    OrderHash,
    Signature,
    QuotedAt,
    ExpiresAt,
    Status,
    StatusHistory,
    FillRequest,
    FillRequestedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RfqQuotes::Table)
                    .if_not_exists()
                    .col(string(RfqQuotes::QuoteId).primary_key())
                    .col(big_integer(RfqQuotes::ChainId))
                    .col(string(RfqQuotes::Settlement))
                    .col(string(RfqQuotes::Taker))
                    .col(string(RfqQuotes::MakerAsset))
                    .col(string(RfqQuotes::TakerAsset))
                    .col(string(RfqQuotes::MakerAmount))
                    .col(string(RfqQuotes::TakerAmount))
                    .col(string(RfqQuotes::SizeSide))
                    .col(string(RfqQuotes::Size))
                    .col(string(RfqQuotes::Market))
                    .col(string(RfqQuotes::Side))
                    .col(string(RfqQuotes::Price))
                    .col(json(RfqQuotes::Pricing))
                    .col(json(RfqQuotes::RfqOrder))
                    .col(string_uniq(RfqQuotes::OrderHash))
                    .col(string(RfqQuotes::Signature))
                    .col(timestamp_with_time_zone(RfqQuotes::QuotedAt))
                    .col(timestamp_with_time_zone(RfqQuotes::ExpiresAt))
                    .col(string(RfqQuotes::Status))
                    .col(json(RfqQuotes::StatusHistory))
                    .col(json_null(RfqQuotes::FillRequest))
                    .col(timestamp_with_time_zone_null(RfqQuotes::FillRequestedAt))
                    .to_owned(),
            )
            .await?;
        // Ops look quotes up by taker and time; the fill workflow by status.
        manager
            .create_index(
                Index::create()
                    .name("rfq_quotes_taker_quoted_at")
                    .table(RfqQuotes::Table)
                    .col(RfqQuotes::Taker)
                    .col(RfqQuotes::QuotedAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RfqQuotes::Table).to_owned())
            .await
    }
}
