//! The front door's error: a JSON-RPC code and a message for the taker, built once per refusal
//! (the success path never allocates one).

use crate::api::{FillError, QuoteError};
use crate::profiler::Refusal;
use jsonrpsee::types::ErrorObjectOwned;
use std::borrow::Cow;

/// -32602.
pub const INVALID_PARAMS: i32 = -32602;
/// -32603.
pub const INTERNAL_ERROR: i32 = -32603;
/// -42001 (`dealer_authStatus`'s own code for a bad taker address).
pub const INVALID_TAKER_ADDRESS: i32 = -42001;
/// -42002.
pub const INVALID_FILTER: i32 = -42002;
/// -42003.
pub const INVALID_ADDRESS: i32 = -42003;
/// -42004.
pub const INVALID_ASSET: i32 = -42004;
/// -42005.
pub const TWO_SIZES: i32 = -42005;
/// -42006.
pub const TAKER_NOT_AUTHORIZED: i32 = -42006;
/// -42009.
pub const UNSUPPORTED_MARKET: i32 = -42009;
/// -42011.
pub const QUOTE_TOO_LARGE: i32 = -42011;
/// -42012.
pub const QUOTE_TOO_SMALL: i32 = -42012;
/// -42023.
pub const INVALID_UUID: i32 = -42023;
/// -42024.
pub const RATE_LIMITED: i32 = -42024;

/// A refusal on its way to the taker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcError {
    /// The JSON-RPC error code.
    pub code: i32,
    /// A short reason, safe to show and to log.
    pub message: Cow<'static, str>,
}

impl RpcError {
    pub(crate) fn new(code: i32, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub(crate) fn invalid_params(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(INVALID_PARAMS, message)
    }
}

impl From<RpcError> for ErrorObjectOwned {
    fn from(e: RpcError) -> Self {
        ErrorObjectOwned::owned(e.code, e.message, None::<()>)
    }
}

impl From<QuoteError> for RpcError {
    fn from(e: QuoteError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<FillError> for RpcError {
    fn from(e: FillError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<Refusal> for RpcError {
    fn from(e: Refusal) -> Self {
        match e {
            Refusal::NotAuthorized => Self::new(TAKER_NOT_AUTHORIZED, "taker not authorized"),
            Refusal::RateLimited => Self::new(RATE_LIMITED, "request rate limit reached"),
        }
    }
}
