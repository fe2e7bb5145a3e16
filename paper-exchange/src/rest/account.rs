//! SIGNED `GET /api/v3/account`: commissions and balances.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use serde_json::Value;

use super::dto;
use crate::api_error::ApiError;
use crate::auth::{Signed, authenticate};
use crate::{Shared, now_ms};

/// `GET /api/v3/account`, with `omitZeroBalances`.
pub async fn account(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let Signed { account, params } =
        authenticate(&shared.keys, &headers, query.as_deref(), &body, now_ms())?;
    let omit_zero = match params.get("omitZeroBalances") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(ApiError::illegal_chars("omitZeroBalances", "true, false")),
    };
    let exchange = shared.exchange();
    let ledger = &exchange.ledger;
    Ok(Json(dto::account(
        ledger.accounts.get(account),
        ledger.commission(),
        omit_zero,
        account.0 + 1,
    )))
}
