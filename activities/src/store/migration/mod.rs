//! Schema migrations, in order. Never edit one that has shipped: add the next.

mod m0001_transfers;
mod m0002_escrow;
mod m0003_rfq_quotes;
mod m0004_dealer_profiles;
mod m0005_rfq_fills;
mod m0006_rfq_hedges;
mod m0007_intent_quotes;
mod m0008_intent_mismatches;
mod m0009_rfq_filled_trades;

use sea_orm_migration::{
    MigrationTrait, MigratorTrait, async_trait,
    prelude::{ColumnDef, DbErr, DynIden, SchemaManager, Table},
};

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_transfers::Migration),
            Box::new(m0002_escrow::Migration),
            Box::new(m0003_rfq_quotes::Migration),
            Box::new(m0004_dealer_profiles::Migration),
            Box::new(m0005_rfq_fills::Migration),
            Box::new(m0006_rfq_hedges::Migration),
            Box::new(m0007_intent_quotes::Migration),
            Box::new(m0008_intent_mismatches::Migration),
            Box::new(m0009_rfq_filled_trades::Migration),
        ]
    }
}

/// Adds `columns` to `table`, one statement each (SQLite alters a table one column at a time).
async fn add_columns(
    manager: &SchemaManager<'_>,
    table: DynIden,
    columns: Vec<ColumnDef>,
) -> Result<(), DbErr> {
    for column in columns {
        let mut alter = Table::alter();
        alter.table(table.clone()).add_column(column);
        manager.alter_table(alter).await?;
    }
    Ok(())
}

/// Drops `columns` from `table`, one statement each.
async fn drop_columns(
    manager: &SchemaManager<'_>,
    table: DynIden,
    columns: Vec<DynIden>,
) -> Result<(), DbErr> {
    for column in columns {
        let mut alter = Table::alter();
        alter.table(table.clone()).drop_column(column);
        manager.alter_table(alter).await?;
    }
    Ok(())
}
