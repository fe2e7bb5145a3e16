//! [`TakerError`]: why a call of the front door failed.

use alloy::primitives::Address;
use serde_json::Value;

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum TakerError {
    /// The front door URL is not an `http` or `https` URL.
    #[error("invalid dealer URL {url:?}: {reason}")]
    Url { url: String, reason: String },
    /// The HTTP client cannot start (no TLS backend).
    #[error("cannot start the HTTP client: {0}")]
    Client(reqwest::Error),
    /// The request did not complete (connection, timeout, TLS).
    #[error("{method}: transport: {source}")]
    Transport {
        method: &'static str,
        source: reqwest::Error,
    },
    /// The server answered with an HTTP error instead of a JSON-RPC reply (e.g. 413 for a body
    /// over its limit, or a proxy's 5xx).
    #[error("{method}: HTTP status {status}")]
    Status {
        method: &'static str,
        status: reqwest::StatusCode,
    },
    /// The dealer refused the call: the JSON-RPC error, with the spec's code (-32602, -42001
    /// to -42024, ...).
    #[error("{method}: dealer error {code}: {message}")]
    Rpc {
        method: &'static str,
        code: i32,
        message: String,
        /// The error's optional `data`.
        data: Option<Value>,
    },
    /// The reply is not a JSON-RPC 2.0 reply in the spec's encodings.
    #[error("{method}: malformed reply: {reason}")]
    Reply {
        method: &'static str,
        reason: String,
    },
    /// The quote is not safe to approve (see the [`taker`](super) module docs).
    #[error("quote refused: {0}")]
    BadQuote(&'static str),
    /// The signer is not the quote's taker (its approval would be refused).
    #[error("the signer ({signer:?}) is not the quote's taker {taker}")]
    NotTheTaker {
        /// Who the approval recovers to (`None`: not a valid signature).
        signer: Option<Address>,
        taker: Address,
    },
    /// The signer failed.
    #[error("signing the approval failed: {0}")]
    Signing(#[from] alloy::signers::Error),
}

impl TakerError {
    /// The JSON-RPC error code, when the dealer refused the call.
    pub fn rpc_code(&self) -> Option<i32> {
        match self {
            Self::Rpc { code, .. } => Some(*code),
            _ => None,
        }
    }
}
