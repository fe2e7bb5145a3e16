//! Deterministic workflow code: every lifecycle hedgeflow runs, one module per pipeline.
//!
//! Nothing here performs I/O, reads a clock or draws randomness except through the workflow
//! context; `clippy.toml` bans the usual escape hatches. Activities are called through the
//! signatures in `hedgeflow_proto::activities`, so this crate cannot reach their implementations.
//!
//! - [`options`]: activity options per kind of step (task queue, timeouts, retries);
//! - [`failure`]: turning an activity failure into the reason stored with an order;
//! - [`transfer`]: the hot wallet's treasury transfer.

pub mod failure;
pub mod options;
pub mod transfer;

pub use transfer::TransferWorkflow;
