//! Every recorded history in `tests/histories/` replays against today's workflow code. A change
//! that would break a workflow already running in production (nondeterminism) fails here.
//! Refresh the fixtures by running the e2e transfer test with `HEDGEFLOW_RECORD_HISTORY=<file>`,
//! and the escrow, fill (with a hedger epoch) and intent hedger tests with
//! `HEDGEFLOW_RECORD_HISTORIES=<dir>`.

#![allow(clippy::too_many_lines, reason = "a test reads as one story")]

use temporalio_client::WorkflowHistory;

#[tokio::test]
async fn recorded_histories_replay_without_nondeterminism() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/histories");
    let mut replayed = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/histories") {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|ext| ext != "json") {
            continue;
        }
        let history = WorkflowHistory::from_json(&std::fs::read(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        hedgeflow_workflows::replayer()
            .unwrap()
            .replay_workflow(history)
            .await
            .unwrap_or_else(|e| panic!("{} does not replay: {e}", path.display()));
        replayed += 1;
    }
    assert!(replayed > 0, "no history fixture in {}", dir.display());
}
