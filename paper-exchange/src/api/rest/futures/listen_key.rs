//! `POST`, `PUT` and `DELETE /fapi/v1/listenKey`: the futures user data stream's key. These
//! are USER_STREAM requests: the API key header alone, no signature.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde_json::{Value, json};

use crate::api::Shared;
use crate::api::auth::api_key_account;
use crate::api::error::ApiError;
use crate::engine::now_ms;

/// `POST`: the account's live key (extended) or a new one.
pub async fn create(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let account = api_key_account(&shared.keys, &headers)?;
    let key = shared
        .exchange()
        .futures
        .listen_keys
        .create(account, now_ms());
    Ok(Json(json!({ "listenKey": key })))
}

/// `PUT`: keeps the account's key alive for another 60 minutes (-1125 when it has none).
pub async fn keepalive(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let account = api_key_account(&shared.keys, &headers)?;
    let now = now_ms();
    let mut exchange = shared.exchange();
    if !exchange.futures.listen_keys.keepalive(account, now) {
        return Err(ApiError::invalid_listen_key());
    }
    let key = exchange.futures.listen_keys.create(account, now);
    Ok(Json(json!({ "listenKey": key })))
}

/// `DELETE`: closes the account's user data stream.
pub async fn delete(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let account = api_key_account(&shared.keys, &headers)?;
    shared.exchange().futures.listen_keys.delete(account);
    Ok(Json(json!({})))
}
