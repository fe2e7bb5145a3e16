//! `cargo bench -p hedgeflow --bench fills --profile dev`: the RFQ fill pipeline against a bare
//! Temporal workflow, in the same run, on the same Temporal dev server.
//!
//! - Pipeline: `HEDGEFLOW_BENCH_FILLS` fills (default 100) of 0.05 WETH, bought with USDC by a few
//!   funded taker accounts of the dev mnemonic on the RFQ test stack (real anvils with 1 s
//!   blocks, real roles). Each fill gets a quote from the dealer's front door, approves it and
//!   calls `dealer_submitFill`; `HEDGEFLOW_BENCH_FILL_CONCURRENCY` fills at a time (default: all
//!   at once). Latency runs from just before `dealer_submitFill` is called to the `fill-<quoteId>`
//!   workflow's close (filled, unhedged, and handed to the market's hedger); throughput is fills
//!   settled per second from the first submit to the last close. The `dealer_submitFill` call
//!   itself (its synchronous answer, "fill submitted") is timed too.
//! - Baseline: as many workflows, each running the same number of no-op activities as a fill
//!   ran (counted from a real fill's history), started at once on a worker in this process.
//!
//! Writes `bench/fills/REPORT.md` (and prints it), with what each fill cost the workflow engine
//! (`common/engine.rs`): its `FillWorkflow` plus its share of the market hedger's epochs. The
//! report is the measurement; nothing here asserts a time.

#![allow(clippy::too_many_lines, reason = "a bench reads as one story")]

#[path = "common/mod.rs"]
mod common;
#[path = "../tests/e2e/support/mod.rs"]
mod support;

use alloy::{
    network::EthereumWallet,
    primitives::{Address, U256},
    providers::{Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
};
use common::engine::{self, Cost, Lifecycle};
use common::{
    Run, Shape, Window, add_phases, bare, env_or, p50_p99, phase_rows, seconds, shape_of,
    status_history, times,
};
use futures::{StreamExt, stream};
use hedgeflow::dev::deploy::TestToken;
use hedgeflow_activities::store::Store;
use hedgeflow_dealer::api::Size;
use hedgeflow_dealer::taker::{TakerClient, TakerError, TakerQuote};
use hedgeflow_proto::rfq::fill::{FillResult, FillStatus};
use hedgeflow_proto::workflows::FillWorkflow;
use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime};
use support::Stack;
use temporalio_client::WorkflowGetResultOptions;

/// 0.05 WETH a fill.
const FILL_WETH: u128 = 50_000_000_000_000_000;
const USDC: u128 = 1_000_000;
/// Minted to each taker: far more than its fills cost.
const TAKER_USDC: u128 = 1_000_000 * USDC;
/// The first dev-mnemonic account used as a taker (the tests use 1 to 5; 8 and 9 are the
/// relayer and the deployer).
const FIRST_TAKER: u32 = 10;
/// Fills per taker: the front door's test rate limit is 100 calls a second per taker (burst
/// 100), and each fill is two calls (quote, submit).
const FILLS_PER_TAKER: u32 = 25;
const WAIT: Duration = Duration::from_secs(180);

/// `count` takers from [`FIRST_TAKER`] on: gas money (anvil's `anvil_setBalance`), USDC minted by
/// the deployer and the settlement approved for all of it.
async fn takers(stack: &Stack, count: u32) -> Vec<PrivateKeySigner> {
    let signers: Vec<PrivateKeySigner> = (FIRST_TAKER..FIRST_TAKER + count)
        .map(support::dev_account)
        .collect();
    let deployer = support::dev_account(9);
    let mut wallet = EthereumWallet::from(deployer.clone());
    for signer in &signers {
        wallet.register_signer(signer.clone());
    }
    let l1 = ProviderBuilder::new()
        .wallet(wallet)
        .connect_http(stack.config.chains["l1"].rpc[0].http.clone());
    let usdc = TestToken::new(stack.token("USDC"), &l1);
    let settlement = stack.config.settlement.as_ref().unwrap().contract;
    for signer in &signers {
        let taker = signer.address();
        let gas = U256::from(10u128.pow(20));
        l1.raw_request::<_, ()>("anvil_setBalance".into(), (taker, gas))
            .await
            .unwrap();
        let minted = usdc.mint(taker, U256::from(TAKER_USDC));
        let sent = minted.from(deployer.address()).send().await.unwrap();
        sent.get_receipt().await.unwrap();
        let approved = usdc.approve(settlement, U256::MAX).from(taker);
        approved.send().await.unwrap().get_receipt().await.unwrap();
    }
    signers
}

/// One fill as the taker saw it.
struct Fill {
    quote_id: String,
    /// Just before `dealer_submitFill` was called.
    submitted_at: SystemTime,
    /// The `dealer_submitFill` call, retries included.
    submit_call: Duration,
    /// Calls that failed in transport (the client's 10 s timeout), each then asked again.
    retries: u32,
    result: Result<FillResult, String>,
}

/// A quote to buy [`FILL_WETH`] with USDC, once the dealer serves one.
async fn quote(client: &TakerClient, stack: &Stack, taker: Address) -> TakerQuote {
    let (weth, usdc) = (stack.token("WETH"), stack.token("USDC"));
    support::eventually("a quote from the dealer", WAIT, || async {
        let size = Size::MakerSize(U256::from(FILL_WETH));
        client.quote(weth, usdc, size, taker).await.ok()
    })
    .await
}

/// Quote, approve, submit, then wait for the fill workflow's result.
async fn fill(client: &TakerClient, stack: &Stack, taker: &PrivateKeySigner) -> Fill {
    let quote = quote(client, stack, taker.address()).await;
    let approval = client.approve(&quote, taker).unwrap();
    let quote_id = quote.quote().quote_id.to_string();
    let submitted_at = SystemTime::now();
    let started = Instant::now();
    let mut retries = 0;
    let answer = loop {
        match client.submit_fill(&quote, &approval, taker.address()).await {
            // The client gives up after 10 s; asking again joins the same workflow.
            Err(TakerError::Transport { .. }) if retries < 5 => retries += 1,
            answer => break answer,
        }
    };
    let submit_call = started.elapsed();
    let result = match answer {
        Ok(_) => {
            let handle = stack
                .client
                .get_workflow_handle::<FillWorkflow>(format!("fill-{quote_id}"));
            let result = handle.get_result(WorkflowGetResultOptions::default());
            match tokio::time::timeout(WAIT, result).await {
                Ok(Ok(result)) => Ok(result),
                Ok(Err(e)) => Err(format!("fill workflow: {e}")),
                Err(_) => Err("fill workflow: no result in time".into()),
            }
        }
        Err(e) => Err(e.to_string()),
    };
    Fill {
        quote_id,
        submitted_at,
        submit_call,
        retries,
        result,
    }
}

struct Pipeline {
    run: Run,
    /// Activities scheduled by one fill workflow.
    activities: u32,
    /// `dealer_submitFill` call times, seconds.
    submit_calls: Vec<f64>,
    retries: u32,
    /// Fills that did not settle, by why.
    failures: BTreeMap<String, u32>,
    /// The settled fills' quote ids.
    settled_ids: Vec<String>,
}

/// The fill's status changes up to "filled, unhedged", from `dealer_submitFill` on.
async fn statuses(store: &Store, fill: &Fill) -> Vec<(String, SystemTime)> {
    let row = store
        .rfq_quote(&fill.quote_id)
        .await
        .unwrap()
        .expect("stored");
    let recorded = status_history(&row.status_history)
        .into_iter()
        .filter(|(status, _)| status != "quoted" && status != FillStatus::Hedged.as_str());
    std::iter::once(("dealer_submitFill called".to_owned(), fill.submitted_at))
        .chain(recorded)
        .collect()
}

async fn pipeline(stack: &Stack, takers: &[PrivateKeySigner], fills: u32) -> Pipeline {
    let store = Store::connect_read_only(&stack.config.database.url)
        .await
        .expect("store");
    let client = TakerClient::new(&stack.dealer_url()).unwrap();
    let concurrency = env_or("HEDGEFLOW_BENCH_FILL_CONCURRENCY", fills).max(1) as usize;
    let cpu_before = common::cpu::by_group();
    let started = Instant::now();
    let done: Vec<Fill> = stream::iter(0..fills as usize)
        .map(|i| fill(&client, stack, &takers[i % takers.len()]))
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let wall = started.elapsed();
    let cpu = common::cpu::used(&cpu_before, &common::cpu::by_group());

    let mut latencies = Vec::new();
    let mut phases: Vec<(String, Vec<f64>)> = Vec::new();
    let mut window = Window::default();
    let mut failures: BTreeMap<String, u32> = BTreeMap::new();
    let mut settled = None;
    let mut settled_ids = Vec::new();
    for fill in &done {
        match &fill.result {
            Ok(result) if result.status == FillStatus::FilledUnhedged => {}
            Ok(result) => {
                let why = format!(
                    "{:?}: {}",
                    result.status,
                    result.reason.clone().unwrap_or_default()
                );
                *failures.entry(why).or_default() += 1;
                continue;
            }
            Err(e) => {
                *failures.entry(e.clone()).or_default() += 1;
                continue;
            }
        }
        let id = format!("fill-{}", fill.quote_id);
        let (_, close) = times::<FillWorkflow>(&stack.client, &id).await;
        window.add(fill.submitted_at, close);
        latencies.push(seconds(fill.submitted_at, close));
        add_phases(&mut phases, &statuses(&store, fill).await, close);
        settled.get_or_insert(id);
        settled_ids.push(fill.quote_id.clone());
    }
    let settled = settled.expect("at least one settled fill");
    // The activities one fill ran, for a like-for-like baseline.
    let activities = shape_of::<FillWorkflow>(&stack.client, &settled)
        .await
        .activities;
    Pipeline {
        run: Run {
            throughput: latencies.len() as f64 / window.seconds(),
            latencies,
            phases,
            wall,
            cpu,
        },
        activities,
        submit_calls: done.iter().map(|f| f.submit_call.as_secs_f64()).collect(),
        retries: done.iter().map(|f| f.retries).sum(),
        failures,
        settled_ids,
    }
}

/// The engine's cost per fill: the measured fills' own workflows, plus the market hedger's runs
/// (every epoch since the stack started) spread over every fill handed to it (`all_fills`,
/// the warm-up's included), once each fill is recorded hedged (or after a minute).
async fn engine_section(stack: &Stack, measured: &[String], all_fills: &[String]) -> String {
    let store = Store::connect_read_only(&stack.config.database.url)
        .await
        .expect("store");
    let mut markets = std::collections::BTreeSet::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut unhedged = 0;
    for quote_id in all_fills {
        loop {
            let row = store.rfq_quote(quote_id).await.unwrap().expect("stored");
            if row.status == FillStatus::Hedged.as_str() {
                markets.insert(row.market);
                break;
            }
            if Instant::now() > deadline {
                unhedged += 1;
                markets.insert(row.market);
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    let mut fills = Cost::default();
    for quote_id in measured {
        fills.add(&engine::of(&stack.client, &format!("fill-{quote_id}")).await);
    }
    let mut hedges = Cost::default();
    for market in &markets {
        let hedger = hedgeflow_proto::ids::hedge_workflow(market);
        hedges.add(&engine::of(&stack.client, &hedger).await);
    }
    let (n, all) = (measured.len() as u64, all_fills.len() as u64);
    let rows = [
        Lifecycle::new("FillWorkflow (submitFill → handed to the hedger)", n)
            .part(fills.clone(), n),
        Lifecycle::new("hedger epochs (HedgeWorkflow runs), share per fill", n)
            .part(hedges.clone(), all),
        Lifecycle::new("**fill, total**", n)
            .part(fills, n)
            .part(hedges, all),
    ];
    let unhedged = if unhedged == 0 {
        String::new()
    } else {
        format!(" {unhedged} fills were not recorded hedged a minute after the runs.")
    };
    format!(
        "{}\nThe hedger's share is all its runs since the stack started (one per epoch: it \
         continues as new after each) over the {all} fills settled in this bench, warm-up \
         included; its `filled` signals, one per fill, are in it.{unhedged}\n",
        engine::section(&rows)
    )
}

/// The 1-minute load average: the machine may be shared.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}

fn main() {
    let fills = env_or("HEDGEFLOW_BENCH_FILLS", 100_u32).max(1);
    let runtime = common::runtime();
    let load_before = load_average();
    let report = runtime.block_on(async {
        let stack = support::rfq_stack().await;
        let takers = takers(stack, fills.div_ceil(FILLS_PER_TAKER).max(4)).await;
        // Warm-up: the dealer's book, the hot wallet and every code path once.
        let warm_up = pipeline(stack, &takers, 3).await;
        let mut ours = pipeline(stack, &takers, fills).await;
        let activities = ours.activities;
        let shape = Shape {
            activities,
            upserts: 0,
        };
        let mut base = bare(stack, fills, shape).await;
        let loads = (load_before, load_average());
        let all: Vec<String> = [&warm_up.settled_ids[..], &ours.settled_ids[..]].concat();
        let engine = engine_section(stack, &ours.settled_ids, &all).await;
        let report = report(fills, takers.len(), loads, &mut ours, &mut base);
        format!("{report}\n{engine}")
    });
    common::write_report("fills", &report);
}

fn report(
    fills: u32,
    takers: usize,
    (load_before, load_after): (String, String),
    ours: &mut Pipeline,
    base: &mut Run,
) -> String {
    let settled = ours.run.latencies.len();
    let (p50, p99) = p50_p99(&mut ours.run.latencies);
    let (bare_p50, bare_p99) = p50_p99(&mut base.latencies);
    let (call_p50, call_p99) = p50_p99(&mut ours.submit_calls);
    let phases = phase_rows(&mut ours.run.phases);
    let ratio = ours.run.throughput / base.throughput;
    let concurrency = env_or("HEDGEFLOW_BENCH_FILL_CONCURRENCY", fills).max(1);
    let failures = if ours.failures.is_empty() {
        "Every fill settled (filled, unhedged).".to_owned()
    } else {
        let rows: Vec<String> = ours
            .failures
            .iter()
            .map(|(why, n)| format!("- {n} × {why}\n"))
            .collect();
        format!(
            "Fills that did not settle (not in the latencies):\n\n{}",
            rows.concat()
        )
    };
    format!(
        "# RFQ fill benchmark\n\n\
         Measured by `cargo bench -p hedgeflow --bench fills --profile {profile}` ({fills} fills of \
         0.05 WETH bought with USDC by {takers} takers, {concurrency} at a time; \
         `HEDGEFLOW_BENCH_FILLS` and `HEDGEFLOW_BENCH_FILL_CONCURRENCY` change it) on {cores} \
         cores (load average {load_before} before the stack started, {load_after} after the \
         runs: the machine is shared), one Temporal dev server (SQLite), two anvil chains with 1 s blocks, every role a \
         separate process (dealer, order book manager, paper exchange, exchange, hot wallet, \
         orchestrator). Each fill: `dealer_getQuote`, the taker's approval, `dealer_submitFill`. \
         The baseline is a bare workflow with the same {activities} activities per fill (the \
         `ActivityTaskScheduled` events of a real fill's history), all no-ops, on the same server \
         in the same run.\n\n\
         | run | count | p50 latency | p99 latency | throughput | wall |\n\
         |---|---|---|---|---|---|\n\
         | RFQ fill (`dealer_submitFill` called → `fill-<quoteId>` closed, filled, unhedged) | {settled} | {p50:.2} s | {p99:.2} s | {ours_tp:.2} fills/s | {ours_wall:.1} s |\n\
         | bare workflow, {activities} no-op activities (start → close) | {fills} | {bare_p50:.2} s | {bare_p99:.2} s | {base_tp:.2} workflows/s | {base_wall:.1} s |\n\n\
         **Throughput ratio (pipeline / bare): {ratio:.2}**\n\n\
         The `dealer_submitFill` call itself (the taker's synchronous answer, \"fill submitted\": \
         the settlement is in a block): p50 {call_p50:.2} s, p99 {call_p99:.2} s \
         ({retries} calls got no answer within the client's 10 s timeout and were asked \
         again, joining the same workflow; the time includes them).\n\n\
         {failures}\n\n\
         Latency includes the chain: the hot wallet's checks on L1, the settlement transaction \
         waiting for its block (1 s blocks), then {confirmations} confirmations at 1 s per \
         block, and the hand-off to the market's hedger (the workflow's last activity). It does \
         not include the hedge itself. Throughput counts settled fills from the first \
         `dealer_submitFill` to the last fill workflow's close; the pipeline's wall time also \
         holds the quotes. The bare run's wall is from the first start to the last result.\n\n\
         Where a fill's time goes (time in each status until the next; the last until the \
         workflow closed):\n\n\
         | status | p50 | p99 |\n\
         |---|---|---|\n\
         {phases}\n\
         CPU used during each run, by process (from `/proc`, machine-wide; the bench process \
         runs the bare worker and both runs' clients):\n\n\
         {cpu}",
        cpu = common::cpu::table(&[
            ("fill pipeline", &ours.run.cpu, fills),
            ("bare workflow", &base.cpu, fills),
        ]),
        profile = if cfg!(debug_assertions) {
            "dev"
        } else {
            "release"
        },
        cores = std::thread::available_parallelism().map_or(0, |n| n.get()),
        activities = ours.activities,
        ours_tp = ours.run.throughput,
        base_tp = base.throughput,
        ours_wall = ours.run.wall.as_secs_f64(),
        base_wall = base.wall.as_secs_f64(),
        retries = ours.retries,
        confirmations = hedgeflow_workflows::rfq::fill::CONFIRMATIONS,
    )
}
