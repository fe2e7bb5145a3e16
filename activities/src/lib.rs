//! Every side effect of a pipeline, one module per outside world.
//!
//! - [`chain`]: providers with failover, the hot-wallet signer, the transaction journal, nonce
//!   allocation, `submit_transaction` (hot-wallet queue) and `watch_receipt`;
//! - [`treasury`]: balances, the treasury transfer's plan (`plan_transfer`) and its start;
//! - [`escrow`]: the escrow pipeline's evaluation, registry checks, claims, release, indexer and
//!   accepted-blocks scan;
//! - [`rfq`]: the RFQ dealer: the hot wallet's quote signer (gRPC), its fill check
//!   (`check_rfq_fill`), and handing settled fills to their market's hedger (`hedge_fill`) and
//!   the sweep of fills left unhedged;
//! - [`exchange`]: the exchange role: hedge orders (`place_hedge_order`), the intent hedger's broker
//!   orders and wallet moves (exchange queue);
//! - [`intent`]: the intent hedger: the book's events and quotes, the policy, the price signer,
//!   the position validator, the balance manager and the mismatch webhook;
//! - [`schedule`]: the Temporal Schedules of housekeeping workflows;
//! - [`policy`]: the hot wallet's transaction policy (allowlist, value limits, chain checks);
//! - [`store`]: the database (sea-orm entities, migrations) and the `record_*` activities;
//! - [`observe`]: what the activities report, as log events and metrics;
//! - [`heartbeat`]: heartbeats of long activities;
//! - [`failure`]: errors to retryable or non-retryable Temporal failures.
//!
//! Activity structs own their clients and implement the signatures declared in
//! `hedgeflow_proto::activities`. Each activity documents its idempotency key and what a retry
//! after partial success does. Errors are typed per module and mapped to retryable or
//! non-retryable Temporal failures once, in [`failure`].

pub mod chain;
pub mod escrow;
pub mod exchange;
pub mod failure;
pub mod heartbeat;
pub mod intent;
pub mod observe;
pub mod policy;
pub mod rfq;
pub mod schedule;
pub mod store;
pub mod treasury;
