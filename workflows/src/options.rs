//! Activity options by kind of step. One place decides timeouts and retries, so every pipeline
//! treats "send a transaction" or "write the DB" the same way.

use hedgeflow_proto::queues;
use std::time::Duration;
use temporalio_common::RetryPolicy;
use temporalio_sdk::ActivityOptions;

/// Retries back off to one attempt a minute and never give up on their own: a step that cannot
/// finish stays visible as a pending activity with its last error, for ops to see and fix.
fn patient_retries() -> RetryPolicy {
    RetryPolicy::builder()
        .initial_interval(Duration::from_secs(1))
        .backoff_coefficient(2.0)
        .maximum_interval(Duration::from_secs(60))
        .build()
}

/// Sending a transaction from the hot wallet: a long start-to-close (fee bumps may be needed) and
/// a short heartbeat timeout, so a killed hot-wallet worker is noticed within seconds and the
/// retry (which finds the journaled transaction) starts promptly.
pub fn submit_transaction() -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(15 * 60))
        .task_queue(queues::HOT_WALLET.to_owned())
        .heartbeat_timeout(Duration::from_secs(10))
        .retry_policy(patient_retries())
        .build()
}

/// Waiting for confirmations: heartbeats every block.
pub fn watch_receipt() -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(30 * 60))
        .task_queue(queues::ORCHESTRATOR.to_owned())
        .heartbeat_timeout(Duration::from_secs(30))
        .retry_policy(patient_retries())
        .build()
}

/// Short reads and writes (chain reads, DB writes).
pub fn quick() -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(30))
        .task_queue(queues::ORCHESTRATOR.to_owned())
        .retry_policy(patient_retries())
        .build()
}
