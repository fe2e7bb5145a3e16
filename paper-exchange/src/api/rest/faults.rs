//! `POST /paper/v1/faults`: not Binance's; arms injected faults at runtime (see
//! [`crate::api::faults::Arm`]). Any configured API key may arm them: the paper exchange is a
//! development tool, and the key only keeps a stray request from doing it.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use serde_json::{Value, json};

use crate::api::Shared;
use crate::api::auth::api_key_account;
use crate::api::error::ApiError;
use crate::api::faults::Arm;

pub async fn arm(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    api_key_account(&shared.keys, &headers)?;
    let arm: Arm = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(-1102, format!("fault counts: {e}")))?;
    shared.faults.arm(arm);
    tracing::warn!(?arm, "faults armed");
    Ok(Json(json!({ "armed": arm })))
}
