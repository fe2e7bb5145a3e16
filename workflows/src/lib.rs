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
//! - [`rfq`]: the RFQ dealer's settlement of a taker's fill, the hedger (one per market, netting
//!   fills per epoch) and the sweep of fills a hedger lost;
//! - [`intent`]: the intent hedger's position manager, one per `IntentBook` quote, and its
//!   scheduled position validator and balance manager;
//! - [`register_all`]: every workflow, registered on the orchestrator's worker and on the
//!   [`replayer`] of the history replay tests.

pub mod escrow;
pub mod failure;
pub mod intent;
pub mod options;
pub mod rfq;
pub mod steps;
pub mod transfer;

#[cfg(test)]
mod definitions_test;

pub use escrow::{
    claims::EscrowClaimsWorkflow, order::EscrowOrderWorkflow, scan::EscrowScanWorkflow,
};
pub use intent::{
    IntentWorkflow, balance::IntentBalanceWorkflow, validator::IntentValidatorWorkflow,
};
pub use rfq::{fill::FillWorkflow, hedge::HedgeWorkflow, hedge_sweep::HedgeSweepWorkflow};
pub use transfer::TransferWorkflow;

use temporalio_common::WorkflowDefinition;
use temporalio_sdk::{
    WorkerOptions, WorkflowRegistrationError,
    workflow_replayer::{WorkflowReplayer, WorkflowReplayerOptions},
};
use temporalio_workflow::workflows::WorkflowImplementation;

/// Where workflows are registered: the orchestrator's worker and the replayer take the same list
/// ([`register_all`]), so a workflow the worker runs is one the replay tests check.
pub trait Registry {
    fn register<W>(&mut self) -> Result<(), WorkflowRegistrationError>
    where
        W: WorkflowImplementation,
        <W::Run as WorkflowDefinition>::Input: Send;
}

impl Registry for WorkerOptions {
    fn register<W>(&mut self) -> Result<(), WorkflowRegistrationError>
    where
        W: WorkflowImplementation,
        <W::Run as WorkflowDefinition>::Input: Send,
    {
        self.register_workflow::<W>().map(drop)
    }
}

impl Registry for WorkflowReplayerOptions {
    fn register<W>(&mut self) -> Result<(), WorkflowRegistrationError>
    where
        W: WorkflowImplementation,
        <W::Run as WorkflowDefinition>::Input: Send,
    {
        self.register_workflow::<W>().map(drop)
    }
}

/// Registers every workflow of this crate on `registry`.
pub fn register_all(registry: &mut impl Registry) -> Result<(), WorkflowRegistrationError> {
    registry.register::<TransferWorkflow>()?;
    registry.register::<EscrowOrderWorkflow>()?;
    registry.register::<EscrowClaimsWorkflow>()?;
    registry.register::<EscrowScanWorkflow>()?;
    registry.register::<FillWorkflow>()?;
    registry.register::<HedgeWorkflow>()?;
    registry.register::<HedgeSweepWorkflow>()?;
    registry.register::<IntentWorkflow>()?;
    registry.register::<IntentValidatorWorkflow>()?;
    registry.register::<IntentBalanceWorkflow>()
}

/// A replayer with every workflow of this crate registered: replay tests check recorded
/// histories against it, so a change that would break running workflows fails in CI.
pub fn replayer() -> Result<WorkflowReplayer, Box<dyn std::error::Error + Send + Sync>> {
    let mut options = WorkflowReplayerOptions::new().build();
    register_all(&mut options)?;
    Ok(WorkflowReplayer::new(options)?)
}
