//! SIGNED `GET /api/v3/account`: commissions and balances.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde_json::Value;

use super::dto;
use super::signed::SignedRequest;
use crate::api::Shared;
use crate::api::error::ApiError;

/// `GET /api/v3/account`, with `omitZeroBalances`.
pub async fn account(
    State(shared): State<Arc<Shared>>,
    SignedRequest {
        account, params, ..
    }: SignedRequest,
) -> Result<Json<Value>, ApiError> {
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
