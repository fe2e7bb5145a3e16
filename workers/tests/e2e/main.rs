//! The end-to-end tests of `workers/`, in one test binary: a module per pipeline or area (named
//! as the binary it was), and the stacks and helpers they share as modules of their own. One
//! binary links the workspace once, where a binary per pipeline linked it each.
//!
//! Run one module by its path: `cargo test -p hedgeflow --test e2e escrow::`.
//!
//! Every test runs in this one process, side by side (`--test-threads`, the cores by default).
//! The modules on a stack of [`support`] take turns holding the stacks ([`support::run_as`]):
//! `transfer` and `escrow` share the escrow stack, `rfq_fill` and `intent_hedger` the RFQ stack,
//! and `chaos` has its own. Their tests kill roles, hold and reorg chains, stop providers and
//! check the shared hot wallet's balances, so one module's tests at a time hold the stacks, as
//! when each module was its own process; inside a module, tests take the turns they always took.
//! The other modules start what they need per test (an anvil, a dev server, local servers).

#![allow(clippy::too_many_lines, reason = "a test reads as one story")]

// The stacks and helpers.
mod contract_chain;
mod rfq_stack;
mod support;

// The tests, a module per pipeline or area.
mod chain;
mod chaos;
mod compose;
mod dealer_quotes;
mod escrow;
mod escrow_contracts;
mod intent_contracts;
mod intent_hedger;
mod rfq_contracts;
mod rfq_fill;
mod telemetry;
mod temporal_tls;
mod transfer;
