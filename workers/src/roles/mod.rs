//! The long-running roles. Each is a Temporal worker on its own task queue and holds only the
//! secrets its activities need.

pub mod hot_wallet;
pub mod orchestrator;

use temporalio_sdk::Worker;
use tokio::signal::unix::{SignalKind, signal};
use tracing::info;

/// Runs the worker until it fails or SIGINT/SIGTERM asks it to stop, then drains it gracefully.
pub(crate) async fn run_until_signalled(mut worker: Worker, role: &str) -> anyhow::Result<()> {
    let shutdown = worker.shutdown_handle();
    let mut terminate = signal(SignalKind::terminate())?;
    let role = role.to_owned();
    tokio::spawn(async move {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {},
            _ = terminate.recv() => {},
        }
        info!(role, "shutting down");
        shutdown();
    });
    worker.run().await?;
    Ok(())
}
