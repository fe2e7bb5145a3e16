//! The small chaos run of `scripts/test`: a minute of all three pipelines on the real stack with
//! production's persistence (Temporal's history on disk, our data in PostgreSQL, the hedger API
//! reading as the read-only user) and a fault every few seconds, then every invariant of
//! `chaos::invariants` (see `chaos/mod.rs`; the long run is `cargo bench --bench chaos`, which
//! writes `bench/chaos/REPORT.md`).

#[test]
fn all_three_pipelines_under_random_faults_move_every_amount_exactly_once() {
    // Imported here, not at the top: `benches/chaos.rs` compiles this module too, with
    // `cfg(test)` under `--all-targets` but no test harness, so without this function.
    use crate::support;
    use std::time::Duration;

    support::run_as("chaos", async {
        let stack = support::chaos_stack().await;
        let plan = super::Plan {
            duration: Duration::from_secs(75),
            fault_every: (Duration::from_secs(4), Duration::from_secs(8)),
            escrow_batch: 2,
            escrow_every: Duration::from_secs(8),
            takers: 1,
            fill_every: Duration::from_secs(6),
            parties: 1,
            quiet: Duration::from_secs(300),
            seed: rand::random(),
        };
        let report = super::run(stack, &plan).await;
        println!("{}", report.markdown());
        assert_eq!(
            report.violations(),
            Vec::<String>::new(),
            "seed {}",
            plan.seed
        );
        assert!(report.fault_errors.is_empty(), "{:?}", report.fault_errors);
        assert!(
            report.faults_injected() >= 5,
            "{}",
            report.faults_injected()
        );
        assert!(report.lifecycles() >= 20, "{}", report.lifecycles());
        // Ops' saved views, on the workflows this run left (and the sweep's schedule runs).
        support::saved_views::check(&stack.client).await;
    });
}
