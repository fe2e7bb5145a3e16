//! Public futures endpoints: connectivity, server time, contract specs, mark prices.

use std::sync::Arc;

use axum::Json;
use axum::extract::{RawQuery, State};
use serde_json::{Value, json};

use super::dto;
use crate::api::Shared;
use crate::api::error::ApiError;
use crate::api::params::Params;
use crate::engine::now_ms;

/// `GET /fapi/v1/ping`
pub async fn ping() -> Json<Value> {
    Json(json!({}))
}

/// `GET /fapi/v1/time`
pub async fn time() -> Json<Value> {
    Json(json!({ "serverTime": now_ms() }))
}

/// `GET /fapi/v1/exchangeInfo`: every perpetual (Binance takes no symbol filter here).
pub async fn exchange_info(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let exchange = shared.exchange();
    let symbols = exchange
        .perpetuals()
        .map(|v| dto::symbol_info(&v.config, &exchange.futures.config))
        .collect();
    Json(dto::exchange_info(symbols, now_ms()))
}

/// `GET /fapi/v1/premiumIndex`: one symbol's mark price, or every perpetual's as a list.
pub async fn premium_index(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let params = Params::parse(query.as_deref(), b"")?;
    let exchange = shared.exchange();
    let now = now_ms();
    let rate = exchange.futures.config.funding_rate;
    let index = |symbol: &str| {
        exchange
            .mark_price(symbol)
            .map(|mark| dto::premium_index(symbol, mark, rate, now))
    };
    Ok(Json(match params.get("symbol") {
        Some(symbol) => index(symbol)?,
        None => exchange
            .perpetuals()
            .map(|v| index(&v.config.symbol))
            .collect::<Result<Vec<_>, _>>()?
            .into(),
    }))
}
