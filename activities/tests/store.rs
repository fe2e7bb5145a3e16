//! Integration tests of the store (`hedgeflow_activities::store`): migrations applied on connect
//! (once), `record_transfer`'s upsert and status history, and the read queries.
//!
//! Every scenario runs twice, on a fresh database each time: against SQLite (a temporary file)
//! and against a real PostgreSQL that this test starts itself (`initdb` and `postgres` in a
//! temporary directory, on a free port of 127.0.0.1, stopped when the test ends, even on panic).
//! The PostgreSQL binaries are looked up in `$HEDGEFLOW_TOOLS_DIR`, `<repo>/.tools/bin` (see
//! `scripts/bootstrap`), `/usr/lib/postgresql/*/bin`, then `PATH`. `initdb` refuses to run as
//! root, so as root the server runs as the `postgres` system user.

#![allow(clippy::too_many_lines, reason = "a test reads as one story")]

use alloy::primitives::{Address, B256, U256, address, b256};
use chrono::{DateTime, Utc};
use hedgeflow_activities::store::{
    Store, entity::transfer, escrow::OrderFilter, local_postgres::Postgres, migration::Migrator,
};
use hedgeflow_proto::{
    Amount,
    chain::ConfirmedReceipt,
    escrow::{EscrowOrder, EscrowRecord, EscrowStatus, OrderSource},
    transfer::{TransferPlan, TransferRecord, TransferRequest, TransferStatus},
};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use sea_orm_migration::MigratorTrait;
use std::{future::Future, pin::Pin, time::Duration};
use tempfile::TempDir;

/// The hedger API's and the ops CLI's database user (`deploy/postgres/reader.sql`, created as
/// production creates it: before the orchestrator's first migration) reads every table the
/// migrations make afterwards, and writes, deletes and creates nothing.
#[tokio::test]
async fn the_read_only_user_reads_every_table_and_changes_none() {
    let server = Postgres::start().await;
    let writer_url = server.create_database("hedgeflow").await;
    let reader_url = server.create_reader("hedgeflow", "reader-secret");
    let writer = Store::connect(&writer_url)
        .await
        .expect("the writer migrates");
    assert!(writer.transfer("none").await.unwrap().is_none());
    let reader = Store::connect_read_only(&reader_url).await.unwrap();
    assert!(reader.transfer("none").await.unwrap().is_none());
    let orders = OrderFilter {
        limit: 10,
        ..OrderFilter::default()
    };
    assert!(reader.escrow_orders(&orders).await.unwrap().is_empty());
    reader
        .intent_quotes(&Default::default(), 0, 10)
        .await
        .unwrap();
    for table in [
        "transfers",
        "escrow_orders",
        "rfq_quotes",
        "intent_quotes",
        "dealer_profiles",
    ] {
        reader
            .db
            .execute_unprepared(&format!("SELECT count(*) FROM {table}"))
            .await
            .unwrap_or_else(|e| panic!("the reader reads {table}: {e}"));
    }
    for write in [
        "DELETE FROM transfers",
        "UPDATE escrow_orders SET status = 'FAILED'",
        "INSERT INTO dealer_profiles DEFAULT VALUES",
        "CREATE TABLE stolen (x int)",
        "DROP TABLE rfq_quotes",
    ] {
        let refused = reader.db.execute_unprepared(write).await.unwrap_err();
        assert!(
            refused.to_string().contains("permission denied")
                || refused.to_string().contains("must be owner"),
            "{write}: {refused}"
        );
    }
}

/// The dealer's user (`deploy/postgres/dealer.sql`, created with the database, before any
/// migration) gets, from the orchestrator's migrating connection, exactly what the dealer's
/// queries need: it waits for the schema, stores a quote, records its fill request, saves and
/// reads profiles, and is refused everything else (another table, a quote's settlement or hedge
/// columns, deleting, creating, dropping).
#[tokio::test]
async fn the_dealer_user_writes_its_quotes_and_profiles_and_nothing_else() {
    let server = Postgres::start().await;
    let owner_url = server.create_database("hedgeflow").await;
    let dealer_url = server.create_dealer("hedgeflow", "dealer-secret");
    Store::connect(&owner_url)
        .await
        .expect("the orchestrator migrates and grants");
    // Without its grants the dealer cannot read the migration table and waits for ever.
    let waiting = Store::connect_when_migrated(&dealer_url, Duration::from_millis(50));
    let dealer = tokio::time::timeout(Duration::from_secs(20), waiting)
        .await
        .expect("the dealer sees the schema migrated")
        .unwrap();
    let quote = hedgeflow_activities::store::entity::rfq_quote::Model {
        quote_id: "7c0a3e57-1a3b-4c9e-9d1e-000000000001".into(),
        chain_id: 31337,
        settlement: format!("{}", Address::repeat_byte(0xaa)),
        taker: format!("{}", Address::repeat_byte(0xbb)),
        maker_asset: format!("{}", Address::repeat_byte(0xcc)),
        taker_asset: format!("{}", Address::repeat_byte(0xdd)),
        maker_amount: "1000000000000000000".into(),
        taker_amount: "3000000000".into(),
        size_side: "maker".into(),
        size: "1000000000000000000".into(),
        market: "WETH/USDC".into(),
        side: "buy".into(),
        price: "3000".into(),
        pricing: serde_json::json!({}),
        rfq_order: serde_json::json!({}),
        order_hash: format!("{}", B256::repeat_byte(1)),
        signature: "0x01".into(),
        quoted_at: Utc::now(),
        expires_at: Utc::now(),
        status: String::new(),
        status_history: serde_json::json!([]),
        fill_request: None,
        fill_requested_at: None,
        fill_tx: None,
        fill_block: None,
        fill_detail: None,
        hedge_order: None,
        hedge_trade: None,
        realized_pnl: None,
        filled_trade: None,
        filled_at: None,
    };
    dealer.insert_rfq_quotes([quote.clone()]).await.unwrap();
    assert!(dealer.rfq_quote(&quote.quote_id).await.unwrap().is_some());
    let request = serde_json::json!({"salt": "1"});
    assert_eq!(
        dealer
            .request_rfq_fill(&quote.quote_id, request, Utc::now())
            .await
            .unwrap(),
        hedgeflow_activities::store::dealer::FillRequestOutcome::Recorded
    );
    dealer
        .save_dealer_profiles("front-door", serde_json::json!({"allow": []}))
        .await
        .unwrap();
    dealer
        .save_dealer_profiles("front-door", serde_json::json!({"allow": [1]}))
        .await
        .unwrap();
    assert!(
        dealer
            .dealer_profiles("front-door")
            .await
            .unwrap()
            .is_some()
    );
    for write in [
        "SELECT count(*) FROM escrow_orders",
        "SELECT count(*) FROM transfers",
        "UPDATE rfq_quotes SET fill_tx = '0x01'",
        "UPDATE rfq_quotes SET taker_amount = '1'",
        "UPDATE intent_quotes SET hedger_state = 'closed'",
        "DELETE FROM rfq_quotes",
        "INSERT INTO transfers DEFAULT VALUES",
        "CREATE TABLE stolen (x int)",
        "DROP TABLE rfq_quotes",
    ] {
        let refused = dealer.db.execute_unprepared(write).await.unwrap_err();
        assert!(
            refused.to_string().contains("permission denied")
                || refused.to_string().contains("must be owner"),
            "{write}: {refused}"
        );
    }
}

#[tokio::test]
async fn scenarios_on_sqlite() {
    let dir = TempDir::new().expect("temporary directory");
    run_scenarios(&Backend::Sqlite(dir)).await;
}

/// The dev stack starts every role at once: on a fresh SQLite file, orchestrators migrating
/// together and a dealer waiting for their migrations all get a migrated store.
#[tokio::test]
async fn roles_opening_a_fresh_sqlite_file_together_all_connect() {
    let dir = TempDir::new().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("fresh.db").display()
    );
    let writers = (0..3).map(|_| Store::connect(&url));
    let waiting = Store::connect_when_migrated(&url, Duration::from_millis(50));
    let (writers, waiting) = tokio::join!(futures::future::join_all(writers), waiting);
    for store in writers.into_iter().chain([waiting]) {
        let store = store.expect("connected");
        assert!(
            Migrator::get_pending_migrations_read_only(&store.db)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn scenarios_on_postgres() {
    let server = Postgres::start().await;
    run_scenarios(&Backend::Postgres(server)).await;
}

type Scenario = fn(String) -> Pin<Box<dyn Future<Output = ()>>>;

/// Each scenario gets a database of its own, named after it.
const SCENARIOS: [(&str, Scenario); 6] = [
    ("connect_migrates_once", |url| {
        Box::pin(connect_migrates_once(url))
    }),
    ("first_write_inserts_the_row", |url| {
        Box::pin(first_write_inserts_the_row(url))
    }),
    ("status_history_follows_the_pipeline", |url| {
        Box::pin(status_history_follows_the_pipeline(url))
    }),
    ("rejected_transfer_keeps_its_error", |url| {
        Box::pin(rejected_transfer_keeps_its_error(url))
    }),
    (
        "unfinal_exposure_counts_paid_orders_above_finality",
        |url| Box::pin(unfinal_exposure_counts_paid_orders_above_finality(url)),
    ),
    ("recent_transfers_newest_first", |url| {
        Box::pin(recent_transfers_newest_first(url))
    }),
];

async fn run_scenarios(backend: &Backend) {
    for (name, scenario) in SCENARIOS {
        // Captured by the test harness, so a failure shows which scenario it was.
        eprintln!("{}: {name}", backend.name());
        let url = backend.database(name).await;
        scenario(url).await;
    }
}

// --- scenarios ---------------------------------------------------------------------------------

/// Connecting applies the migrations; connecting again applies nothing and keeps the data.
async fn connect_migrates_once(url: String) {
    let store = Store::connect(&url).await.expect("first connect");
    assert!(store.recent_transfers(10).await.unwrap().is_empty());
    let record = validated("transfer-31337-migrate");
    store.record_transfer(&record).await.unwrap();

    let again = Store::connect(&url).await.expect("second connect");
    let expected: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(applied_migrations(&again.db).await, expected);
    assert!(
        Migrator::get_pending_migrations(&again.db)
            .await
            .unwrap()
            .is_empty()
    );
    let row = again.transfer(&record.workflow_id).await.unwrap();
    assert_eq!(row.expect("row survives a reconnect").status, "validated");
}

/// The first write stores every column of the request and plan.
async fn first_write_inserts_the_row(url: String) {
    let store = Store::connect(&url).await.unwrap();
    let record = validated("transfer-31337-insert");
    store.record_transfer(&record).await.unwrap();

    let row = store
        .transfer(&record.workflow_id)
        .await
        .unwrap()
        .expect("row");
    assert_eq!(row.workflow_id, record.workflow_id);
    assert_eq!(row.request_id, "req-transfer-31337-insert");
    assert_eq!(row.chain, "local");
    assert_eq!(row.chain_id, Some(31337));
    assert_eq!(row.token, "USDC");
    assert_eq!(row.recipient, RECIPIENT.to_string());
    assert_eq!(row.amount, AMOUNT_DECIMAL);
    assert_eq!(row.status, "validated");
    assert_eq!(row.tx_hash, None);
    assert_eq!(row.block_number, None);
    assert_eq!(row.error, None);
    assert_eq!(statuses(&row), ["validated"]);
    assert_eq!(row.created_at, row.updated_at);
    assert_at_is_write_time(&row);
    assert_eq!(store.transfer("missing").await.unwrap(), None);
}

/// Validated → Submitted → Submitted (a retry) → Confirmed: three history entries, in order.
async fn status_history_follows_the_pipeline(url: String) {
    let store = Store::connect(&url).await.unwrap();
    let mut record = validated("transfer-31337-pipeline");
    store.record_transfer(&record).await.unwrap();
    let validated = store.transfer(&record.workflow_id).await.unwrap().unwrap();
    assert_eq!(statuses(&validated), ["validated"]);

    pause().await;
    record.status = TransferStatus::Submitted;
    record.tx_hash = Some(TX_HASH);
    store.record_transfer(&record).await.unwrap();
    let submitted = store.transfer(&record.workflow_id).await.unwrap().unwrap();
    assert_eq!(submitted.status, "submitted");
    assert_eq!(submitted.tx_hash.as_deref(), Some(TX_HASH_HEX));
    assert_eq!(submitted.block_number, None);
    assert_eq!(statuses(&submitted), ["validated", "submitted"]);
    assert_eq!(submitted.created_at, validated.created_at);
    assert!(submitted.updated_at > validated.updated_at);
    assert_at_is_write_time(&submitted);

    // A retried activity writes the same record again: no new history entry.
    pause().await;
    store.record_transfer(&record).await.unwrap();
    let retried = store.transfer(&record.workflow_id).await.unwrap().unwrap();
    assert_eq!(retried.status_history, submitted.status_history);
    assert_eq!(retried.status, "submitted");
    assert_eq!(retried.tx_hash.as_deref(), Some(TX_HASH_HEX));
    assert_eq!(retried.created_at, validated.created_at);
    assert!(retried.updated_at >= submitted.updated_at);

    pause().await;
    record.status = TransferStatus::Confirmed;
    record.receipt = Some(receipt());
    store.record_transfer(&record).await.unwrap();
    let confirmed = store.transfer(&record.workflow_id).await.unwrap().unwrap();
    assert_eq!(confirmed.status, "confirmed");
    assert_eq!(confirmed.tx_hash.as_deref(), Some(TX_HASH_HEX));
    assert_eq!(confirmed.block_number, Some(BLOCK_NUMBER as i64));
    assert_eq!(confirmed.amount, AMOUNT_DECIMAL);
    assert_eq!(confirmed.error, None);
    assert_eq!(
        statuses(&confirmed),
        ["validated", "submitted", "confirmed"]
    );
    let at = history_times(&confirmed);
    assert!(at.is_sorted(), "history times out of order: {at:?}");
    assert_eq!(confirmed.created_at, validated.created_at);
    assert!(confirmed.updated_at > retried.updated_at);
    assert_at_is_write_time(&confirmed);
    assert_eq!(store.recent_transfers(10).await.unwrap(), [confirmed]);
}

/// A transfer refused before any plan stores its reason and the request's fields alone.
async fn rejected_transfer_keeps_its_error(url: String) {
    let store = Store::connect(&url).await.unwrap();
    let workflow_id = "transfer-31337-rejected";
    let mut record = TransferRecord::new(workflow_id.into(), request(workflow_id));
    record.status = TransferStatus::Rejected;
    record.error = Some("balance 5 USDC is below the amount 7 USDC".into());
    store.record_transfer(&record).await.unwrap();

    let row = store.transfer(workflow_id).await.unwrap().expect("row");
    assert_eq!(row.status, "rejected");
    assert_eq!(
        row.error.as_deref(),
        Some("balance 5 USDC is below the amount 7 USDC")
    );
    assert_eq!(row.chain_id, None);
    assert_eq!(row.token, "USDC");
    assert_eq!(row.amount, AMOUNT_DECIMAL);
    assert_eq!(row.tx_hash, None);
    assert_eq!(row.block_number, None);
    assert_eq!(statuses(&row), ["rejected"]);
}

/// `recent_transfers` orders by the latest write, newest first, and honours its limit.
async fn recent_transfers_newest_first(url: String) {
    let store = Store::connect(&url).await.unwrap();
    let ids = ["transfer-31337-a", "transfer-31337-b", "transfer-31337-c"];
    for id in ids {
        store.record_transfer(&validated(id)).await.unwrap();
        pause().await;
    }
    assert_eq!(recent_ids(&store, 10).await, [ids[2], ids[1], ids[0]]);
    assert_eq!(recent_ids(&store, 2).await, [ids[2], ids[1]]);
    assert_eq!(recent_ids(&store, 1).await, [ids[2]]);

    let mut first = validated(ids[0]);
    first.status = TransferStatus::Submitted;
    first.tx_hash = Some(TX_HASH);
    store.record_transfer(&first).await.unwrap();
    assert_eq!(recent_ids(&store, 10).await, [ids[0], ids[2], ids[1]]);
    assert_eq!(recent_ids(&store, 2).await, [ids[0], ids[2]]);
    assert_eq!(store.transfer("missing").await.unwrap(), None);
}

// --- test data and helpers ---------------------------------------------------------------------

const RECIPIENT: Address = address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
const HOT_WALLET: Address = address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
const TOKEN: Address = address!("0x5FbDB2315678afecb367f032d93F642f64180aa3");
const TX_HASH: B256 = b256!("0x8d3d2b1a3c2e6f3a0b9e1c4d5f60718293a4b5c6d7e8f9011223344556677889");
const TX_HASH_HEX: &str = "0x8d3d2b1a3c2e6f3a0b9e1c4d5f60718293a4b5c6d7e8f9011223344556677889";
const BLOCK_NUMBER: u64 = 4_200_000_123;
/// 10^24 + 7 base units: more than a u64 holds, so only a decimal string keeps it exact.
const AMOUNT_DECIMAL: &str = "1000000000000000000000007";

/// The reorg exposure of an L2: what was paid (or is being paid) for orders whose blocks are
/// not final, on that chain only, leaving out the order asking.
async fn unfinal_exposure_counts_paid_orders_above_finality(url: String) {
    let store = Store::connect(&url).await.unwrap();
    let order =
        |chain_id: u64, order_id: u64, block: u64, wei: u64, status: EscrowStatus| EscrowRecord {
            workflow_id: format!("escrow-{chain_id}-{order_id}"),
            order: EscrowOrder {
                chain_id,
                order_id,
                recipient: Address::repeat_byte(7),
                amount: Amount::from(U256::from(wei)),
                fee: Amount::from(U256::from(1u64)),
                block_number: block,
                tx_hash: B256::repeat_byte(order_id as u8),
                source: OrderSource::Poller,
            },
            status,
            detail: None,
            transfer: None,
            claim: None,
            release: None,
            error: None,
        };
    for record in [
        order(10, 1, 100, 1_000, EscrowStatus::Transferring),
        order(10, 2, 101, 20_000, EscrowStatus::Claiming),
        order(10, 3, 102, 300_000, EscrowStatus::Completed),
        order(10, 4, 90, 4_000_000, EscrowStatus::Fulfilled), // final
        order(10, 5, 103, 50_000_000, EscrowStatus::Processing), // not paid
        order(10, 6, 104, 600_000_000, EscrowStatus::Dropped),
        order(11, 7, 105, 7_000_000_000, EscrowStatus::Transferring), // another L2
    ] {
        store.record_escrow_order(&record).await.unwrap();
    }
    let exposure = |except: &'static str| store.escrow_unfinal_exposure(10, 95, except);
    assert_eq!(exposure("none").await.unwrap(), U256::from(321_000u64));
    assert_eq!(
        exposure("escrow-10-3").await.unwrap(),
        U256::from(21_000u64)
    );
}

fn amount() -> Amount {
    Amount(U256::from(10u64).pow(U256::from(24u64)) + U256::from(7u64))
}

fn request(workflow_id: &str) -> TransferRequest {
    TransferRequest {
        request_id: format!("req-{workflow_id}"),
        chain: "local".into(),
        token: "USDC".into(),
        to: RECIPIENT,
        amount: amount(),
    }
}

/// The record as the workflow first saves it: planned and validated.
fn validated(workflow_id: &str) -> TransferRecord {
    let mut record = TransferRecord::new(workflow_id.into(), request(workflow_id));
    record.status = TransferStatus::Validated;
    record.plan = Some(TransferPlan {
        chain_id: 31337,
        token: "USDC".into(),
        token_address: Some(TOKEN),
        decimals: 6,
        from: HOT_WALLET,
        to: RECIPIENT,
        amount: amount(),
        balance_before: Amount(U256::from(10u64).pow(U256::from(30u64))),
        confirmations: 2,
    });
    record
}

fn receipt() -> ConfirmedReceipt {
    ConfirmedReceipt {
        tx_hash: TX_HASH,
        block_number: BLOCK_NUMBER,
        block_hash: B256::repeat_byte(0xbb),
        gas_used: 51_234,
        // Not stored; the default keeps this file independent of the field's type.
        effective_gas_price: Default::default(),
        confirmations: 2,
    }
}

/// Lets the clock move on, so successive writes have distinct `updated_at`s on every backend
/// (PostgreSQL keeps microseconds).
async fn pause() {
    tokio::time::sleep(Duration::from_millis(5)).await;
}

fn statuses(row: &transfer::Model) -> Vec<&str> {
    let entries = row.status_history.as_array().expect("history is an array");
    entries
        .iter()
        .map(|entry| entry["status"].as_str().expect("entry has a status"))
        .collect()
}

fn history_times(row: &transfer::Model) -> Vec<DateTime<Utc>> {
    let entries = row.status_history.as_array().expect("history is an array");
    entries
        .iter()
        .map(|entry| {
            let at = entry["at"].as_str().expect("entry has a time");
            DateTime::parse_from_rfc3339(at)
                .unwrap_or_else(|e| panic!("entry time {at:?}: {e}"))
                .to_utc()
        })
        .collect()
}

/// The newest history entry was appended by the latest write, so it carries its time.
fn assert_at_is_write_time(row: &transfer::Model) {
    let last = *history_times(row).last().expect("history is not empty");
    let gap = (last - row.updated_at).abs();
    assert!(
        gap < chrono::TimeDelta::milliseconds(1),
        "last history entry at {last}, row updated at {}",
        row.updated_at
    );
}

async fn recent_ids(store: &Store, limit: u64) -> Vec<String> {
    let rows = store.recent_transfers(limit).await.unwrap();
    rows.into_iter().map(|row| row.workflow_id).collect()
}

async fn applied_migrations(db: &DatabaseConnection) -> Vec<String> {
    let sql = "SELECT version FROM seaql_migrations ORDER BY version";
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap();
    rows.iter()
        .map(|row| row.try_get::<String>("", "version").unwrap())
        .collect()
}

// --- backends ----------------------------------------------------------------------------------

enum Backend {
    /// A directory for one SQLite file per scenario.
    Sqlite(TempDir),
    Postgres(Postgres),
}

impl Backend {
    fn name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    /// The URL of a new, empty database called `name`.
    async fn database(&self, name: &str) -> String {
        match self {
            Self::Sqlite(dir) => {
                let path = dir.path().join(format!("{name}.db"));
                format!("sqlite://{}?mode=rwc", path.display())
            }
            Self::Postgres(server) => server.create_database(name).await,
        }
    }
}
