//! The RFQ dealer (role `dealer`).
//!
//! - [`maker`]: pricing and risk checks, pure and deterministic (books, volatility, inventory
//!   and time come in as arguments).
//! - [`api`]: the front door's view of the dealer (the [`api::Dealer`] trait and its types).
//! - [`rpc`]: the public Dealer JSON-RPC v1.0 front door and its admin endpoint (jsonrpsee);
//!   `openrpc.json` is the front door's OpenRPC document, served by `rpc.discover`.
//! - [`profiler`]: taker allow/deny lists, API keys, and rate limits per taker, key, source and
//!   overall.
//! - [`service`]: the real [`api::Dealer`]: live books from the OBM, the maker, the hot wallet.
//! - [`taker`]: a taker's client of the front door (quote, check, approve, fill), used by the
//!   example and the tests.

pub mod maker;

pub mod api;
pub mod profiler;
pub mod rpc;
pub mod service;
pub mod taker;
