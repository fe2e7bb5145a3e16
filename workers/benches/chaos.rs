//! `cargo bench -p hedgeflow --bench chaos` (or `--profile dev`): the long chaos run, all three
//! pipelines at once under random faults (see `tests/e2e/chaos/mod.rs`), judged from the chains and
//! the exchange, then our DB. Writes `bench/chaos/REPORT.md` (and prints it); exits non-zero on
//! any violation.
//!
//! `HEDGEFLOW_CHAOS_SECS` (default 600) is how long traffic runs and faults strike;
//! `HEDGEFLOW_CHAOS_SEED` replays a run's choice and timing of faults.

#![allow(clippy::too_many_lines, reason = "a bench reads as one story")]

#[path = "../tests/e2e/chaos/mod.rs"]
mod chaos;
#[path = "../tests/e2e/support/mod.rs"]
mod support;

use std::time::Duration;

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(text) => text
            .parse()
            .unwrap_or_else(|_| panic!("{name}={text:?} is not a whole number")),
        Err(_) => default,
    }
}

fn main() {
    let plan = chaos::Plan {
        duration: Duration::from_secs(env_u64("HEDGEFLOW_CHAOS_SECS", 600)),
        fault_every: (Duration::from_secs(6), Duration::from_secs(12)),
        escrow_batch: 3,
        escrow_every: Duration::from_secs(8),
        takers: 2,
        fill_every: Duration::from_secs(8),
        parties: 2,
        quiet: Duration::from_secs(600),
        seed: env_u64("HEDGEFLOW_CHAOS_SEED", rand::random()),
    };
    let report = support::run(async move {
        let stack = support::chaos_stack().await;
        chaos::run(stack, &plan).await
    });
    let markdown = report.markdown();
    println!("{markdown}");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/chaos");
    std::fs::create_dir_all(&dir).expect("bench/chaos");
    std::fs::write(dir.join("REPORT.md"), markdown).expect("writing the report");
    if !report.violations().is_empty() || !report.fault_errors.is_empty() {
        std::process::exit(1);
    }
}
