use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DealerProfiles {
    Table,
    Name,
    Profiles,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DealerProfiles::Table)
                    .if_not_exists()
                    .col(string(DealerProfiles::Name).primary_key())
                    .col(json(DealerProfiles::Profiles))
                    .col(timestamp_with_time_zone(DealerProfiles::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DealerProfiles::Table).to_owned())
            .await
    }
}
