//! `cargo bench -p hedgeflow --bench escrow` (or `--profile dev`): the escrow pipeline against
//! a bare Temporal workflow, in the same run, on the same Temporal dev server.
//!
//! - Pipeline: `HEDGEFLOW_BENCH_ORDERS` orders (default 100) placed at once on the L2 of the test
//!   stack (real anvils with 1 s blocks, real roles). Latency runs from detection (the workflow's
//!   start) to the user paid (the transfer confirmed: FULFILLED in the order's history);
//!   throughput is orders completed per second from the first start to the last close.
//! - Baselines: as many workflows, each running the same number of no-op activities as an order
//!   ran (counted from a real order's history), started at once on a worker in this process;
//!   and the same again setting the `Stage` search attribute as often as an order sets its
//!   search attributes, which is what makes an order's history dearer for the server.
//! - Each kind runs twice, in a mirrored order, and is judged by its mean: one run of a kind can
//!   differ from the next by a fifth, and the server's state changes as runs accumulate.
//!
//! Writes `bench/escrow/REPORT.md` (and prints it), with the CPU each process used in each kind
//! of run, and what each lifecycle cost the workflow engine (`common/engine.rs`): an order's
//! `EscrowOrderWorkflow` plus its share of the claim batcher's runs, and one treasury transfer
//! (`TransferWorkflow`) started at the end. The report is the measurement; nothing here asserts
//! a time.

#![allow(clippy::too_many_lines, reason = "a bench reads as one story")]

#[path = "common/mod.rs"]
mod common;
#[path = "../tests/e2e/support/mod.rs"]
mod support;

use common::engine::{self, Cost, Lifecycle};
use common::{
    Run, Shape, Window, add_phase, add_phases, bare, p50_p99, phase_rows, seconds, shape_of,
    status_history, times,
};
use futures::future::join_all;
use hedgeflow::cli::demo;
use hedgeflow_activities::store::Store;
use hedgeflow_proto::workflows::{EscrowOrderWorkflow, TransferWorkflow};
use hedgeflow_proto::{escrow::EscrowOrder, ids};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};
use temporalio_client::WorkflowGetResultOptions;

async fn pipeline(orders: u32) -> (Run, Shape, Vec<EscrowOrder>) {
    let stack = support::stack().await;
    let store = Store::connect_read_only(&stack.config.database.url)
        .await
        .expect("store");
    let cpu_before = common::cpu::by_group();
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
    let cpu = common::cpu::used(&cpu_before, &common::cpu::by_group());

    let mut latencies = Vec::new();
    let mut phases: Vec<(String, Vec<f64>)> = Vec::new();
    let mut window = Window::default();
    for order in &placed {
        let id = order.workflow_id();
        let (start, close) = times::<EscrowOrderWorkflow>(&stack.client, &id).await;
        window.add(start, close);
        let row = store.escrow_order(&id).await.unwrap().expect("stored");
        let entries = status_history(&row.status_history);
        let paid = entries
            .iter()
            .find(|(status, _)| status == "FULFILLED")
            .expect("a FULFILLED entry")
            .1;
        latencies.push(seconds(start, paid));
        // Time in each status: until the next one, or until the workflow closed.
        add_phases(&mut phases, &entries, close);
    }

    // What one order ran, for like-for-like baselines.
    let shape = shape_of::<EscrowOrderWorkflow>(&stack.client, &placed[0].workflow_id()).await;
    let run = Run {
        latencies,
        phases,
        throughput: orders as f64 / window.seconds(),
        wall,
        cpu,
    };
    (run, shape, placed)
}

/// One treasury transfer of 1 USDC on l1 through the CLI, to count its engine cost: its
/// workflow id once it completed, or why it did not.
async fn one_transfer(stack: &support::Stack) -> Result<String, String> {
    let (to, request_id) = (support::payee(), uuid::Uuid::new_v4());
    let (to, request_id) = (to.to_string(), format!("bench-{request_id}"));
    let (ok, stdout, stderr) = stack
        .cli(&[
            "wallet",
            "transfer",
            "--chain",
            "l1",
            "--token",
            "USDC",
            "--to",
            &to,
            "--amount",
            "1",
            "--request-id",
            &request_id,
            "--no-wait",
        ])
        .await;
    let id = stdout
        .lines()
        .find_map(|l| l.strip_prefix("started "))
        .filter(|_| ok)
        .ok_or_else(|| format!("the transfer was refused: {stderr}"))?
        .to_owned();
    let handle = stack.client.get_workflow_handle::<TransferWorkflow>(&id);
    let result = handle.get_result(WorkflowGetResultOptions::default());
    match tokio::time::timeout(Duration::from_secs(120), result).await {
        Ok(Ok(_)) => Ok(id),
        Ok(Err(e)) => Err(format!("{id} failed: {e}")),
        Err(_) => Err(format!("{id} did not finish in 120 s")),
    }
}

/// The engine's cost per lifecycle: the measured orders' own workflows, plus the claim
/// batchers' runs (every run since the stack started) spread over every order placed on their
/// chains (`all_orders`, the warm-up's included); then one transfer's.
async fn engine_section(
    stack: &support::Stack,
    measured: &[EscrowOrder],
    all_orders: u64,
) -> String {
    let mut orders = Cost::default();
    for order in measured {
        orders.add(&engine::of(&stack.client, &order.workflow_id()).await);
    }
    let mut claims = Cost::default();
    let chains: BTreeSet<u64> = measured.iter().map(|o| o.chain_id).collect();
    for chain_id in chains {
        let batcher = ids::escrow_claims_workflow(chain_id);
        claims.add(&engine::of(&stack.client, &batcher).await);
    }
    let n = measured.len() as u64;
    let mut rows = vec![
        Lifecycle::new("EscrowOrderWorkflow (detection → claimed, released)", n)
            .part(orders.clone(), n),
        Lifecycle::new(
            "claim batcher (EscrowClaimsWorkflow runs), share per order",
            n,
        )
        .part(claims.clone(), all_orders),
        Lifecycle::new("**escrow order, total**", n)
            .part(orders, n)
            .part(claims, all_orders),
    ];
    let transfer_note = match one_transfer(stack).await {
        Ok(id) => {
            let cost = engine::of(&stack.client, &id).await;
            rows.push(
                Lifecycle::new("TransferWorkflow (one treasury transfer, l1 USDC)", 1)
                    .part(cost, 1),
            );
            String::new()
        }
        Err(why) => format!("\nThe treasury transfer for its row did not complete: {why}\n"),
    };
    format!(
        "{}\nThe claim batcher's share is all its runs since the stack started (it continues \
         as new every 200 batches, and is still running) over the {all_orders} orders placed \
         in this bench, warm-up included.\n{transfer_note}",
        engine::section(&rows)
    )
}

/// The runs of one kind, each measured at its own time: runs of a kind vary and the server's
/// state changes as runs accumulate, so the kinds run in a mirrored order (A B C C B A) and each
/// is judged by its mean.
struct Kind {
    name: String,
    runs: Vec<Run>,
}

impl Kind {
    fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            runs: Vec::new(),
        }
    }

    fn throughput(&self) -> f64 {
        self.runs.iter().map(|r| r.throughput).sum::<f64>() / self.runs.len() as f64
    }

    /// A row per run: p50 and p99 latency, throughput, wall.
    fn rows(&mut self, orders: u32, unit: &str) -> String {
        let mut rows = String::new();
        let count = self.runs.len();
        for (n, run) in self.runs.iter_mut().enumerate() {
            let (p50, p99) = p50_p99(&mut run.latencies);
            rows.push_str(&format!(
                "| {} ({} of {count}) | {orders} | {p50:.2} s | {p99:.2} s | {:.2} {unit}/s | {:.1} s |\n",
                self.name,
                n + 1,
                run.throughput,
                run.wall.as_secs_f64(),
            ));
        }
        rows
    }

    /// CPU of every run, summed by process, largest first.
    fn cpu(&self) -> common::cpu::Used {
        let mut total: BTreeMap<String, Duration> = BTreeMap::new();
        for (group, used) in self.runs.iter().flat_map(|r| &r.cpu) {
            *total.entry(group.clone()).or_default() += *used;
        }
        common::cpu::largest_first(total.into_iter().collect())
    }
}

fn main() {
    let orders: u32 = common::env_or("HEDGEFLOW_BENCH_ORDERS", 100);
    let runtime = common::runtime();
    let report = runtime.block_on(async {
        // Warm-up: the stack, the claim batcher and every code path once.
        const WARM_UP: u32 = 3;
        pipeline(WARM_UP).await;
        let stack = support::stack().await;
        let (first, shape, mut measured) = pipeline(orders).await;
        let plain = Shape {
            upserts: 0,
            ..shape
        };
        let mut ours = Kind::new("escrow pipeline (detection → user paid on L1)");
        let mut base = Kind::new(format!(
            "bare workflow, {} no-op activities",
            shape.activities
        ));
        let mut staged = Kind::new(format!(
            "bare workflow, {} no-op activities and {} `Stage` updates",
            shape.activities, shape.upserts
        ));
        ours.runs.push(first);
        base.runs.push(bare(stack, orders, plain).await);
        staged.runs.push(bare(stack, orders, shape).await);
        staged.runs.push(bare(stack, orders, shape).await);
        base.runs.push(bare(stack, orders, plain).await);
        let (last, _, last_orders) = pipeline(orders).await;
        ours.runs.push(last);
        measured.extend(last_orders);
        let engine = engine_section(stack, &measured, u64::from(WARM_UP + 2 * orders)).await;

        let ratio = ours.throughput() / base.throughput();
        let staged_ratio = ours.throughput() / staged.throughput();
        let ceiling = staged.throughput() / base.throughput();
        let mut phases: Vec<(String, Vec<f64>)> = Vec::new();
        for (status, spent) in ours.runs.iter().flat_map(|run| &run.phases) {
            add_phase(&mut phases, status, spent.iter().copied());
        }
        let phases = phase_rows(&mut phases);
        let rows = [
            ours.rows(orders, "orders"),
            base.rows(orders, "workflows"),
            staged.rows(orders, "workflows"),
        ]
        .concat();
        let items = orders * 2;
        let cpu = common::cpu::table(&[
            ("escrow pipeline", &ours.cpu(), items),
            ("bare workflow", &base.cpu(), items),
            ("bare workflow with `Stage` updates", &staged.cpu(), items),
        ]);
        format!(
            "# Escrow pipeline benchmark\n\n\
             Measured by `cargo bench -p hedgeflow --bench escrow --profile {profile}` ({orders} \
             orders placed at once per run; `HEDGEFLOW_BENCH_ORDERS` changes it) on {cores} \
             cores, one Temporal dev server (SQLite), two anvil chains with 1 s blocks, every \
             role a separate process. The baseline is a bare workflow with the same {activities} \
             activities per order (counted from a real order's history), all no-ops, on the same \
             server in the same run. A second bare workflow also sets the `Stage` search \
             attribute as often as an order sets its search attributes ({upserts} times): an \
             order's history as the server sees it, less the claim batcher (its signals and \
             its own workflow) and the heartbeats of the chain waits.\n\n\
             Runs of one kind vary from one to the next, and the server's state changes as runs \
             accumulate, so the runs go in a mirrored order (pipeline, bare, bare with updates, \
             bare with updates, bare, pipeline) and each kind is judged by the mean throughput \
             of its two runs.\n\n\
             | run | orders | p50 latency | p99 latency | throughput | wall |\n\
             |---|---|---|---|---|---|\n\
             {rows}\n\
             **Throughput ratio (pipeline / bare): {ratio:.2}** (goal: at least 0.80).\n\n\
             Against the bare workflow with the `Stage` updates: {staged_ratio:.2}. The bare \
             workflow with the updates reaches {ceiling:.2} of the plain one: as far as an \
             order's workflow could get on this server if every process of ours (roles, chains, \
             database) cost nothing.\n\n\
             Latency of the pipeline: detection (the workflow's start) to the user paid (the L1 \
             transfer confirmed), so it includes the order's L2 confirmation, the L1 transfer's \
             block and {confirmations} L1 confirmations at 1 s per block; of a bare workflow, \
             start to close. Throughput counts whole orders (claimed and released on L2 too) \
             from the first detection to the last completion.\n\n\
             Where an order's time goes, both pipeline runs (time in each status until the \
             next; the last until the workflow closed):\n\n\
             | status | p50 | p99 |\n\
             |---|---|---|\n\
             {phases}\n\
             CPU used by each kind's two runs, by process (from `/proc`, machine-wide; the bench \
             process runs the bare worker and every run's clients). A run's CPU seconds over its \
             wall time says how busy it kept the {cores} cores.\n\n\
             {cpu}\n\
             {engine}",
            profile = if cfg!(debug_assertions) {
                "dev"
            } else {
                "release"
            },
            cores = std::thread::available_parallelism().map_or(0, |n| n.get()),
            activities = shape.activities,
            upserts = shape.upserts,
            confirmations = stack.config.chains["l1"].confirmations,
        )
    });
    common::write_report("escrow", &report);
}
