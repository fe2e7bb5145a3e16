//! The intent hedger's quotes: one `intent_quotes` row per `IntentBook` quote we saw, with the
//! chain's view, our broker and chain positions, and the hedger's status history.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IntentQuotes {
    Table,
    WorkflowId,
    ChainId,
    QuoteId,
    Book,
    PartyA,
    SymbolId,
    Symbol,
    PositionType,
    OrderType,
    Quantity,
    RequestedPrice,
    OpenedPrice,
    ChainStatus,
    HedgerState,
    BrokerPosition,
    ChainPosition,
    Notional,
    ErrorCode,
    Reason,
    Record,
    StatusHistory,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IntentQuotes::Table)
                    .if_not_exists()
                    .col(string(IntentQuotes::WorkflowId).primary_key())
                    .col(big_integer(IntentQuotes::ChainId))
                    .col(big_integer(IntentQuotes::QuoteId))
                    .col(string(IntentQuotes::Book))
                    .col(string_null(IntentQuotes::PartyA))
                    .col(big_integer_null(IntentQuotes::SymbolId))
                    .col(string_null(IntentQuotes::Symbol))
                    .col(string_null(IntentQuotes::PositionType))
                    .col(string_null(IntentQuotes::OrderType))
                    .col(string_null(IntentQuotes::Quantity))
                    .col(string_null(IntentQuotes::RequestedPrice))
                    .col(string_null(IntentQuotes::OpenedPrice))
                    .col(string_null(IntentQuotes::ChainStatus))
                    .col(string(IntentQuotes::HedgerState))
                    .col(string(IntentQuotes::BrokerPosition))
                    .col(string(IntentQuotes::ChainPosition))
                    .col(string(IntentQuotes::Notional))
                    .col(integer_null(IntentQuotes::ErrorCode))
                    .col(string_null(IntentQuotes::Reason))
                    .col(json(IntentQuotes::Record))
                    .col(json(IntentQuotes::StatusHistory))
                    .col(timestamp_with_time_zone(IntentQuotes::CreatedAt))
                    .col(timestamp_with_time_zone(IntentQuotes::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("intent_quotes_party_a")
                    .table(IntentQuotes::Table)
                    .col(IntentQuotes::PartyA)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IntentQuotes::Table).to_owned())
            .await
    }
}
