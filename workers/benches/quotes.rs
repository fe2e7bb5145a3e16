//! `cargo bench -p hedgeflow --bench quotes --profile dev` (or without `--profile dev`, the
//! release bench profile): the dealer's quote path through its real front door, against the
//! front door's no-op method, in the same run.
//!
//! - Server (this process): an anvil with `RfqSettlement` and the test tokens, the hot wallet's
//!   quote signer (gRPC), a paper exchange and the OBM over it (gRPC), `QuoteService` (real
//!   pricing, real signing, the dealer role's `StoredQuotes` on SQLite) and `FrontDoor`, all on
//!   free local ports.
//! - Load (a child process: this binary re-run with `HEDGEFLOW_BENCH_ROLE=load`, so that the
//!   generator does not share the server's runtime): open loop at a fixed rate
//!   (`HEDGEFLOW_BENCH_QPS`, default 1,000) for `HEDGEFLOW_BENCH_SECONDS` (default 20) after
//!   `HEDGEFLOW_BENCH_WARMUP` (default 3) unmeasured seconds, over a keep-alive connection pool;
//!   latency runs from each request's *scheduled* send time, so a stalled server or generator
//!   cannot hide its queue (no coordinated omission). It prints its results as JSON on stdout.
//! - Runs, one after the other on the same front door: `dealer_time` (the baseline),
//!   `dealer_getQuote` priced only (`includeOrder = false`), then signed and stored
//!   (`includeOrder = true`).
//!
//! Writes `bench/quotes/REPORT.md` (and prints it). The report is the measurement; nothing here
//! asserts a time.

#![allow(clippy::too_many_lines, reason = "a bench reads as one story")]

#[path = "../tests/e2e/contract_chain/mod.rs"]
mod contract_chain;
#[path = "quotes/generator.rs"]
mod generator;
#[path = "common/process_cpu.rs"]
mod process_cpu;
#[path = "quotes/report.rs"]
mod report;
#[path = "../tests/e2e/rfq_stack/mod.rs"]
mod rfq_stack;

use alloy::primitives::{Address, U256};
use generator::{cpu_time, generator, histogram, micros, summary};
use hdrhistogram::Histogram;
use hedgeflow_activities::store::dealer::StoredQuotes;
use hedgeflow_activities::store::{Store, entity::rfq_quote};
use hedgeflow_dealer::api::Dealer;
use hedgeflow_dealer::profiler::RateLimit;
use hedgeflow_dealer::rpc::{FrontDoor, FrontDoorConfig, SecretSource};
use hedgeflow_dealer::service::{
    FillRecord, FillRecorded, QuoteRecord, QuoteService, QuoteStore, StoreError,
};
use report::report;
use rfq_stack::contract_chain::mined;
use rfq_stack::{DEPLOYER, HOT_WALLET, RfqChain, SettleOnChain, TAKER, WETH, obm, ready};
use rust_decimal::Decimal;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::os::unix::process::CommandExt as _;
use std::process::Stdio;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

const ROLE: &str = "HEDGEFLOW_BENCH_ROLE";
const URL: &str = "HEDGEFLOW_BENCH_URL";
const BODY: &str = "HEDGEFLOW_BENCH_BODY";
const QPS: &str = "HEDGEFLOW_BENCH_QPS";
const SECONDS: &str = "HEDGEFLOW_BENCH_SECONDS";
const WARMUP: &str = "HEDGEFLOW_BENCH_WARMUP";

const CHAIN_ID: u64 = 41353;
/// 0.01 WETH, the market's minimum: the smallest book walk, so size is not what is measured.
const QUOTE_SIZE: u128 = WETH / 100;
/// Minted to the hot wallet on top of the fixture's 10 WETH, and the WETH exposure cap: at the
/// fixture's 10 s quote TTL, 1,000 quotes/s of 0.01 WETH keep ~100 WETH pending; both leave
/// room for a hundred times that rate.
const EXTRA_WETH: u128 = 100_000;
const EXPOSURE_CAP_WETH: u64 = 50_000;
/// Per taker: every request comes from one taker, and the rate limit must not be what is
/// measured.
const RATE_LIMIT: u32 = 1_000_000;
/// A request still unanswered after this counts as `timeout` (its latency as this long).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Quantiles reported, with their column names.
const QUANTILES: [(f64, &str); 4] = [(0.5, "p50"), (0.9, "p90"), (0.99, "p99"), (0.999, "p99.9")];
/// The goal for a signed quote.
const GOAL_P99_US: u64 = 2_000;

fn env_or<T: FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The load and its timing, read once by the server and handed to each generator.
#[derive(Debug, Clone, Copy)]
struct Plan {
    qps: f64,
    seconds: f64,
    warmup: f64,
}

impl Plan {
    fn from_env() -> Self {
        Self {
            qps: env_or(QPS, 1_000.0),
            seconds: env_or(SECONDS, 20.0),
            warmup: env_or(WARMUP, 3.0),
        }
    }
}

/// What a generator measured, as it prints it (measured window only, warm-up excluded).
#[derive(Debug, Serialize, Deserialize)]
struct LoadResult {
    sent: u64,
    ok: u64,
    /// Answered with a JSON-RPC result during the warm-up.
    warmup_ok: u64,
    /// By JSON-RPC error (`code: message`), or `http NNN`, `timeout`, `transport`, `malformed`.
    errors: BTreeMap<String, u64>,
    /// Results per second, from the first measured scheduled send to the last measured reply.
    throughput: f64,
    /// Scheduled send → reply read, µs: see [`summary`].
    latency_us: Vec<u64>,
    /// Scheduled send → request task running, µs (the generator's own delay): p99, max.
    lag_us: [u64; 2],
    /// Requests sent, warm-up included.
    requests: u64,
    /// The generator's CPU time, µs.
    cpu_us: u64,
}

fn main() {
    if std::env::var(ROLE).as_deref() == Ok("load") {
        generator();
    } else {
        server();
    }
}

// ---- the server (this process) ----

/// One measured method call.
struct Run {
    name: &'static str,
    body: String,
    /// Whether the reply must carry a signed order (checked once before the load).
    signed: Option<bool>,
}

fn rpc(method: &str, params: Value) -> String {
    json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string()
}

fn quote_run(
    name: &'static str,
    weth: Address,
    usdc: Address,
    taker: Address,
    signed: bool,
) -> Run {
    let params = json!([
        weth.to_string(),
        usdc.to_string(),
        QUOTE_SIZE.to_string(),
        null,
        taker.to_string(),
        signed
    ]);
    Run {
        name,
        body: rpc("dealer_getQuote", params),
        signed: Some(signed),
    }
}

/// One call before the load, so a misconfigured run fails here rather than as a table of errors.
async fn probe(url: &str, run: &Run) {
    let reply: Value = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(run.body.clone())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let result = reply
        .get("result")
        .unwrap_or_else(|| panic!("{}: {reply}", run.name));
    if let Some(signed) = run.signed {
        assert_eq!(
            result[0]["order"].is_object(),
            signed,
            "{}: {reply}",
            run.name
        );
    }
}

/// Runs a generator process against `url` and waits for its results.
async fn load(url: &str, body: &str, plan: Plan) -> LoadResult {
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    command
        .env(ROLE, "load")
        .env(URL, url)
        .env(BODY, body)
        .env(QPS, plan.qps.to_string())
        .env(SECONDS, plan.seconds.to_string())
        .env(WARMUP, plan.warmup.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped());
    // SAFETY: prctl is async-signal-safe. The generator gets SIGTERM if this process dies,
    // even by SIGKILL, so it never outlives the bench.
    unsafe {
        command.pre_exec(|| {
            nix::sys::prctl::set_pdeathsig(Some(nix::sys::signal::Signal::SIGTERM))
                .map_err(std::io::Error::from)
        });
    }
    let child = tokio::process::Command::from(command)
        .kill_on_drop(true)
        .spawn()
        .expect("starting the load generator");
    let limit = Duration::from_secs_f64(plan.warmup + plan.seconds) + REQUEST_TIMEOUT * 2;
    // On a timeout the child is dropped, hence killed.
    let output = tokio::time::timeout(limit, child.wait_with_output())
        .await
        .expect("the load generator overran")
        .unwrap();
    assert!(output.status.success(), "load generator: {}", output.status);
    serde_json::from_slice(&output.stdout).expect("the load generator's JSON")
}

/// The dealer's store with `save` timed, to tell storing from signing in a signed quote.
struct TimedStore {
    inner: StoredQuotes,
    saves: Mutex<Histogram<u64>>,
}

#[async_trait::async_trait]
impl QuoteStore for TimedStore {
    async fn save(&self, record: QuoteRecord) -> Result<(), StoreError> {
        let started = Instant::now();
        let saved = self.inner.save(record).await;
        let took = micros(started.elapsed());
        self.saves.lock().unwrap().saturating_record(took);
        saved
    }

    async fn get(&self, quote_id: Uuid) -> Result<Option<QuoteRecord>, StoreError> {
        self.inner.get(quote_id).await
    }

    async fn fill_state(
        &self,
        quote_id: Uuid,
    ) -> Result<Option<hedgeflow_dealer::api::FillState>, StoreError> {
        self.inner.fill_state(quote_id).await
    }

    async fn request_fill(
        &self,
        quote_id: Uuid,
        fill: FillRecord,
    ) -> Result<FillRecorded, StoreError> {
        self.inner.request_fill(quote_id, fill).await
    }
}

/// A run and what it came to.
struct Done {
    run: Run,
    load: LoadResult,
    /// This process's CPU time during the run (warm-up included).
    server_cpu: Duration,
}

/// What the server side saw, for the report.
struct Measured {
    results: Vec<Done>,
    /// Rows in the quote table after the runs.
    stored: u64,
    /// `QuoteStore::save` of every signed quote (warm-up included), µs: see [`summary`].
    saves_us: Vec<u64>,
    /// WETH every unexpired signed quote would deliver, after the runs.
    pending_weth: Decimal,
    quote_ttl: Duration,
    load_before: String,
    load_after: String,
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

async fn measure(plan: Plan) -> Measured {
    let load_before = load_average();
    let chain = RfqChain::start("bench-quotes", CHAIN_ID).await;
    let hot_wallet = chain.account(HOT_WALLET);
    let mint = chain
        .weth
        .mint(hot_wallet, U256::from(EXTRA_WETH * WETH))
        .from(chain.account(DEPLOYER));
    mined(mint).await;
    let (obm, signer) = (
        obm().await,
        chain.quote_signer(Duration::from_secs(60)).await,
    );
    // The fixture's configuration with room for the load (see EXTRA_WETH); its fields are
    // public, so no second copy of it is needed.
    let mut config = chain.dealer_config(&obm, &signer);
    config
        .exposure_caps
        .insert("WETH".into(), Decimal::from(EXPOSURE_CAP_WETH));
    let quote_ttl = config.markets[0].quote_ttl;
    // The dealer role's store, on SQLite as in the local stack.
    let dir = tempfile::tempdir().unwrap();
    let database = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    let store = Store::connect(&database).await.unwrap();
    let quotes = Arc::new(TimedStore {
        inner: StoredQuotes::new(store.clone()),
        saves: Mutex::new(histogram()),
    });
    let dealer = Arc::new(
        QuoteService::start(
            config.settings().unwrap(),
            quotes.clone(),
            SettleOnChain::new(&chain),
        )
        .unwrap(),
    );
    ready(&dealer).await;

    let token = dir.path().join("admin-token");
    std::fs::write(&token, Uuid::new_v4().simple().to_string()).unwrap();
    let rate = NonZeroU32::new(RATE_LIMIT).unwrap();
    let front_door_config = FrontDoorConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        admin_listen: "127.0.0.1:0".parse().unwrap(),
        admin_token: SecretSource::File(token),
        rate_limit: RateLimit::new(rate, rate),
        // The bench measures the dealer, not the front door's ceiling or its per-source limit
        // (the load process is one source).
        ceiling: RateLimit::new(rate, rate),
        per_source: RateLimit::new(rate, rate),
        api_keys: None,
        allow: Vec::new(),
        deny: Vec::new(),
    };
    let front_door = FrontDoor::start(&front_door_config, dealer.clone() as Arc<dyn Dealer>)
        .await
        .unwrap();
    let url = format!("http://{}", front_door.public.local_addr);

    let (weth, usdc, taker) = (
        *chain.weth.address(),
        *chain.usdc.address(),
        chain.account(TAKER),
    );
    let runs = [
        Run {
            name: "`dealer_time` (baseline)",
            body: rpc("dealer_time", json!([])),
            signed: None,
        },
        quote_run("`dealer_getQuote`, priced only", weth, usdc, taker, false),
        quote_run(
            "`dealer_getQuote`, signed + stored",
            weth,
            usdc,
            taker,
            true,
        ),
    ];
    let mut results = Vec::new();
    for run in runs {
        probe(&url, &run).await;
        let cpu = cpu_time();
        let load = load(&url, &run.body, plan).await;
        let server_cpu = cpu_time().saturating_sub(cpu);
        results.push(Done {
            run,
            load,
            server_cpu,
        });
    }
    let measured = Measured {
        results,
        stored: rfq_quote::Entity::find().count(&store.db).await.unwrap(),
        saves_us: summary(&quotes.saves.lock().unwrap()),
        pending_weth: dealer.pending_exposure("WETH"),
        quote_ttl,
        load_before,
        load_after: load_average(),
    };
    front_door.stop().await;
    measured
}

fn server() {
    let plan = Plan::from_env();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    // anvil and the generators die with the thread that spawned them (their parent-death
    // signal): everything runs in this thread's `block_on`.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let measured = runtime.block_on(measure(plan));
    runtime.shutdown_timeout(Duration::from_secs(5));
    let report = report(plan, &measured);
    println!("{report}");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/quotes/REPORT.md");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, report).unwrap();
    println!("written to {}", path.display());
}
