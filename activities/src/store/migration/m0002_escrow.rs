use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EscrowOrders {
    Table,
    WorkflowId,
    ChainId,
    OrderId,
    Recipient,
    Amount,
    Fee,
    SetOrderTx,
    SetOrderBlock,
    Source,
    Status,
    Detail,
    TransferTx,
    TransferBlock,
    ClaimTx,
    ClaimBlock,
    ReleaseTx,
    ReleaseBlock,
    StatusHistory,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EscrowOrderErrors {
    Table,
    WorkflowId,
    Seq,
    Step,
    Message,
    At,
}

#[derive(DeriveIden)]
enum ChainCursors {
    Table,
    Name,
    Block,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EscrowOrders::Table)
                    .if_not_exists()
                    .col(string(EscrowOrders::WorkflowId).primary_key())
                    .col(big_integer(EscrowOrders::ChainId))
                    .col(big_integer(EscrowOrders::OrderId))
                    .col(string(EscrowOrders::Recipient))
                    .col(string(EscrowOrders::Amount))
                    .col(string(EscrowOrders::Fee))
                    .col(string(EscrowOrders::SetOrderTx))
                    .col(big_integer(EscrowOrders::SetOrderBlock))
                    .col(string(EscrowOrders::Source))
                    .col(string(EscrowOrders::Status))
                    .col(text_null(EscrowOrders::Detail))
                    .col(string_null(EscrowOrders::TransferTx))
                    .col(big_integer_null(EscrowOrders::TransferBlock))
                    .col(string_null(EscrowOrders::ClaimTx))
                    .col(big_integer_null(EscrowOrders::ClaimBlock))
                    .col(string_null(EscrowOrders::ReleaseTx))
                    .col(big_integer_null(EscrowOrders::ReleaseBlock))
                    .col(json(EscrowOrders::StatusHistory))
                    .col(timestamp_with_time_zone(EscrowOrders::CreatedAt))
                    .col(timestamp_with_time_zone(EscrowOrders::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("escrow_orders_status_chain")
                    .table(EscrowOrders::Table)
                    .col(EscrowOrders::Status)
                    .col(EscrowOrders::ChainId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EscrowOrderErrors::Table)
                    .if_not_exists()
                    .col(string(EscrowOrderErrors::WorkflowId))
                    .col(integer(EscrowOrderErrors::Seq))
                    .col(string(EscrowOrderErrors::Step))
                    .col(text(EscrowOrderErrors::Message))
                    .col(timestamp_with_time_zone(EscrowOrderErrors::At))
                    .primary_key(
                        Index::create()
                            .col(EscrowOrderErrors::WorkflowId)
                            .col(EscrowOrderErrors::Seq),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ChainCursors::Table)
                    .if_not_exists()
                    .col(string(ChainCursors::Name).primary_key())
                    .col(big_integer(ChainCursors::Block))
                    .col(timestamp_with_time_zone(ChainCursors::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            EscrowOrders::Table.into_iden(),
            EscrowOrderErrors::Table.into_iden(),
            ChainCursors::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
