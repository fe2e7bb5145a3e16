//! Binance's error responses: `{"code":-XXXX,"msg":"..."}` with Binance's HTTP status, and the
//! one place engine rejections become Binance codes.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::engine::exchange::Reject;
use crate::engine::futures::FuturesReject;
use crate::engine::wallet::WalletReject;

/// An error as Binance sends it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code} {msg}")]
pub struct ApiError {
    pub status: StatusCode,
    pub code: i32,
    pub msg: String,
}

impl ApiError {
    fn new(status: StatusCode, code: i32, msg: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            msg: msg.into(),
        }
    }

    pub(crate) fn bad_request(code: i32, msg: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, msg)
    }

    /// -1003 with HTTP 429, the request weight limit is exceeded.
    pub fn too_many_requests() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            -1003,
            "Too much request weight used; current limit is 6000 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.",
        )
    }

    /// -1007 with HTTP 503: the engine did not answer in time; the request may have applied.
    pub fn backend_timeout() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            -1007,
            "Timeout waiting for response from backend server. Send status unknown; execution status unknown.",
        )
    }

    /// -1021, the request is older than its `recvWindow`.
    pub fn outside_recv_window() -> Self {
        Self::bad_request(
            -1021,
            "Timestamp for this request is outside of the recvWindow.",
        )
    }

    /// -1021, the request comes from more than a second in the future.
    pub fn timestamp_ahead() -> Self {
        Self::bad_request(
            -1021,
            "Timestamp for this request was 1000ms ahead of the server's time.",
        )
    }

    /// -1022
    pub fn invalid_signature() -> Self {
        Self::bad_request(-1022, "Signature for this request is not valid.")
    }

    /// -1100, a value outside its syntax (`legal` is the pattern or the list of values).
    pub fn illegal_chars(param: &str, legal: &str) -> Self {
        Self::bad_request(
            -1100,
            format!("Illegal characters found in parameter '{param}'; legal range is '{legal}'."),
        )
    }

    /// -1101
    pub fn duplicate_param() -> Self {
        Self::bad_request(-1101, "Duplicate values for a parameter detected.")
    }

    /// -1102, a mandatory parameter is missing or empty.
    pub fn mandatory(param: &str) -> Self {
        Self::bad_request(
            -1102,
            format!("Mandatory parameter '{param}' was not sent, was empty/null, or malformed."),
        )
    }

    /// -1102, neither of two alternative parameters was sent.
    pub fn one_of(first: &str, second: &str) -> Self {
        Self::bad_request(
            -1102,
            format!("Param '{first}' or '{second}' must be sent, but both were empty/null!"),
        )
    }

    /// -1102, a value above its maximum.
    pub fn too_large(param: &str, max: u64) -> Self {
        Self::bad_request(
            -1102,
            format!("'{param}' contains unexpected value. Cannot be greater than {max}."),
        )
    }

    /// -1106
    pub fn not_required(param: &str) -> Self {
        Self::bad_request(
            -1106,
            format!("Parameter '{param}' sent when not required."),
        )
    }

    /// -1111
    pub fn bad_precision(param: &str) -> Self {
        Self::bad_request(
            -1111,
            format!("Parameter '{param}' has too much precision."),
        )
    }

    /// -1115
    pub fn invalid_time_in_force() -> Self {
        Self::bad_request(-1115, "Invalid timeInForce.")
    }

    /// -1116
    pub fn invalid_order_type() -> Self {
        Self::bad_request(-1116, "Invalid orderType.")
    }

    /// -1117
    pub fn invalid_side() -> Self {
        Self::bad_request(-1117, "Invalid side.")
    }

    /// -1121
    pub fn bad_symbol() -> Self {
        Self::bad_request(-1121, "Invalid symbol.")
    }

    /// -2010 with the matching engine's reason.
    pub fn new_order_rejected(msg: impl Into<String>) -> Self {
        Self::bad_request(-2010, msg)
    }

    /// -1100 for a WebSocket API request frame that is not a JSON object.
    pub fn malformed_request() -> Self {
        Self::bad_request(-1100, "Malformed request.")
    }

    /// -1020, a method this exchange does not offer.
    pub fn unsupported_operation() -> Self {
        Self::bad_request(-1020, "This operation is not supported.")
    }

    /// -2036, an unsubscribe with no matching user data stream subscription.
    pub fn subscription_inactive() -> Self {
        Self::bad_request(-2036, "User Data Stream subscription not active.")
    }

    /// -1125, a listen key that does not exist (or expired).
    pub fn invalid_listen_key() -> Self {
        Self::bad_request(-1125, "This listenKey does not exist.")
    }

    /// -4061, `positionSide` LONG or SHORT in one-way mode.
    pub fn position_side_mismatch() -> Self {
        FuturesReject::PositionSide.into()
    }

    /// -2014, no or a malformed `X-MBX-APIKEY` header.
    pub fn bad_api_key_format() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, -2014, "API-key format invalid.")
    }

    /// -2015, an API key we do not know.
    pub fn rejected_api_key() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            -2015,
            "Invalid API-key, IP, or permissions for action.",
        )
    }
}

impl From<Reject> for ApiError {
    fn from(reject: Reject) -> Self {
        let msg = reject.to_string();
        match reject {
            Reject::UnknownSymbol => ApiError::bad_symbol(),
            Reject::Filter(_) => ApiError::bad_request(-1013, msg),
            Reject::InsufficientBalance
            | Reject::DuplicateOrder
            | Reject::WouldTake
            | Reject::NoLiquidity => ApiError::new_order_rejected(msg),
            Reject::UnknownOrder => ApiError::bad_request(-2011, msg),
            Reject::NoSuchOrder => ApiError::bad_request(-2013, msg),
        }
    }
}

impl From<FuturesReject> for ApiError {
    fn from(reject: FuturesReject) -> Self {
        let msg = reject.to_string();
        let code = match reject {
            FuturesReject::UnknownSymbol => return ApiError::bad_symbol(),
            FuturesReject::PositionSide => -4061,
            FuturesReject::DuplicateClientOrderId => -4116,
            FuturesReject::Filter(failure) => failure.code(),
            FuturesReject::Margin => -2019,
            FuturesReject::ReduceOnly => -2022,
            FuturesReject::MaxNotional => -2027,
            FuturesReject::UnknownOrder => -2011,
            FuturesReject::NoSuchOrder => -2013,
        };
        ApiError::bad_request(code, msg)
    }
}

impl From<WalletReject> for ApiError {
    /// Codes of Binance's wallet (SAPI) error list: -5013 ASSET_INSUFFICIENT for transfers,
    /// -4026 for withdrawals beyond the balance, -5007/-4003 for zero amounts, -4019 for a
    /// coin not open for withdrawal or deposit, -4001 INVALID_OPERATION for a repeated
    /// `withdrawOrderId` (Binance documents none for it), -1020 without a wallet.
    fn from(reject: WalletReject) -> Self {
        let code = match &reject {
            WalletReject::NotConfigured => -1020,
            WalletReject::TransferInsufficient => -5013,
            WalletReject::TransferAsset => -1100,
            WalletReject::WithdrawInsufficient => -4026,
            WalletReject::ZeroAmount => -4003,
            WalletReject::DuplicateWithdrawOrderId(_) => -4001,
            WalletReject::UnsupportedCoin { .. } => -4019,
        };
        ApiError::bad_request(code, reject.to_string())
    }
}

#[derive(Serialize)]
struct Body<'a> {
    code: i32,
    msg: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        tracing::debug!(code = self.code, msg = %self.msg, "request rejected");
        let body = Body {
            code: self.code,
            msg: &self.msg,
        };
        (self.status, axum::Json(body)).into_response()
    }
}
