//! The long-running roles. Each holds only the secrets its work needs: `orchestrator` and
//! `hot-wallet` are Temporal workers on their own task queues; `indexer` starts workflows from
//! chain events; `relayer` is the local stack's stand-in for a rollup's L1→L2 messaging; `obm`
//! keeps the exchanges' order books and serves them over gRPC; `exchange` places hedge orders
//! (the only role with exchange API keys); `dealer` is the RFQ dealer's
//! public JSON-RPC front door; `paper-exchange` is the local stack's Binance stand-in;
//! `price-signer` signs broker prices for the intent hedger's `IntentBook`; `hedger-api` is the
//! intent hedger's web server for SYMMIO front ends.

pub mod dealer;
pub mod exchange;
pub mod hedger_api;
pub mod hot_wallet;
pub mod indexer;
pub mod obm;
pub mod orchestrator;
pub mod paper_exchange;
pub mod price_signer;
pub mod relayer;

use temporalio_sdk::Worker;
use tokio::signal::unix::{SignalKind, signal};
use tracing::info;

/// Resolves when SIGINT or SIGTERM asks the role to stop.
pub(crate) async fn shutdown_requested(role: &str) -> anyhow::Result<()> {
    let mut terminate = signal(SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = terminate.recv() => {},
    }
    info!(role, "shutting down");
    Ok(())
}

/// Runs the worker until it fails or SIGINT/SIGTERM asks it to stop, then drains it gracefully.
pub(crate) async fn run_until_signalled(mut worker: Worker, role: &str) -> anyhow::Result<()> {
    let shutdown = worker.shutdown_handle();
    let role = role.to_owned();
    tokio::spawn(async move {
        match shutdown_requested(&role).await {
            Ok(()) => shutdown(),
            Err(error) => {
                tracing::error!(%error, "no signal handler; stop the worker by killing it")
            }
        }
    });
    worker.run().await?;
    Ok(())
}
