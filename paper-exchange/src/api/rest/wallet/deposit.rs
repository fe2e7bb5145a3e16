//! SIGNED `GET /sapi/v1/capital/deposit/address` (`coin`, `network` → `{address, coin, tag,
//! url}`) and `GET /sapi/v1/capital/deposit/hisrec` (`coin`, `txId`, `status`, `startTime`,
//! `endTime`, `offset`, `limit`).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::super::signed::SignedRequest;
use super::{Window, service};
use crate::api::Shared;
use crate::api::error::ApiError;
use crate::engine::orders::amount;
use crate::engine::wallet::deposit::Deposit;

/// `GET /sapi/v1/capital/deposit/address`: the account's one address, for every coin.
pub async fn address(
    State(shared): State<Arc<Shared>>,
    SignedRequest {
        account, params, ..
    }: SignedRequest,
) -> Result<Json<Value>, ApiError> {
    let service = service(&shared)?;
    let coin = params.required("coin")?;
    service.coin(coin, params.get("network"))?;
    Ok(Json(json!({
        "address": service.deposit_address(account).to_string(),
        "coin": coin,
        "tag": "",
        "url": "",
    })))
}

/// `GET /sapi/v1/capital/deposit/hisrec`, newest first.
pub async fn history(
    State(shared): State<Arc<Shared>>,
    SignedRequest {
        account, params, ..
    }: SignedRequest,
) -> Result<Json<Value>, ApiError> {
    let service = service(&shared)?;
    let required = service.config.confirmations;
    let window = Window::parse(&params)?;
    let coin = params.get("coin");
    let tx_id = params.get("txId");
    let status = params.integer("status")?;
    let exchange = shared.exchange();
    let matching = exchange.deposits(account).filter(|d| {
        coin.is_none_or(|c| c == d.transfer.coin)
            && tx_id.is_none_or(|tx| tx.eq_ignore_ascii_case(&d.transfer.tx_hash.to_string()))
            && status.is_none_or(|s| s == d.status as u64)
            && window.contains(d.insert_time)
    });
    Ok(Json(window.page(matching.map(|d| dto(d, required))).into()))
}

/// Binance's deposit record.
fn dto(d: &Deposit, required: u64) -> Value {
    let mut record = json!({
        "id": d.id.to_string(),
        "amount": amount(d.transfer.amount),
        "coin": d.transfer.coin,
        "network": d.transfer.network,
        "status": d.status as u8,
        "address": d.transfer.address.to_string(),
        "addressTag": "",
        "txId": d.transfer.tx_hash.to_string(),
        "insertTime": d.insert_time,
        "transferType": 0,
        "confirmTimes": format!("{}/{required}", d.confirmations),
        "unlockConfirm": required,
        "walletType": 0,
    });
    if let Some(done) = d.complete_time {
        record["completeTime"] = done.into();
    }
    record
}
