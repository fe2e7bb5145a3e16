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

#[path = "common/mod.rs"]
mod common;
#[path = "../tests/support/mod.rs"]
mod support;

use common::{
    Run, Window, activities_of, add_phases, bare, p50_p99, phase_rows, seconds, status_history,
    times,
};
use futures::future::join_all;
use hedgeflow::cli::demo;
use hedgeflow_activities::store::Store;
use hedgeflow_workflows::EscrowOrderWorkflow;
use std::time::{Duration, Instant};
use temporalio_client::WorkflowGetResultOptions;

async fn pipeline(orders: u32) -> (Run, u32) {
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

    // The activities one order ran, for a like-for-like baseline.
    let activities =
        activities_of::<EscrowOrderWorkflow>(&stack.client, &placed[0].workflow_id()).await;
    let run = Run {
        latencies,
        phases,
        throughput: orders as f64 / window.seconds(),
        wall,
        cpu,
    };
    (run, activities)
}

fn main() {
    let orders: u32 = std::env::var("HEDGEFLOW_BENCH_ORDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let runtime = common::runtime();
    let report = runtime.block_on(async {
        // Warm-up: the stack, the claim batcher and every code path once.
        pipeline(3).await;
        let (mut ours, activities) = pipeline(orders).await;
        let mut base = bare(support::stack().await, orders, activities).await;
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
             {phases}\n\
             CPU used during each run, by process (from `/proc`, machine-wide; the bench \
             process runs the bare worker and both runs' clients):\n\n\
             {cpu}",
            profile = if cfg!(debug_assertions) { "dev" } else { "release" },
            cores = std::thread::available_parallelism().map_or(0, |n| n.get()),
            ours_tp = ours.throughput,
            base_tp = base.throughput,
            ours_wall = ours.wall.as_secs_f64(),
            base_wall = base.wall.as_secs_f64(),
            confirmations = support::stack().await.config.chains["l1"].confirmations,
            cpu = common::cpu::table([
                ("escrow pipeline", &ours.cpu, orders),
                ("bare workflow", &base.cpu, orders),
            ]),
        )
    });
    common::write_report("escrow", &report);
}
