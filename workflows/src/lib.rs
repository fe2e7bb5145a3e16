//! Deterministic workflow code: every lifecycle hedgeflow runs, one module per pipeline.
//!
//! Nothing here performs I/O, reads a clock or draws randomness except through the workflow
//! context; `clippy.toml` bans the usual escape hatches. Activities are called through the
//! signatures in `hedgeflow_proto::activities`, so this crate cannot reach their implementations.
//!
//! - [`options`]: activity options per kind of step (task queue, timeouts, retries);
//! - [`failure`]: turning an activity failure into the reason stored with an order;
//! - [`steps`]: steps every pipeline takes alike (an activity as a step, waiting for confirmations);
//! - [`transfer`]: the hot wallet's treasury transfer;
//! - [`escrow`]: the bridge market maker's orders, claim batcher and accepted-blocks scan;
//! - [`fill`]: the RFQ dealer's settlement of a taker's fill;
//! - [`hedge`]: the RFQ dealer's hedger, one per market, netting fills per epoch;
//! - [`intent`]: the intent hedger's position manager, one per `IntentBook` quote, and its
//!   scheduled position validator and balance manager;
//! - [`replayer`]: every workflow registered for history replay tests.

pub mod escrow;
pub mod failure;
pub mod fill;
pub mod hedge;
pub mod hedge_sweep;
pub mod intent;
pub mod options;
pub mod steps;
pub mod transfer;

pub use escrow::{
    claims::EscrowClaimsWorkflow, order::EscrowOrderWorkflow, scan::EscrowScanWorkflow,
};
pub use fill::FillWorkflow;
pub use hedge::HedgeWorkflow;
pub use hedge_sweep::HedgeSweepWorkflow;
pub use intent::{
    IntentWorkflow, balance::IntentBalanceWorkflow, validator::IntentValidatorWorkflow,
};
pub use transfer::TransferWorkflow;

use temporalio_sdk::workflow_replayer::{WorkflowReplayer, WorkflowReplayerOptions};

/// A replayer with every workflow of this crate registered: replay tests check recorded
/// histories against it, so a change that would break running workflows fails in CI.
pub fn replayer() -> Result<WorkflowReplayer, Box<dyn std::error::Error + Send + Sync>> {
    let options = WorkflowReplayerOptions::new()
        .register_workflow::<TransferWorkflow>()?
        .register_workflow::<EscrowOrderWorkflow>()?
        .register_workflow::<EscrowClaimsWorkflow>()?
        .register_workflow::<EscrowScanWorkflow>()?
        .register_workflow::<FillWorkflow>()?
        .register_workflow::<HedgeWorkflow>()?
        .register_workflow::<HedgeSweepWorkflow>()?
        .register_workflow::<IntentWorkflow>()?
        .register_workflow::<IntentValidatorWorkflow>()?
        .register_workflow::<IntentBalanceWorkflow>()?
        .build();
    Ok(WorkflowReplayer::new(options)?)
}
