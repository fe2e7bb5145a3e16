//! The report: `bench/intents/REPORT.md` from both runs' stages, the engine's cost and the
//! checks' failures.

use super::{BLOCK_TIME, Measured, QUANTITY, Report};
use crate::blocks::{self, Stage};
use crate::common::{self, engine};
use hedgeflow_workflows::intent::CONFIRMATIONS;

const STAGES: [&str; 4] = [
    "`SendQuote` mined → `lockQuote` mined",
    "`lockQuote` mined → broker filled",
    "broker filled → `openPosition` mined",
    "**`SendQuote` mined → `openPosition` mined**",
];

/// The latency table of one run, and its block times.
fn run_section(run: &Measured) -> String {
    let p = |values: Vec<f64>| {
        let mut values = values;
        if values.is_empty() {
            return (f64::NAN, f64::NAN);
        }
        common::p50_p99(&mut values)
    };
    // The chain's least in blocks: 1 + CONFIRMATIONS × allocations before the lock (a range
    // when quotes differ), the lock's further confirmations, at most 1 after the fill.
    let (fewest, most) = (
        run.allocations.iter().min().copied().unwrap_or(0) as u64,
        run.allocations.iter().max().copied().unwrap_or(0) as u64,
    );
    let blocks_of = |extra: u64| {
        let (low, high) = (fewest * CONFIRMATIONS + extra, most * CONFIRMATIONS + extra);
        if low == high {
            low.to_string()
        } else {
            format!("{low}–{high}")
        }
    };
    let least = [
        blocks_of(1),
        (CONFIRMATIONS - 1).to_string(),
        "≤ 1".to_owned(),
        format!("{} + ≤ 1", blocks_of(CONFIRMATIONS)),
    ];
    let stages: Vec<Stage> = STAGES
        .iter()
        .zip(least)
        .enumerate()
        .map(|(stage, (name, blocks))| Stage {
            name: (*name).to_owned(),
            blocks,
            took: run.stages.iter().map(|s| s.took[stage]).collect(),
            chain: run.stages.iter().map(|s| s.chain[stage]).collect(),
        })
        .collect();
    let (stamped50, stamped99) = p(run.stages.iter().map(|s| s.stamped).collect());
    let (lost50, lost99) = p(run.stages.iter().map(|s| s.blocks_lost).collect());
    let (seen, stamped) = blocks::mean_interval(&run.blocks);
    let fullest = run
        .blocks
        .iter()
        .map(|b| b.gas_used as f64 / b.gas_limit.max(1) as f64)
        .fold(0.0, f64::max);
    let allocated = run.allocations.iter().filter(|a| **a > 0).count();
    format!(
        "### {name}: {n} quotes\n\n\
         {table}\n\
         Blocks during the run ({count}, from the first `SendQuote` to the last `openPosition`): \
         mean interval {seen:.3} s by first-seen time, {stamped:.3} s by timestamp (configured: \
         {BLOCK_TIME:.0} s); the fullest used {full:.0} % of its gas limit. `SendQuote` → \
         `openPosition` by block timestamps: p50 {stamped50:.0} s, p99 {stamped99:.0} s; blocks \
         beyond the chain's least: p50 {lost50:.0}, p99 {lost99:.0}. {allocated} of the {n} \
         quotes needed an `allocateForPartyB` before the lock.\n",
        name = run.name,
        n = run.stages.len(),
        table = blocks::stage_table(&stages),
        count = run.blocks.len(),
        full = fullest * 100.0,
    )
}

pub(super) fn report(r: Report) -> String {
    let (serial, burst) = r.requested;
    let (close50, close99) = if r.closes.is_empty() {
        (f64::NAN, f64::NAN)
    } else {
        common::p50_p99(r.closes)
    };
    let failures = if r.failures.is_empty() {
        format!(
            "Every quote opened, each hedged by one broker order of its {QUANTITY}; the broker's \
             ETHUSDT position moved by exactly {} over the opens and came back after the closes; \
             every quote then closed on chain and its workflow ended `closed`.",
            r.position.1
        )
    } else {
        let rows: Vec<String> = r.failures.iter().map(|f| format!("- {f}\n")).collect();
        format!(
            "**FAILED** (the bench exits non-zero):\n\n{}",
            rows.concat()
        )
    };
    format!(
        "# Intent hedger benchmark\n\n\
         Measured by `cargo bench -p hedgeflow --bench intents --profile {profile}` \
         (`HEDGEFLOW_BENCH_INTENTS_SERIAL={serial}`, `HEDGEFLOW_BENCH_INTENTS_BURST={burst}`) on \
         {cores} cores (load average {load_before} before the stack started, {load_after} after \
         the runs: the machine is shared), one Temporal dev server (SQLite), anvil chains with \
         {BLOCK_TIME:.0} s blocks, every role a separate process (indexer, orchestrator, hot \
         wallet, exchange, paper exchange, price signer). Party A sends MARKET LONG quotes of \
         {QUANTITY} ETHUSDT at 1 % above the broker's mark to the `IntentBook` on l2; the \
         hedger allocates what party B lacks for that party A, locks, buys on the paper \
         exchange's perpetual (IOC) and opens at the broker's price, waiting for {CONFIRMATIONS} \
         confirmations of each of its transactions before the next step.\n\n\
         - serial: one party A, one quote at a time (the next sent once the hedger recorded the \
         last `opened`), after one warm-up quote;\n\
         - burst: one quote from each of {burst} party A accounts, signed beforehand and \
         broadcast at once (one account's quotes would each wait on the one before for party \
         B's allocation).\n\n\
         **How it is timed.** One poller outside every process asks l2 for its head every \
         {poll} ms and reads the book's events of each new block; an on-chain step is when the \
         block holding its event was first seen (block timestamps have a 1 s resolution: shown \
         only as a cross-check). The broker fill is the paper exchange's `updateTime` of the \
         quote's order, found by its client order id (same machine, same clock). With up to 50 \
         quotes in a run, p99 is the slowest.\n\n\
         **The chain's wait and our overhead.** The chain's wait in a stage is what a hedger \
         that reacted in no time would still wait for blocks, from the blocks' own first-seen \
         times: send → lock, to the block `SendQuote` + 1 + {CONFIRMATIONS} × (allocations), \
         since an allocation goes in the next block and waits {CONFIRMATIONS} confirmations, \
         then the lock goes in the next; lock → broker filled, the lock's confirmations \
         ({CONFIRMATIONS} − 1 more blocks); broker filled → open, to the first block after the \
         fill. Our overhead is the stage's time less that: it counts whole blocks where a \
         transaction missed the block it could have made, and the broker leg's own time. Some \
         of the chain's wait is the hedger's policy, not the chain's: an allocation before the \
         lock costs {CONFIRMATIONS} blocks (its own and its confirmation), and waiting for \
         {CONFIRMATIONS} confirmations of the lock before hedging {lock_wait} more; with party \
         B's allocation in place and acting on the first confirmation the least would be 1 \
         block to the lock and at most 1 after the fill.\n\n\
         {serial_section}\n{burst_section}\n\
         Closing every quote at once afterwards (`requestToClosePosition` mined → \
         `fillCloseRequest` mined, {closes} quotes): p50 {close50:.2} s, p99 {close99:.2} s.\n\n\
         {failures}\n\n\
         {engine}",
        profile = if cfg!(debug_assertions) {
            "dev"
        } else {
            "release"
        },
        cores = std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_before = r.loads.0,
        load_after = r.loads.1,
        poll = blocks::POLL.as_millis(),
        lock_wait = CONFIRMATIONS - 1,
        serial_section = run_section(r.serial),
        burst_section = run_section(r.burst),
        closes = r.closes.len(),
        engine = engine::section(r.lifecycles),
    )
}
