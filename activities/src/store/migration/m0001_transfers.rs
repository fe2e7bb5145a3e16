use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Transfers {
    Table,
    WorkflowId,
    RequestId,
    Chain,
    ChainId,
    Token,
    Recipient,
    Amount,
    Status,
    TxHash,
    BlockNumber,
    Error,
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
                    .table(Transfers::Table)
                    .if_not_exists()
                    .col(string(Transfers::WorkflowId).primary_key())
                    .col(string(Transfers::RequestId))
                    .col(string(Transfers::Chain))
                    .col(big_integer_null(Transfers::ChainId))
                    .col(string(Transfers::Token))
                    .col(string(Transfers::Recipient))
                    .col(string(Transfers::Amount))
                    .col(string(Transfers::Status))
                    .col(string_null(Transfers::TxHash))
                    .col(big_integer_null(Transfers::BlockNumber))
                    .col(text_null(Transfers::Error))
                    .col(json(Transfers::StatusHistory))
                    .col(timestamp_with_time_zone(Transfers::CreatedAt))
                    .col(timestamp_with_time_zone(Transfers::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("transfers_status")
                    .table(Transfers::Table)
                    .col(Transfers::Status)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Transfers::Table).to_owned())
            .await
    }
}
