//! Wire and durable types shared by every hedgeflow process.
//!
//! Everything that crosses a process boundary or is written into a workflow history lives here,
//! so that `workflows/` depends on this crate and never on `activities/`:
//!
//! - [`amount`]: base-unit amounts, serialized as decimal strings so histories stay readable;
//! - [`queues`] and [`ids`]: task-queue names and deterministic workflow ids, in one place;
//! - [`search`]: the custom search attributes ops filter on in the Temporal UI;
//! - [`chain`]: transaction intents, submissions and receipts (any pipeline);
//! - [`transfer`]: the treasury transfer pipeline's inputs, plan and record;
//! - [`escrow`]: the bridge market maker's escrow orders, claims and scan;
//! - [`rfq`]: the RFQ dealer's pipeline: the signed quote, the taker's fill, the hedge;
//! - [`intent`]: the intent hedger's quotes, events, broker orders and records;
//! - [`activities`]: the activity *signatures*, implemented in `activities/`;
//! - [`workflows`]: the workflow, signal, query and update *signatures*, implemented in
//!   `workflows/`;
//! - [`grpc`]: the gRPC services between roles (`grpc/*.proto`, compiled by tonic).
//!
//! New fields on existing types carry `#[serde(default)]` so old histories still decode.

pub mod activities;
pub mod amount;
pub mod balance;
pub mod chain;
pub mod escrow;
pub mod grpc;
pub mod ids;
pub mod intent;
pub mod queues;
pub mod rfq;
pub mod search;
pub mod transfer;
pub mod workflows;

pub use amount::Amount;
