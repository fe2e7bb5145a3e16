//! A taker's client for the Dealer JSON-RPC v1.0 front door (JSON-RPC 2.0 over HTTP POST).
//!
//! The flow: [`TakerClient::quote`] a firm quote (its order signed by the dealer),
//! [`TakerClient::approve`] it (the EIP-712 `RfqFillApproval(RfqOrder order)` signature that
//! `RfqSettlement` checks), then [`TakerClient::submit_fill`]. Replies are read with the front
//! door's own parsers ([`crate::rpc::params`]) into the dealer's own types ([`crate::api`]).
//!
//! A quote is checked before it is handed out, because approving it signs its whole order: the
//! order must be the one quoted (assets, amounts, taker, chain), `orderHash` must be its
//! EIP-712 digest and the dealer's signature must recover to the order's maker. Whether the
//! price is acceptable is the caller's decision.
//!
//! Every dealer refusal comes back as [`TakerError::Rpc`] with the spec's code, so a caller can
//! match, e.g., `Err(TakerError::Rpc { code: -42014, .. })` (quote expired).
//!
//! Layout:
//! - `client`: [`TakerClient`], one method per front-door call, and the answers' types.
//! - `checked_quote`: [`TakerQuote`], the checks above.
//! - `replies`: the JSON-RPC envelope and the spec's encodings, read into the dealer's types.
//! - `error`: [`TakerError`].

mod checked_quote;
mod client;
mod error;
mod replies;

pub use checked_quote::TakerQuote;
pub use client::{
    AuthStatus, FillAck, MAX_REPLY_BYTES, MarketsPage, MarketsQuery, REQUEST_TIMEOUT, TakerClient,
};
pub use error::TakerError;
