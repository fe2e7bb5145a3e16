//! Our database, through sea-orm: SQLite by default, PostgreSQL by URL.
//!
//! - [`entity`]: the tables as sea-orm entities;
//! - [`migration`]: schema migrations, applied on every connect (idempotent);
//! - [`transfers`]: treasury transfer rows;
//! - [`escrow`]: escrow order rows, their error table, and chain reader cursors;
//! - [`dealer`]: the RFQ dealer's signed quotes, their fill requests, and its taker profiles;
//! - [`hedges`]: the hedger's epoch hedges, and each quote's hedge trade and P&L;
//! - [`intents`]: the intent hedger's quotes and positions;
//! - [`writer`]: the store's activities (`record_transfer`, `record_escrow_order`);
//! - [`local_postgres`]: a PostgreSQL server of our own on this machine (tests, local stacks).
//!
//! Only the orchestrator role connects with write credentials. The ops CLI reads through
//! [`Store::connect_read_only`], pointed at a read replica when one is configured.

pub mod dealer;
pub mod entity;
pub mod escrow;
pub mod hedges;
pub mod intents;
pub mod local_postgres;
pub mod migration;
pub mod transfers;
pub mod writer;

use chrono::{DateTime, Utc};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr, prelude::Json,
};
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
    /// Connects and applies pending migrations: the orchestrator's connection, the one that owns
    /// the schema. `url` is `sqlite://path?mode=rwc` or `postgres://user:pass@host/db`; errors
    /// never repeat the URL (it may hold a password).
    ///
    /// Roles that open the database at the same moment (the dev stack starts them together; a
    /// second orchestrator replica) can find it locked, or lose the race to apply a migration
    /// (its version row is taken, its column exists): that passes, so connecting and migrating
    /// is retried for a while before it is an error.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let mut attempts = 0;
        loop {
            let connected = async {
                let store = Self::connect_writer(url, true).await?;
                migration::Migrator::up(&store.db, None).await?;
                store.grant_dealer().await?;
                Ok::<_, StoreError>(store)
            };
            match connected.await {
                Err(StoreError::Db(error)) if attempts < CONNECT_RETRIES => {
                    attempts += 1;
                    tracing::info!(attempts, %error, "database busy or migrated by another role; retrying");
                    tokio::time::sleep(CONNECT_BACKOFF).await;
                }
                done => return done,
            }
        }
    }

    /// Connects to write without migrating, once every migration of this build is applied (by
    /// the orchestrator): a role whose credentials have no DDL rights (the dealer) never runs
    /// against an older schema. Polls every `every`, logging what it waits for.
    /// Reads only (no migration table is created, the journal mode is the orchestrator's), so it
    /// never contends with the migration it waits for.
    pub async fn connect_when_migrated(url: &str, every: Duration) -> Result<Self, StoreError> {
        let store = Self::connect_writer(url, false).await?;
        loop {
            match migration::Migrator::get_pending_migrations_read_only(&store.db).await {
                Ok(pending) if pending.is_empty() => return Ok(store),
                Ok(pending) => tracing::info!(
                    pending = pending.len(),
                    "waiting for the orchestrator to migrate the database"
                ),
                Err(error) => tracing::info!(%error, "waiting for the database schema"),
            }
            tokio::time::sleep(every).await;
        }
    }

    async fn connect_writer(url: &str, set_wal: bool) -> Result<Self, StoreError> {
        let mut options = options(url);
        let sqlite = url.starts_with("sqlite:");
        if sqlite {
            // SQLite has one writer at a time, and a write that finds another one mid-commit
            // fails ("database is locked") instead of waiting. One connection queues our writes
            // in the pool instead; readers elsewhere are not blocked (WAL).
            options.max_connections(1);
        }
        let db = Database::connect(options).await?;
        if sqlite && set_wal {
            // Readers (the ops CLI) no longer block the writer; the mode sticks to the file.
            db.execute_unprepared("PRAGMA journal_mode=WAL").await?;
        }
        Ok(Self { db })
    }

    /// Connects for reading only (a replica, or the main DB when none is configured): no
    /// migration runs, so a replica's credentials never need DDL rights.
    pub async fn connect_read_only(url: &str) -> Result<Self, StoreError> {
        Ok(Self {
            db: Database::connect(options(url)).await?,
        })
    }
}

/// Attempts of [`Store::connect`] after a database error, [`CONNECT_BACKOFF`] apart.
const CONNECT_RETRIES: u32 = 30;
const CONNECT_BACKOFF: Duration = Duration::from_millis(500);

fn options(url: &str) -> ConnectOptions {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(8)
        .connect_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    options
}

/// A status history (`[{"status", "at", "detail"?}]`) with `status` appended, unless it is
/// already the latest entry: a retried write adds nothing.
pub(crate) fn append_status(
    key: &str,
    history: Option<&Json>,
    status: &str,
    detail: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Json, StoreError> {
    let mut history = history.cloned().unwrap_or_else(|| serde_json::json!([]));
    let entries = history.as_array_mut().ok_or_else(|| {
        StoreError::Corrupt(key.to_owned(), "status_history is not an array".into())
    })?;
    let latest = entries.last().and_then(|last| last.get("status"));
    if latest.and_then(Json::as_str) != Some(status) {
        let mut entry = serde_json::json!({ "status": status, "at": now.to_rfc3339() });
        if let Some(detail) = detail {
            entry["detail"] = detail.into();
        }
        entries.push(entry);
    }
    Ok(history)
}
