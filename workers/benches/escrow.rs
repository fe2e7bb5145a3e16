//! `cargo bench -p hedgeflow --bench escrow --profile dev`: the escrow pipeline against a bare Temporal
//! workflow, in the same run, on the same Temporal dev server.
//!
//! - Pipeline: `HEDGEFLOW_BENCH_ORDERS` orders (default 100) placed at once on the L2 of the test
//!   stack (real anvils with 1 s blocks, real roles). Latency runs from detection (the workflow's
//!   start) to the user paid (the transfer confirmed: FULFILLED in the order's history);
//!   throughput is orders completed per second from the first start to the last close.
//! - Baseline: as many workflows, each running the same number of no-op activities as an order
//!   ran (counted from a real order's history), started at once on a worker in this process.
//!
//! Writes `bench/escrow/REPORT.md` (and prints it). The report is the measurement; nothing here
//! asserts a time.

#[path = "../tests/support/mod.rs"]
mod support;

use chrono::{DateTime, Utc};
use futures::future::join_all;
use hedgeflow::cli::demo;
use hedgeflow_activities::store::Store;
use hedgeflow_workflows::EscrowOrderWorkflow;
use std::time::{Duration, Instant, SystemTime};
use temporalio_client::{
    Client, WorkflowDescribeOptions, WorkflowFetchHistoryOptions, WorkflowGetResultOptions,
    WorkflowStartOptions,
};
use temporalio_macros::{activities, workflow, workflow_methods};
use temporalio_sdk::{
    ActivityOptions, Worker, WorkerOptions, WorkflowContext, WorkflowResult,
    activities::{ActivityContext, ActivityError},
};

const BARE_QUEUE: &str = "bench-bare";

#[workflow]
#[derive(Default)]
pub struct BareWorkflow;

#[workflow_methods]
impl BareWorkflow {
    /// `activities` no-op activities, one after the other, like an order's steps.
    #[run]
    pub async fn run(ctx: &mut WorkflowContext<Self>, activities: u32) -> WorkflowResult<u32> {
        for step in 0..activities {
            ctx.execute_activity(
                Noop::noop,
                step,
                ActivityOptions::start_to_close_timeout(Duration::from_secs(30)),
            )
            .await?;
        }
        Ok(activities)
    }
}

pub struct Noop;

#[activities]
impl Noop {
    #[activity]
    pub async fn noop(_ctx: ActivityContext, step: u32) -> Result<u32, ActivityError> {
        Ok(step)
    }
}

struct Run {
    /// Seconds from detection to the user paid (pipeline) or start to close (bare).
    latencies: Vec<f64>,
    /// Seconds each order spent in each status, by status (pipeline only).
    phases: Vec<(String, Vec<f64>)>,
    /// Completed per second, first start to last close.
    throughput: f64,
    wall: Duration,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// p50 and p99, sorting in place.
fn p50_p99(values: &mut [f64]) -> (f64, f64) {
    values.sort_by(f64::total_cmp);
    (percentile(values, 0.50), percentile(values, 0.99))
}

/// Markdown rows: time spent in each status, in the order the statuses came.
fn phase_rows(phases: &mut [(String, Vec<f64>)]) -> String {
    phases
        .iter_mut()
        .map(|(status, spent)| {
            let (p50, p99) = p50_p99(spent);
            format!("| {status} | {p50:.2} s | {p99:.2} s |\n")
        })
        .collect()
}

fn seconds(from: SystemTime, to: SystemTime) -> f64 {
    to.duration_since(from).unwrap_or_default().as_secs_f64()
}

/// From the earliest start to the latest close of a run's workflows.
#[derive(Default)]
struct Window {
    first: Option<SystemTime>,
    last: Option<SystemTime>,
}

impl Window {
    fn add(&mut self, start: SystemTime, close: SystemTime) {
        self.first = Some(self.first.map_or(start, |f| f.min(start)));
        self.last = Some(self.last.map_or(close, |l| l.max(close)));
    }

    fn seconds(&self) -> f64 {
        seconds(self.first.expect("a start"), self.last.expect("a close"))
    }
}

async fn times(client: &Client, workflow_id: &str) -> (SystemTime, SystemTime) {
    let description = client
        .get_workflow_handle::<EscrowOrderWorkflow>(workflow_id)
        .describe(WorkflowDescribeOptions::default())
        .await
        .expect("describe");
    (
        description.start_time().expect("started"),
        description.close_time().expect("closed"),
    )
}

async fn pipeline(orders: u32) -> (Run, u32) {
    let stack = support::stack().await;
    let store = Store::connect_read_only(&stack.config.database.url)
        .await
        .expect("store");
    let started = Instant::now();
    let placed = demo::place_orders(&stack.config, orders, None, "0.01", None)
        .await
        .expect("placing orders");
    join_all(placed.iter().map(|order| async {
        let handle = stack
            .client
            .get_workflow_handle::<EscrowOrderWorkflow>(order.workflow_id());
        // Once a second: a tighter poll of 300 orders would load the server it measures.
        support::eventually_every(
            "the order to start",
            Duration::from_secs(120),
            Duration::from_secs(1),
            || async { handle.describe(Default::default()).await.ok().map(|_| ()) },
        )
        .await;
        handle
            .get_result(WorkflowGetResultOptions::default())
            .await
            .expect("order result")
    }))
    .await;
    let wall = started.elapsed();

    let mut latencies = Vec::new();
    let mut phases: Vec<(String, Vec<f64>)> = Vec::new();
    let mut window = Window::default();
    for order in &placed {
        let id = order.workflow_id();
        let (start, close) = times(&stack.client, &id).await;
        window.add(start, close);
        let row = store.escrow_order(&id).await.unwrap().expect("stored");
        let entries: Vec<(String, SystemTime)> = row
            .status_history
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| {
                let at = e["at"].as_str()?.parse::<DateTime<Utc>>().ok()?;
                Some((e["status"].as_str()?.to_owned(), SystemTime::from(at)))
            })
            .collect();
        let paid = entries
            .iter()
            .find(|(status, _)| status == "FULFILLED")
            .expect("a FULFILLED entry")
            .1;
        latencies.push(seconds(start, paid));
        // Time in each status: until the next one, or until the workflow closed.
        let ends = entries.iter().skip(1).map(|(_, at)| *at).chain([close]);
        for ((status, at), end) in entries.iter().zip(ends) {
            let spent = seconds(*at, end);
            match phases.iter_mut().find(|(s, _)| s == status) {
                Some((_, spent_in)) => spent_in.push(spent),
                None => phases.push((status.clone(), vec![spent])),
            }
        }
    }

    // The activities one order ran, for a like-for-like baseline.
    let history = stack
        .client
        .get_workflow_handle::<EscrowOrderWorkflow>(placed[0].workflow_id())
        .fetch_history(WorkflowFetchHistoryOptions::default())
        .to_json()
        .await
        .expect("history");
    let activities = String::from_utf8_lossy(&history)
        .matches("\"activity_type\"")
        .count() as u32;
    let run = Run {
        latencies,
        phases,
        throughput: orders as f64 / window.seconds(),
        wall,
    };
    (run, activities)
}

async fn bare(workflows: u32, activities: u32) -> Run {
    let stack = support::stack().await;
    let client = stack.client.clone();
    let runtime = temporalio_sdk::Runtime::from_current_tokio(Default::default()).unwrap();
    let mut options = WorkerOptions::new(BARE_QUEUE)
        .register_workflow::<BareWorkflow>()
        .unwrap()
        .register_activities(Noop)
        .build();
    // Tuned like the roles' workers, so only the work differs.
    hedgeflow::temporal::tune(&stack.config.temporal, &mut options);
    let mut worker = Worker::new(&runtime, client.clone(), options).unwrap();
    let shutdown = worker.shutdown_handle();
    let run_id = uuid::Uuid::new_v4();
    let driver = async move {
        let started = Instant::now();
        let ids: Vec<String> = (0..workflows)
            .map(|i| format!("bench-bare-{run_id}-{i}"))
            .collect();
        join_all(ids.iter().map(|id| {
            let client = client.clone();
            async move {
                client
                    .start_workflow(
                        BareWorkflow::run,
                        activities,
                        WorkflowStartOptions::new(BARE_QUEUE, id.clone()).build(),
                    )
                    .await
                    .expect("start")
                    .get_result(WorkflowGetResultOptions::default())
                    .await
                    .expect("bare result")
            }
        }))
        .await;
        let wall = started.elapsed();
        let mut latencies = Vec::new();
        let mut window = Window::default();
        for id in &ids {
            let (start, close) = times(&client, id).await;
            window.add(start, close);
            latencies.push(seconds(start, close));
        }
        shutdown();
        Run {
            latencies,
            phases: Vec::new(),
            throughput: workflows as f64 / window.seconds(),
            wall,
        }
    };
    let (worker_result, run) = tokio::join!(worker.run(), driver);
    worker_result.expect("bare worker");
    run
}

fn main() {
    let orders: u32 = std::env::var("HEDGEFLOW_BENCH_ORDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    // The stack's child processes die with the thread that spawned them: everything runs in
    // this thread's `block_on`.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let report = runtime.block_on(async {
        // Warm-up: the stack, the claim batcher and every code path once.
        pipeline(3).await;
        let (mut ours, activities) = pipeline(orders).await;
        let mut base = bare(orders, activities).await;
        let (p50, p99) = p50_p99(&mut ours.latencies);
        let (bare_p50, bare_p99) = p50_p99(&mut base.latencies);
        let phases = phase_rows(&mut ours.phases);
        let ratio = ours.throughput / base.throughput;
        format!(
            "# Escrow pipeline benchmark\n\n\
             Measured by `cargo bench -p hedgeflow --bench escrow --profile {profile}` ({orders} orders placed at \
             once; `HEDGEFLOW_BENCH_ORDERS` changes it) on {cores} cores, one Temporal dev \
             server (SQLite), two anvil chains with 1 s blocks, every role a separate process. \
             The baseline is a bare workflow with the same {activities} activities per order \
             (counted from a real order's history), all no-ops, on the same server in the same \
             run.\n\n\
             | run | orders | p50 latency | p99 latency | throughput | wall |\n\
             |---|---|---|---|---|---|\n\
             | escrow pipeline (detection → user paid on L1) | {orders} | {p50:.2} s | {p99:.2} s | {ours_tp:.2} orders/s | {ours_wall:.1} s |\n\
             | bare workflow, {activities} no-op activities (start → close) | {orders} | {bare_p50:.2} s | {bare_p99:.2} s | {base_tp:.2} workflows/s | {base_wall:.1} s |\n\n\
             **Throughput ratio (pipeline / bare): {ratio:.2}** (goal: at least 0.80).\n\n\
             Latency includes the chains: the order's L2 confirmation, the L1 transfer's block and \
             {confirmations} L1 confirmations at 1 s per block. Throughput counts whole orders \
             (claimed and released on L2 too) from the first detection to the last completion.\n\n\
             Where an order's time goes (time in each status until the next; the last until \
             the workflow closed):\n\n\
             | status | p50 | p99 |\n\
             |---|---|---|\n\
             {phases}",
            profile = if cfg!(debug_assertions) { "dev" } else { "release" },
            cores = std::thread::available_parallelism().map_or(0, |n| n.get()),
            ours_tp = ours.throughput,
            base_tp = base.throughput,
            ours_wall = ours.wall.as_secs_f64(),
            base_wall = base.wall.as_secs_f64(),
            confirmations = support::stack().await.config.chains["l1"].confirmations,
        )
    });
    println!("{report}");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/escrow/REPORT.md");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, report).unwrap();
    println!("written to {}", path.display());
}
