//! SIGNED futures order endpoints: `POST`, `DELETE` and `GET /fapi/v1/order`,
//! `GET /fapi/v1/openOrders`.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde_json::Value;

use super::dto;
use super::params::{self, RespType};
use crate::api::Shared;
use crate::api::error::ApiError;
use crate::api::rest::order_params::order_ref;
use crate::api::rest::signed::SignedRequest;
use crate::api::rest::trading::apply_placement_fault;

/// `POST /fapi/v1/order`. The injected placement faults (see [`crate::config::FaultConfig`])
/// act here as on the spot route, after the order applied; the counters are shared.
pub async fn new_order(
    State(shared): State<Arc<Shared>>,
    SignedRequest {
        account,
        params,
        now,
    }: SignedRequest,
) -> Result<Json<Value>, ApiError> {
    let (request, resp_type) = params::new_order(&params)?;
    let (accepted, order) = shared.exchange().place_futures(account, request, now)?;
    apply_placement_fault(&shared, &order.order.client_order_id, order.order.orig_qty).await?;
    Ok(Json(match resp_type {
        RespType::Ack => dto::order_ack(&accepted),
        RespType::Result => dto::order(&order),
    }))
}

/// `DELETE /fapi/v1/order`
pub async fn cancel_order(
    State(shared): State<Arc<Shared>>,
    SignedRequest {
        account,
        params,
        now,
    }: SignedRequest,
) -> Result<Json<Value>, ApiError> {
    let symbol = params.required("symbol")?;
    let by = order_ref(&params)?;
    let order = shared
        .exchange()
        .cancel_futures(account, symbol, &by, now)?;
    Ok(Json(dto::order(&order)))
}

/// `GET /fapi/v1/order`
pub async fn query_order(
    State(shared): State<Arc<Shared>>,
    SignedRequest {
        account, params, ..
    }: SignedRequest,
) -> Result<Json<Value>, ApiError> {
    let symbol = params.required("symbol")?;
    let by = order_ref(&params)?;
    let exchange = shared.exchange();
    Ok(Json(dto::order_query(
        exchange.query_futures(account, symbol, &by)?,
    )))
}

/// `GET /fapi/v1/openOrders`, for one `symbol` or all.
pub async fn open_orders(
    State(shared): State<Arc<Shared>>,
    SignedRequest {
        account, params, ..
    }: SignedRequest,
) -> Result<Json<Value>, ApiError> {
    let exchange = shared.exchange();
    let orders = exchange.open_futures_orders(account, params.get("symbol"))?;
    Ok(Json(orders.into_iter().map(dto::order_query).collect()))
}
