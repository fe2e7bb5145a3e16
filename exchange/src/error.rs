//! The client's errors, and the one place that decides what each means for an order:
//! definitely not applied, or unknown (see [`Error::is_unknown_outcome`]), and whether trying
//! again later can help ([`Error::is_retryable`]).

use std::time::Duration;

use crate::key_kind::KeyKind;

/// Binance's code for "Timeout waiting for response from backend server. Send status
/// unknown; execution status unknown."
pub const CODE_TIMEOUT: i64 = -1007;
/// "An unexpected response was received from the message bus. Execution status unknown."
pub const CODE_UNEXPECTED_RESPONSE: i64 = -1006;
/// The timestamp is outside `recvWindow` (or ahead of the server's clock).
pub const CODE_INVALID_TIMESTAMP: i64 = -1021;
/// NEW_ORDER_REJECTED, the matching engine's refusal (with "Duplicate order sent." when the
/// client order id is taken by an open order).
pub const CODE_NEW_ORDER_REJECTED: i64 = -2010;
/// "Order does not exist."
pub const CODE_NO_SUCH_ORDER: i64 = -2013;
/// USDⓈ-M Futures' refusal of a client order id the account already used ("ClientOrderId is
/// duplicated.").
pub const CODE_DUPLICATE_CLIENT_ORDER_ID: i64 = -4116;
/// The paper exchange's refusal of a `withdrawOrderId` the account already used (Binance's
/// INVALID_OPERATION; Binance documents no code of its own for it). Treated as "maybe
/// applied": `withdraw_once` then looks the id up, which is safe whatever the cause.
pub const CODE_DUPLICATE_WITHDRAW_ORDER_ID: i64 = -4001;
/// The matching engine's message for a client order id already used by an open order.
pub const DUPLICATE_ORDER_MSG: &str = "Duplicate order sent.";

/// Binance codes that may go away on their own: disconnected, too many requests, busy,
/// too many orders, timestamp (re-measured before the retry).
const RETRYABLE_CODES: [i64; 5] = [-1001, -1003, -1008, -1015, CODE_INVALID_TIMESTAMP];

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Binance refused the request with `{code,msg}` and a 4xx status: nothing was applied.
    #[error("Binance refused the request (HTTP {status}): {code} {msg}")]
    Api { status: u16, code: i64, msg: String },
    /// HTTP 429 (limit hit) or 418 (IP banned), or a request held back because such an
    /// answer's `Retry-After` has not passed yet. Nothing was applied.
    #[error("rate limited (HTTP {status}); retry after {retry_after:?}")]
    RateLimited { status: u16, retry_after: Duration },
    /// HTTP 5xx, or -1006/-1007: Binance's own failure; the request may have been applied.
    #[error("Binance failed (HTTP {status}, code {code:?}): {msg}")]
    Server {
        status: u16,
        code: Option<i64>,
        msg: String,
    },
    /// No answer within the configured timeout; the request may have been applied.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The connection could not be opened: the request was never sent.
    #[error("could not connect to Binance: {0}")]
    Connect(#[source] reqwest::Error),
    /// The connection failed once the request may have been sent.
    #[error("connection to Binance failed: {0}")]
    Transport(#[source] reqwest::Error),
    /// An answer this client cannot read.
    #[error("unreadable answer from Binance (HTTP {status}): {reason}")]
    Decode { status: u16, reason: String },
    /// A client order id Binance would refuse (or could mangle).
    #[error("invalid client order id {0:?}: 1 to 36 of a-z, A-Z, 0-9, '-' and '_' are allowed")]
    InvalidClientOrderId(String),
    /// Another `place_once` for this client order id is running in this process.
    #[error("a placement of client order id {0} is already in flight")]
    AlreadyInFlight(String),
    /// A placement had an unknown outcome and Binance says the order does not exist: it was
    /// not placed, and placing it again is safe.
    #[error("order {client_order_id} was not placed: {cause}")]
    NotPlaced {
        client_order_id: String,
        cause: Box<Error>,
    },
    /// A placement had an unknown outcome and no definite answer came within the resolve
    /// timeout. Calling `place_once` again is safe: it asks before it places.
    #[error("outcome of order {client_order_id} still unknown: {last}")]
    OutcomeUnknown {
        client_order_id: String,
        last: Box<Error>,
    },
    /// Binance has no order with this client order id.
    #[error("no order with client order id {0}")]
    OrderNotFound(String),
    /// The order did not reach a final state in time.
    #[error("order {client_order_id} not final after {waited:?}")]
    WatchTimeout {
        client_order_id: String,
        waited: Duration,
    },
    /// The user data stream failed (it reconnects by itself).
    #[error("user data stream: {0}")]
    Stream(String),
    /// The request could not be signed (an RSA key the signer refused at signing time, which
    /// a key accepted at load does not do): nothing was sent.
    #[error("could not sign the request with the {0} key")]
    Sign(KeyKind),
}

impl Error {
    /// Whether the request may have been applied although it failed: a placement ending so
    /// must be checked by client order id before anything else is done.
    pub fn is_unknown_outcome(&self) -> bool {
        match self {
            Error::Server { .. }
            | Error::Timeout(_)
            | Error::Transport(_)
            | Error::Decode { .. }
            | Error::OutcomeUnknown { .. } => true,
            Error::Api { code, .. } => matches!(*code, CODE_TIMEOUT | CODE_UNEXPECTED_RESPONSE),
            _ => false,
        }
    }

    /// Whether the same call may succeed later (after the carried wait, for rate limits).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api { code, .. } => RETRYABLE_CODES.contains(code) || self.is_unknown_outcome(),
            Error::RateLimited { .. }
            | Error::Server { .. }
            | Error::Timeout(_)
            | Error::Connect(_)
            | Error::Transport(_)
            | Error::AlreadyInFlight(_)
            | Error::NotPlaced { .. }
            | Error::OutcomeUnknown { .. }
            | Error::WatchTimeout { .. }
            | Error::Stream(_) => true,
            Error::Decode { .. }
            | Error::InvalidClientOrderId(_)
            | Error::OrderNotFound(_)
            | Error::Sign(_) => false,
        }
    }

    /// Binance's error code, if Binance sent one.
    pub fn code(&self) -> Option<i64> {
        match self {
            Error::Api { code, .. } => Some(*code),
            Error::Server { code, .. } => *code,
            _ => None,
        }
    }

    /// The exchange refused a new order (or withdrawal) because its client order id (or
    /// `withdrawOrderId`) is in use: Spot's matching engine refusal, Futures' -4116, or the
    /// wallet's -4001.
    pub fn is_duplicate_order(&self) -> bool {
        match self {
            Error::Api {
                code: CODE_NEW_ORDER_REJECTED,
                msg,
                ..
            } => msg == DUPLICATE_ORDER_MSG,
            Error::Api { code, .. } => {
                matches!(
                    *code,
                    CODE_DUPLICATE_CLIENT_ORDER_ID | CODE_DUPLICATE_WITHDRAW_ORDER_ID
                )
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: i64, msg: &str) -> Error {
        Error::Api {
            status: 400,
            code,
            msg: msg.into(),
        }
    }

    #[test]
    fn outcomes_are_classified_once() {
        assert!(api(CODE_TIMEOUT, "Send status unknown").is_unknown_outcome());
        assert!(!api(-2010, "Account has insufficient balance").is_unknown_outcome());
        assert!(!api(-2010, "Account has insufficient balance").is_retryable());
        assert!(api(-2010, DUPLICATE_ORDER_MSG).is_duplicate_order());
        assert!(api(-4116, "ClientOrderId is duplicated.").is_duplicate_order());
        assert!(!api(-2010, "Margin is insufficient.").is_duplicate_order());
        assert!(api(CODE_INVALID_TIMESTAMP, "outside").is_retryable());
        let server = Error::Server {
            status: 503,
            code: None,
            msg: String::new(),
        };
        assert!(server.is_unknown_outcome() && server.is_retryable());
        let limited = Error::RateLimited {
            status: 429,
            retry_after: Duration::from_secs(1),
        };
        assert!(!limited.is_unknown_outcome() && limited.is_retryable());
        assert!(Error::Timeout(Duration::from_secs(1)).is_unknown_outcome());
    }
}
