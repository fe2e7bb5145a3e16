//! SIGNED `POST /sapi/v1/capital/withdraw/apply` (`coin`, `network`, `address`, `amount`,
//! `withdrawOrderId` → `{"id"}`) and `GET /sapi/v1/capital/withdraw/history` (`coin`,
//! `withdrawOrderId`, `status`, `startTime`, `endTime`, `offset`, `limit`).

use std::sync::Arc;

use alloy::primitives::Address;
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::super::signed::SignedRequest;
use super::{Window, date_time, service};
use crate::api::Shared;
use crate::api::error::ApiError;
use crate::api::params::Params;
use crate::engine::now_ms;
use crate::engine::orders::amount;
use crate::engine::wallet::units::to_base_units;
use crate::engine::wallet::withdraw::{WithdrawRequest, WithdrawStatus, Withdrawal};

const ADDRESS_SYNTAX: &str = "^0x[0-9a-fA-F]{40}$";
const WITHDRAW_ORDER_ID_SYNTAX: &str = "^[a-zA-Z0-9_-]{1,64}$";

/// `POST /sapi/v1/capital/withdraw/apply`: debits the spot balance and queues the token
/// transfer. A `withdrawOrderId` the account used before is refused (-4001) without a
/// second send.
pub async fn apply(
    State(shared): State<Arc<Shared>>,
    SignedRequest {
        account,
        params,
        now,
    }: SignedRequest,
) -> Result<Json<Value>, ApiError> {
    let service = service(&shared)?;
    let request = request(&params, &service.config.network)?;
    let coin = service.coin(&request.coin, Some(&request.network))?;
    if to_base_units(request.amount, coin.decimals).is_none() {
        return Err(ApiError::bad_precision("amount"));
    }
    let id = shared.exchange().apply_withdrawal(account, request, now)?;
    if service.to_send.send(id).is_err() {
        // only while the exchange shuts down: the chain task is gone
        shared
            .exchange()
            .withdrawal_failed(id, "wallet stopped".into(), now_ms());
    }
    Ok(Json(json!({ "id": id.0.to_string() })))
}

fn request(params: &Params, default_network: &str) -> Result<WithdrawRequest, ApiError> {
    let address = params.required("address")?;
    let address = address
        .strip_prefix("0x")
        .filter(|hex| hex.len() == 40)
        .and_then(|_| address.parse::<Address>().ok())
        .ok_or_else(|| ApiError::illegal_chars("address", ADDRESS_SYNTAX))?;
    let withdraw_order_id = params.get("withdrawOrderId");
    let well_formed = |id: &str| {
        id.len() <= 64
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if withdraw_order_id.is_some_and(|id| !well_formed(id)) {
        return Err(ApiError::illegal_chars(
            "withdrawOrderId",
            WITHDRAW_ORDER_ID_SYNTAX,
        ));
    }
    Ok(WithdrawRequest {
        coin: params.required("coin")?.to_string(),
        network: params.get("network").unwrap_or(default_network).to_string(),
        address,
        amount: params
            .decimal("amount")?
            .ok_or_else(|| ApiError::mandatory("amount"))?,
        withdraw_order_id: withdraw_order_id.map(str::to_string),
    })
}

/// `GET /sapi/v1/capital/withdraw/history`, newest first.
pub async fn history(
    State(shared): State<Arc<Shared>>,
    SignedRequest {
        account, params, ..
    }: SignedRequest,
) -> Result<Json<Value>, ApiError> {
    service(&shared)?;
    let window = Window::parse(&params)?;
    let coin = params.get("coin");
    let order_id = params.get("withdrawOrderId");
    let status = params.integer("status")?;
    let exchange = shared.exchange();
    let matching = exchange.withdrawals(account).filter(|w| {
        coin.is_none_or(|c| c == w.request.coin)
            && order_id.is_none_or(|id| w.request.withdraw_order_id.as_deref() == Some(id))
            && status.is_none_or(|s| s == w.status as u64)
            && window.contains(w.apply_time)
    });
    Ok(Json(window.page(matching.map(dto)).into()))
}

/// Binance's withdrawal record.
fn dto(w: &Withdrawal) -> Value {
    let mut record = json!({
        "id": w.id.0.to_string(),
        "amount": amount(w.request.amount),
        "transactionFee": "0",
        "coin": w.request.coin,
        "status": w.status as u8,
        "address": w.request.address.to_string(),
        "txId": w.tx_id.map(|tx| tx.to_string()).unwrap_or_default(),
        "applyTime": date_time(w.apply_time),
        "network": w.request.network,
        "transferType": 0,
        "info": w.info,
        "confirmNo": u8::from(w.status == WithdrawStatus::Completed),
        "walletType": 0,
        "txKey": "",
    });
    if let Some(id) = &w.request.withdraw_order_id {
        record["withdrawOrderId"] = id.clone().into();
    }
    if let Some(done) = w.complete_time {
        record["completeTime"] = date_time(done).into();
    }
    record
}
