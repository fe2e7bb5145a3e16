//! Activity options by kind of step. One place decides timeouts and retries, so every pipeline
//! treats "send a transaction" or "write the DB" the same way.

use hedgeflow_proto::queues;
use std::time::Duration;
use temporalio_common::RetryPolicy;
use temporalio_sdk::ActivityOptions;

/// How long a step keeps retrying. Retries back off from 1 s to one attempt a minute.
#[derive(Clone, Copy, Debug)]
pub enum Retries {
    /// Never give up: a step that cannot finish stays visible as a pending activity with its last
    /// error (store writes, which heal when the DB does).
    UntilDone,
    /// Give up after this many attempts, so the workflow can mark its order FAILED with the error
    /// and wait for ops to retry it.
    Attempts(u32),
}

fn retry_policy(retries: Retries) -> RetryPolicy {
    RetryPolicy::builder()
        .initial_interval(Duration::from_secs(1))
        .backoff_coefficient(2.0)
        .maximum_interval(Duration::from_secs(60))
        // 0 is Temporal's "unlimited"
        .maximum_attempts(match retries {
            Retries::UntilDone => 0,
            Retries::Attempts(n) => n,
        })
        .build()
}

/// Sending a transaction from the hot wallet: a long start-to-close (fee bumps may be needed) and
/// a short heartbeat timeout, so a killed hot-wallet worker is noticed within seconds and the
/// retry (which finds the journaled transaction) starts promptly.
pub fn submit_transaction(retries: Retries) -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(15 * 60))
        .task_queue(queues::HOT_WALLET.to_owned())
        .heartbeat_timeout(Duration::from_secs(10))
        .retry_policy(retry_policy(retries))
        .build()
}

/// Chain reads the hot wallet makes for a workflow (checking a fill before sending it).
pub fn hot_wallet_read(retries: Retries) -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(30))
        .task_queue(queues::HOT_WALLET.to_owned())
        .retry_policy(retry_policy(retries))
        .build()
}

/// Waiting on the chain (confirmations, a release on L2): heartbeats every block.
pub fn watch_chain(retries: Retries) -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(30 * 60))
        .task_queue(queues::ORCHESTRATOR.to_owned())
        .heartbeat_timeout(Duration::from_secs(30))
        .retry_policy(retry_policy(retries))
        .build()
}

/// Short reads and writes (chain reads, DB writes, Temporal calls).
pub fn quick(retries: Retries) -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(30))
        .task_queue(queues::ORCHESTRATOR.to_owned())
        .retry_policy(retry_policy(retries))
        .build()
}

/// An exchange order placed and followed to its final state by the exchange role: a minute
/// per attempt (placement, then the user data stream or polling), heartbeats so a killed
/// exchange worker is noticed within seconds and the retry (which asks for the order by its
/// client order id before placing) starts promptly.
pub fn exchange(retries: Retries) -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(60))
        .task_queue(queues::EXCHANGE.to_owned())
        .heartbeat_timeout(Duration::from_secs(10))
        .retry_policy(retry_policy(retries))
        .build()
}

/// A broker order of the intent hedger, followed by the exchange role: the order's own wait
/// (a LIMIT quote's order may rest) plus a minute, with the same heartbeats as [`exchange`].
pub fn broker(wait: Duration) -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(wait + Duration::from_secs(60))
        .task_queue(queues::EXCHANGE.to_owned())
        .heartbeat_timeout(Duration::from_secs(10))
        .retry_policy(retry_policy(Retries::UntilDone))
        .build()
}

/// A price signed by the `price-signer` role for the `IntentBook`.
pub fn price_signer(retries: Retries) -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(15))
        .task_queue(queues::PRICE_SIGNER.to_owned())
        .retry_policy(retry_policy(retries))
        .build()
}
