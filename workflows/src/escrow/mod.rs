//! The bridge market maker's escrow pipeline:
//!
//! - [`order`]: one workflow per L2 order, from detection to the release of our funds on L2;
//! - [`claims`]: one long-lived claim batcher per L2, so ready claims share a transaction;
//! - [`scan`]: the accepted-blocks scan a Temporal Schedule runs, so no order is ever lost.

pub mod claims;
pub mod order;
pub mod scan;

pub(crate) use crate::steps::{
    MAX_REORG_RESUBMITS, STEP_ATTEMPTS, confirm, reorged_too_often, step,
};
