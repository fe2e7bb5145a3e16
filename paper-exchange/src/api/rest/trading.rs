//! SIGNED order endpoints: `POST`, `DELETE` and `GET /api/v3/order`, `GET /api/v3/openOrders`.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use rust_decimal::Decimal;
use serde_json::Value;

use super::dto;
use super::order_params::{self, RespType};
use super::signed::SignedRequest;
use crate::api::Shared;
use crate::api::error::ApiError;
use crate::api::faults::AfterPlacement;
use crate::engine::orders::generate_client_order_id;

/// `POST /api/v3/order`. An injected fault (see [`crate::config::FaultConfig`]) acts only
/// after the order applied, as an unknown outcome does on Binance.
pub async fn new_order(
    State(shared): State<Arc<Shared>>,
    SignedRequest {
        account,
        params,
        now,
    }: SignedRequest,
) -> Result<Json<Value>, ApiError> {
    let (request, resp_type) = order_params::new_order(&params)?;
    let order = shared.exchange().place(account, request, now)?;
    apply_placement_fault(&shared, &order.client_order_id, order.orig_qty).await?;
    Ok(Json(match resp_type {
        RespType::Ack => dto::order_ack(&order),
        RespType::Result => dto::order_result(&order),
        RespType::Full => dto::order_full(&order),
    }))
}

/// Acts out the injected fault (if any) of an applied placement, spot or futures: the answer
/// becomes -1007 (HTTP 503), or is held back.
pub async fn apply_placement_fault(
    shared: &Shared,
    client_order_id: &str,
    qty: Decimal,
) -> Result<(), ApiError> {
    match shared.faults.after_placement(client_order_id, qty) {
        AfterPlacement::Answer => {}
        AfterPlacement::UnknownStatus => return Err(ApiError::backend_timeout()),
        AfterPlacement::Hang(delay) => tokio::time::sleep(delay).await,
    }
    Ok(())
}

/// `DELETE /api/v3/order`
pub async fn cancel_order(
    State(shared): State<Arc<Shared>>,
    SignedRequest {
        account,
        params,
        now,
    }: SignedRequest,
) -> Result<Json<Value>, ApiError> {
    let symbol = params.required("symbol")?;
    let by = order_params::order_ref(&params)?;
    let cancel_id = order_params::client_order_id(&params, "newClientOrderId")?
        .unwrap_or_else(generate_client_order_id);
    let order = shared
        .exchange()
        .cancel(account, symbol, &by, &cancel_id, now)?;
    Ok(Json(dto::order_canceled(&order, &cancel_id, now)))
}

/// `GET /api/v3/order`
pub async fn query_order(
    State(shared): State<Arc<Shared>>,
    SignedRequest {
        account, params, ..
    }: SignedRequest,
) -> Result<Json<Value>, ApiError> {
    let symbol = params.required("symbol")?;
    let by = order_params::order_ref(&params)?;
    let exchange = shared.exchange();
    let order = exchange.query(account, symbol, &by)?;
    Ok(Json(dto::order_query(order)))
}

/// `GET /api/v3/openOrders`, for one `symbol` or all.
pub async fn open_orders(
    State(shared): State<Arc<Shared>>,
    SignedRequest {
        account, params, ..
    }: SignedRequest,
) -> Result<Json<Value>, ApiError> {
    let exchange = shared.exchange();
    let orders = exchange.open_orders(account, params.get("symbol"))?;
    Ok(Json(orders.into_iter().map(dto::order_query).collect()))
}
