//! SIGNED `POST /sapi/v1/asset/transfer` (`type`, `asset`, `amount` → `{"tranId"}`) and
//! `GET /sapi/v1/asset/transfer` (`type`, `startTime`, `endTime`, `current`, `size` →
//! `{"total","rows"}`), for the `MAIN_UMFUTURE` and `UMFUTURE_MAIN` types.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::super::signed::SignedRequest;
use crate::api::Shared;
use crate::api::error::ApiError;
use crate::api::params::Params;
use crate::engine::orders::amount;
use crate::engine::wallet::transfer::TransferKind;

/// Rows per page of the history, by default and at most (Binance's `size`).
const DEFAULT_SIZE: u64 = 10;
const MAX_SIZE: u64 = 100;

fn kind(params: &Params) -> Result<TransferKind, ApiError> {
    TransferKind::parse(params.required("type")?)
        .ok_or_else(|| ApiError::illegal_chars("type", TransferKind::NAMES))
}

/// `POST /sapi/v1/asset/transfer`.
pub async fn transfer(
    State(shared): State<Arc<Shared>>,
    SignedRequest {
        account,
        params,
        now,
    }: SignedRequest,
) -> Result<Json<Value>, ApiError> {
    let kind = kind(&params)?;
    let asset = params.required("asset")?;
    let amount = params
        .decimal("amount")?
        .ok_or_else(|| ApiError::mandatory("amount"))?;
    let tran_id = shared
        .exchange()
        .universal_transfer(account, kind, asset, amount, now)?;
    Ok(Json(json!({ "tranId": tran_id })))
}

/// `GET /sapi/v1/asset/transfer`, newest first.
pub async fn history(
    State(shared): State<Arc<Shared>>,
    SignedRequest {
        account, params, ..
    }: SignedRequest,
) -> Result<Json<Value>, ApiError> {
    let kind = kind(&params)?;
    let start = params.integer("startTime")?.unwrap_or(0);
    let end = params.integer("endTime")?.unwrap_or(u64::MAX);
    let current = params.integer("current")?.unwrap_or(1).max(1);
    let size = params.integer("size")?.unwrap_or(DEFAULT_SIZE);
    if size > MAX_SIZE {
        return Err(ApiError::too_large("size", MAX_SIZE));
    }
    let exchange = shared.exchange();
    let matching: Vec<_> = exchange
        .transfers(account, kind)
        .filter(|t| (start..=end).contains(&t.timestamp))
        .collect();
    let skip = (current - 1).saturating_mul(size);
    let rows: Vec<Value> = matching
        .iter()
        .skip(usize::try_from(skip).unwrap_or(usize::MAX))
        .take(usize::try_from(size).unwrap_or(usize::MAX))
        .map(|t| {
            json!({
                "asset": t.asset,
                "amount": amount(t.amount),
                "type": t.kind.name(),
                "status": "CONFIRMED",
                "tranId": t.tran_id,
                "timestamp": t.timestamp,
            })
        })
        .collect();
    Ok(Json(json!({ "total": matching.len(), "rows": rows })))
}
