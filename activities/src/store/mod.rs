//! Our database, through sea-orm: SQLite by default, PostgreSQL by URL.
//!
//! - [`entity`]: the tables as sea-orm entities;
//! - [`migration`]: schema migrations, applied on every connect (idempotent);
//! - [`transfers`]: treasury transfer rows and the `record_transfer` activity.
//!
//! Only the orchestrator role connects with write credentials.

pub mod entity;
pub mod migration;
pub mod transfers;

use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error("stored row {0} does not decode: {1}")]
    Corrupt(String, String),
}

impl crate::failure::Retryable for StoreError {
    fn is_retryable(&self) -> bool {
        // A DB outage heals; a row we cannot decode will not.
        matches!(self, Self::Db(_))
    }
}

/// A connection pool with the schema migrated.
#[derive(Clone, Debug)]
pub struct Store {
    pub db: DatabaseConnection,
}

impl Store {
    /// Connects and applies pending migrations. `url` is `sqlite://path?mode=rwc` or
    /// `postgres://user:pass@host/db`; errors never repeat the URL (it may hold a password).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .max_connections(8)
            .connect_timeout(Duration::from_secs(10))
            .sqlx_logging(false);
        let db = Database::connect(options).await?;
        migration::Migrator::up(&db, None).await?;
        Ok(Self { db })
    }
}
