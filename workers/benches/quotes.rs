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

#[path = "common/process_cpu.rs"]
mod process_cpu;
#[path = "../tests/rfq_stack/mod.rs"]
mod rfq_stack;

use alloy::primitives::{Address, U256};
use hdrhistogram::Histogram;
use hedgeflow::roles::dealer::StoredQuotes;
use hedgeflow_activities::store::{Store, entity::rfq_quote};
use hedgeflow_dealer::api::Dealer;
use hedgeflow_dealer::profiler::RateLimit;
use hedgeflow_dealer::rpc::{FrontDoor, FrontDoorConfig, SecretSource};
use hedgeflow_dealer::service::{
    FillRecord, FillRecorded, QuoteRecord, QuoteService, QuoteStore, StoreError,
};
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
use tokio::sync::mpsc;
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

// ---- the load generator (child process) ----

/// One request's fate.
struct Outcome {
    measured: bool,
    latency: Duration,
    lag: Duration,
    done: Instant,
    /// `None` for a result.
    error: Option<String>,
}

fn generator() {
    let url: reqwest::Url = std::env::var(URL).expect(URL).parse().expect("a URL");
    let body = std::env::var(BODY).expect(BODY);
    let plan = Plan::from_env();
    // One thread: the generator competes with the server for the same cores, and whatever it
    // adds is in the `dealer_time` baseline too.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let result = runtime.block_on(generate(url, body, plan));
    println!("{}", serde_json::to_string(&result).unwrap());
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 120_000_000, 3).unwrap()
}

/// The histogram at each of [`QUANTILES`], then its maximum.
fn summary(histogram: &Histogram<u64>) -> Vec<u64> {
    QUANTILES
        .iter()
        .map(|(q, _)| histogram.value_at_quantile(*q))
        .chain([histogram.max()])
        .collect()
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

async fn generate(url: reqwest::Url, body: String, plan: Plan) -> LoadResult {
    // Keep-alive is reqwest's default; the pool opens a connection whenever every open one is
    // busy, so a slow reply never delays the next scheduled send.
    let client = reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .unwrap();
    let total = ((plan.warmup + plan.seconds) * plan.qps).round() as u64;
    let first_measured = (plan.warmup * plan.qps).round() as u64;
    let start = Instant::now() + Duration::from_millis(100);
    let at = move |i: u64| start + Duration::from_secs_f64(i as f64 / plan.qps);
    let measure_from = at(first_measured);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let runtime = tokio::runtime::Handle::current();
    // A thread sleep wakes within tens of µs of its deadline; tokio's timer rounds every
    // deadline up to its next 1 ms tick, which would add up to 1 ms to every latency.
    let pacer = std::thread::spawn(move || {
        for i in 0..total {
            let scheduled = at(i);
            if let Some(wait) = scheduled.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            let request = client
                .post(url.clone())
                .header("content-type", "application/json")
                .body(body.clone());
            let tx = tx.clone();
            let measured = i >= first_measured;
            runtime.spawn(async move {
                let lag = scheduled.elapsed();
                let error = match request.send().await {
                    Ok(reply) if reply.status().is_success() => match reply.bytes().await {
                        Ok(bytes) => rpc_error(&bytes),
                        Err(_) => Some("transport".to_owned()),
                    },
                    Ok(reply) => Some(format!("http {}", reply.status().as_u16())),
                    Err(e) if e.is_timeout() => Some("timeout".to_owned()),
                    Err(_) => Some("transport".to_owned()),
                };
                let _ = tx.send(Outcome {
                    measured,
                    latency: scheduled.elapsed(),
                    lag,
                    done: Instant::now(),
                    error,
                });
            });
        }
    });

    let (mut latency, mut lag) = (histogram(), histogram());
    let mut result = LoadResult {
        sent: 0,
        ok: 0,
        warmup_ok: 0,
        errors: BTreeMap::new(),
        throughput: 0.0,
        latency_us: Vec::new(),
        lag_us: [0; 2],
        requests: total,
        cpu_us: 0,
    };
    let mut last_reply = measure_from;
    // Ends once the pacer and every request have dropped their sender.
    while let Some(outcome) = rx.recv().await {
        if !outcome.measured {
            result.warmup_ok += u64::from(outcome.error.is_none());
            continue;
        }
        result.sent += 1;
        latency.saturating_record(micros(outcome.latency));
        lag.saturating_record(micros(outcome.lag));
        last_reply = last_reply.max(outcome.done);
        match outcome.error {
            None => result.ok += 1,
            Some(error) => *result.errors.entry(error).or_default() += 1,
        }
    }
    pacer.join().unwrap();
    result.throughput = result.ok as f64 / (last_reply - measure_from).as_secs_f64();
    result.latency_us = summary(&latency);
    result.lag_us = [lag.value_at_quantile(0.99), lag.max()];
    result.cpu_us = micros(cpu_time());
    result
}

/// CPU time of this process, every thread.
fn cpu_time() -> Duration {
    process_cpu::of(std::path::Path::new("/proc/self/stat"))
}

/// `None` for a JSON-RPC result, else why not.
fn rpc_error(body: &[u8]) -> Option<String> {
    let reply: Value = match serde_json::from_slice(body) {
        Ok(reply) => reply,
        Err(_) => return Some("malformed".into()),
    };
    if reply.get("result").is_some() {
        return None;
    }
    let error = &reply["error"];
    Some(match (error["code"].as_i64(), error["message"].as_str()) {
        // The message names the cause, e.g. `quote unavailable at this time: signer`.
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_string(),
        _ => "malformed".into(),
    })
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

// ---- the report ----

fn ms(us: u64) -> String {
    format!("{:.3} ms", us as f64 / 1000.0)
}

fn ratio(quote: u64, base: u64) -> String {
    format!("{:.2}×", quote as f64 / base.max(1) as f64)
}

/// What a generator-side error means (a JSON-RPC error carries its own message).
fn meaning(error: &str) -> &'static str {
    match error {
        "timeout" => ": no reply within the generator's request timeout",
        "transport" => ": the connection failed or was reset",
        "malformed" => ": the reply was not a JSON-RPC response",
        "http 429" => ": more requests in flight than the front door's `MAX_CONNECTIONS`",
        _ if error.starts_with("http") => ": an HTTP error status",
        _ => "",
    }
}

/// The errors by code alone (the Refusals section has the messages).
fn errors(result: &LoadResult) -> String {
    let mut by_code: BTreeMap<&str, u64> = BTreeMap::new();
    for (error, n) in &result.errors {
        let code = error.split(':').next().unwrap_or(error);
        *by_code.entry(code).or_default() += n;
    }
    if by_code.is_empty() {
        return "0".into();
    }
    by_code
        .iter()
        .map(|(code, n)| format!("{n} × {code}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

/// A signed quote's time at one quantile, split by the runs' differences.
fn split(m: &Measured, index: usize, label: &str) -> String {
    let at = |run: usize| m.results[run].load.latency_us[index] as i64;
    let (base, priced, signed) = (at(0), at(1), at(2));
    let save = m.saves_us[index] as i64;
    let parts = [
        (
            "the HTTP/JSON-RPC round trip and the generator (baseline)",
            base,
        ),
        (
            "pricing and the exposure checks (priced − baseline)",
            priced - base,
        ),
        (
            "signing over gRPC (signed − priced − storing)",
            signed - priced - save,
        ),
        ("storing (the store's `save`, timed in the dealer)", save),
    ];
    let largest = parts.iter().max_by_key(|(_, us)| *us).unwrap().0;
    let shares: Vec<String> = parts
        .iter()
        .map(|(what, us)| {
            format!(
                "{what} {:.3} ms ({:.0} %)",
                *us as f64 / 1000.0,
                100.0 * *us as f64 / signed.max(1) as f64
            )
        })
        .collect();
    format!(
        "- At {label} a signed quote takes {}: {}. Largest: {largest}.\n",
        ms(signed as u64),
        shares.join("; ")
    )
}

fn cpu_per_request(cpu: Duration, requests: u64) -> f64 {
    cpu.as_secs_f64() * 1e6 / requests.max(1) as f64
}

fn report(plan: Plan, m: &Measured) -> String {
    let profile = if cfg!(debug_assertions) {
        " --profile dev"
    } else {
        ""
    };
    let profile_note = if cfg!(debug_assertions) {
        "dev: the workspace's crates unoptimised, dependencies at opt-level 1"
    } else {
        "bench: release settings"
    };
    let columns: Vec<&str> = QUANTILES.iter().map(|(_, name)| *name).collect();
    let mut rows = String::new();
    for Done { run, load: r, .. } in &m.results {
        let latencies: Vec<String> = r.latency_us.iter().map(|us| ms(*us)).collect();
        rows += &format!(
            "| {} | {} | {} | {} | {:.0}/s | {} | {} / {} |\n",
            run.name,
            r.sent,
            r.ok,
            errors(r),
            r.throughput,
            latencies.join(" | "),
            ms(r.lag_us[0]),
            ms(r.lag_us[1]),
        );
    }
    let base = &m.results[0].load;
    let mut ratios = String::new();
    for Done { run, load: r, .. } in &m.results[1..] {
        let cells: Vec<String> = (0..=QUANTILES.len())
            .map(|i| ratio(r.latency_us[i], base.latency_us[i]))
            .collect();
        ratios += &format!("| {} | {} |\n", run.name, cells.join(" | "));
    }
    let refusals: Vec<String> = m
        .results
        .iter()
        .flat_map(|Done { run, load: r, .. }| {
            r.errors
                .iter()
                .map(move |(code, n)| format!("- {}: {n} × `{code}`{}\n", run.name, meaning(code)))
        })
        .collect();
    let refusals = if refusals.is_empty() {
        "None: every request of every run got a result.\n".to_owned()
    } else {
        refusals.concat()
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut cpu_rows = String::new();
    let mut server_cpu = Vec::new();
    for done in &m.results {
        let server = cpu_per_request(done.server_cpu, done.load.requests);
        server_cpu.push(server);
        let generator =
            cpu_per_request(Duration::from_micros(done.load.cpu_us), done.load.requests);
        cpu_rows += &format!(
            "| {} | {server:.0} µs | {generator:.0} µs | {:.0}/s |\n",
            done.run.name,
            cores as f64 * 1e6 / server.max(1.0),
        );
    }
    let signed = &m.results[2].load;
    let p99 = signed.latency_us[2];
    let verdict = if p99 <= GOAL_P99_US && signed.errors.is_empty() {
        "met"
    } else {
        "not met"
    };
    let received = 1 + signed.warmup_ok + signed.ok;
    let stored_note = match m.stored.cmp(&received) {
        std::cmp::Ordering::Equal => "every one stored".to_owned(),
        std::cmp::Ordering::Greater => format!(
            "{} more rows: quotes stored after the generator had timed out their request",
            m.stored - received
        ),
        std::cmp::Ordering::Less => format!("{} of them NOT stored", received - m.stored),
    };
    let pending_quotes = m.pending_weth * Decimal::from(WETH) / Decimal::from(QUOTE_SIZE);
    format!(
        "# Quote path benchmark\n\n\
         Measured by `cargo bench -p hedgeflow --bench quotes{profile}` (profile {profile_note}) \
         on {cores} cores ({cpu}); load average {before} before the stack started, {after} after \
         the runs (the machine is shared). Each run: {warmup} s of warm-up, then {seconds} s \
         measured at {qps} requests/s offered (`HEDGEFLOW_BENCH_WARMUP`, \
         `HEDGEFLOW_BENCH_SECONDS`, `HEDGEFLOW_BENCH_QPS`).\n\n\
         | run | sent | ok | errors | throughput | {cols} | max | generator lag p99 / max |\n\
         |---|---|---|---|---|{dashes}---|---|\n\
         {rows}\n\
         Latency: scheduled send → reply read, every measured request. Throughput: results per \
         second from the first measured send to the last reply. Generator lag: scheduled send → \
         request task running in the generator (part of the latency, not the server's).\n\n\
         CPU time per request, warm-up included: the server process (front door, dealer, \
         signer, OBM, paper exchange; its background work too) and the generator. The last \
         column is what the server could serve on {cores} idle cores at that cost.\n\n\
         | run | server CPU / request | generator CPU / request | server CPU bound |\n\
         |---|---|---|---|\n\
         {cpu_rows}\n\
         Quote / baseline:\n\n\
         | run | {cols} | max |\n\
         |---|{dashes}---|\n\
         {ratios}\n\
         **Goal: p99 ≤ 2 ms at 1,000 quotes/s: {verdict}** — signed quotes: p99 {p99} at \
         {qps} requests/s offered, {tp:.0} results/s achieved.\n\n\
         ## Refusals\n\n\
         {refusals}\n\
         ## What dominates\n\n\
         {splits}\
         - The store's `save`, every signed quote (warm-up included; waiting for its one \
         connection included): {saves}.\n\
         - Server CPU per request: {cpu_base:.0} µs for `dealer_time`, {cpu_pricing:+.0} µs \
         pricing, {cpu_signing:+.0} µs signing and storing; at {qps} signed quotes/s that is \
         {busy:.0} % of the {cores} cores.\n\
         - The exposure book held {pending_weth} WETH pending after the signed run, about \
         {pending_quotes:.0} unexpired quotes ({ttl} s TTL); pricing reads its running totals \
         per asset (balance and cap checks), after dropping what expired.\n\n\
         ## Setup\n\n\
         - One process serves: anvil (`RfqSettlement`, WETH, USDC), the hot wallet's quote \
         signer over gRPC, a paper exchange and the order book manager over gRPC, \
         `QuoteService` and the real `FrontDoor` (jsonrpsee, HTTP). Logging at `warn` \
         (`RUST_LOG` changes it): no per-quote log lines.\n\
         - Quote store: `hedgeflow::roles::dealer::StoredQuotes`, the dealer role's database \
         store (wrapped to time its `save`), on SQLite in a temporary directory \
         (`Store::connect`: WAL, one connection, so inserts queue in its pool). The table held \
         {stored} rows after the runs, for {received} signed quotes received (the probe, the \
         warm-up, the measured run): {stored_note}.\n\
         - Requests: one taker buys {size} WETH for USDC (`makerAssetSize`, the market's \
         minimum). The fixture's dealer configuration with {extra} WETH minted to the hot \
         wallet and a WETH exposure cap of {cap}, so sustained load exhausts neither; per-taker \
         rate limit {rate}/s.\n\
         - Load: a separate process (this bench re-run with `HEDGEFLOW_BENCH_ROLE=load`) on one \
         thread, open loop: request *i* is due at start + *i*/rate whatever came back, paced by \
         a thread sleep (tokio's 1 ms timer would skew every send), latency counted from that \
         due time, so a stall shows as the queue it builds (no coordinated omission). One \
         reqwest client, keep-alive pool growing with the requests in flight; timeout {timeout} \
         s. Histograms: hdrhistogram, 3 significant digits.\n\
         - The runs share the machine's {cores} cores: generator, front door, dealer, signer, \
         OBM, paper exchange and anvil. The baseline carries the same generator and HTTP \
         costs, which is why the ratios matter more than the absolute numbers.\n",
        cpu = cpu_model(),
        before = m.load_before,
        after = m.load_after,
        warmup = plan.warmup,
        seconds = plan.seconds,
        qps = plan.qps,
        cols = columns.join(" | "),
        dashes = "---|".repeat(columns.len()),
        p99 = ms(p99),
        tp = signed.throughput,
        splits = if signed.errors.is_empty() {
            format!(
                "Differences of percentiles, so indicative only:\n\n{}{}",
                split(m, 0, "p50"),
                split(m, 2, "p99")
            )
        } else {
            // Refusals answer fast and skew the signed run's percentiles: no split.
            "The signed run was overloaded (see Refusals), so its percentiles do not split \
             into parts; the store's times and the CPU per request show where the time went.\n\n"
                .to_owned()
        },
        saves = QUANTILES
            .iter()
            .map(|(_, name)| *name)
            .chain(["max"])
            .zip(&m.saves_us)
            .map(|(name, us)| format!("{name} {}", ms(*us)))
            .collect::<Vec<_>>()
            .join(", "),
        cpu_base = server_cpu[0],
        cpu_pricing = server_cpu[1] - server_cpu[0],
        cpu_signing = server_cpu[2] - server_cpu[1],
        busy = server_cpu[2] * plan.qps / 1e4 / cores as f64,
        pending_weth = m.pending_weth.normalize(),
        ttl = m.quote_ttl.as_secs(),
        stored = m.stored,
        size = Decimal::from(QUOTE_SIZE) / Decimal::from(WETH),
        extra = EXTRA_WETH,
        cap = EXPOSURE_CAP_WETH,
        rate = RATE_LIMIT,
        timeout = REQUEST_TIMEOUT.as_secs(),
    )
}
