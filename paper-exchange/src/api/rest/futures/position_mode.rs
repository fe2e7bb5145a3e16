//! SIGNED `GET` and `POST /fapi/v1/positionSide/dual`: the position mode, which is one-way
//! (`positionSide` BOTH) for every account here.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::api::Shared;
use crate::api::error::ApiError;
use crate::api::rest::signed::SignedRequest;

/// `GET /fapi/v1/positionSide/dual`: always one-way mode.
pub async fn get(SignedRequest { .. }: SignedRequest) -> Json<Value> {
    Json(json!({ "dualSidePosition": false }))
}

/// `POST /fapi/v1/positionSide/dual?dualSidePosition=..`. One-way mode (`false`) is what the
/// account has: success. Hedge mode (`true`) is refused with what Binance answers when open
/// orders (-4067) or positions (-4068) forbid the change, and otherwise -1020: this exchange
/// has no hedge mode.
pub async fn change(
    State(shared): State<Arc<Shared>>,
    SignedRequest {
        account, params, ..
    }: SignedRequest,
) -> Result<Json<Value>, ApiError> {
    match params.required("dualSidePosition")? {
        "false" => return Ok(Json(json!({ "code": 200, "msg": "success" }))),
        "true" => {}
        _ => return Err(ApiError::illegal_chars("dualSidePosition", "true, false")),
    }
    let exchange = shared.exchange();
    if !exchange.open_futures_orders(account, None)?.is_empty() {
        return Err(ApiError::bad_request(
            -4067,
            "Position side cannot be changed if there exists open orders.",
        ));
    }
    let positions = &exchange.futures.account(account).positions;
    if positions.values().any(|p| !p.amt.is_zero()) {
        return Err(ApiError::bad_request(
            -4068,
            "Position side cannot be changed if there exists position.",
        ));
    }
    Err(ApiError::unsupported_operation())
}
