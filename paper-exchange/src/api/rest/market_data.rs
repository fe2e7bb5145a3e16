//! Public endpoints: connectivity, server time, trading rules, order book.

use std::sync::Arc;

use axum::Json;
use axum::extract::{RawQuery, State};
use serde_json::{Value, json};

use super::dto;
use crate::api::Shared;
use crate::api::error::ApiError;
use crate::api::params::Params;
use crate::engine::now_ms;

/// Default `limit` of a depth snapshot.
const DEFAULT_DEPTH_LIMIT: u64 = 100;
/// Larger limits are served as this many levels, as Binance does.
const MAX_DEPTH_LIMIT: u64 = 5000;

/// `GET /api/v3/ping`
pub async fn ping() -> Json<Value> {
    Json(json!({}))
}

/// `GET /api/v3/time`
pub async fn time() -> Json<Value> {
    Json(json!({ "serverTime": now_ms() }))
}

/// `GET /api/v3/exchangeInfo`, optionally for `symbol` or `symbols` (a JSON array).
pub async fn exchange_info(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let params = Params::parse(query.as_deref(), b"")?;
    let wanted = wanted_symbols(&params)?.map(Wanted::into_names);
    let exchange = shared.exchange();
    let symbols = match wanted {
        None => exchange
            .venues()
            .map(|v| dto::symbol_info(&v.config))
            .collect(),
        Some(names) => names
            .iter()
            .map(|name| exchange.venue(name).map(|v| dto::symbol_info(&v.config)))
            .collect::<Result<Vec<_>, _>>()?,
    };
    Ok(Json(dto::exchange_info(symbols, now_ms())))
}

/// The symbols a request names: `symbol` (one) or `symbols` (a JSON array), never both.
pub enum Wanted {
    One(String),
    Some(Vec<String>),
}

impl Wanted {
    pub fn into_names(self) -> Vec<String> {
        match self {
            Wanted::One(name) => vec![name],
            Wanted::Some(names) => names,
        }
    }
}

/// `symbol` or `symbols`; `None` when neither is sent (all symbols).
pub fn wanted_symbols(params: &Params) -> Result<Option<Wanted>, ApiError> {
    Ok(match (params.get("symbol"), params.get("symbols")) {
        (Some(_), Some(_)) => return Err(ApiError::not_required("symbols")),
        (Some(symbol), None) => Some(Wanted::One(symbol.to_string())),
        (None, Some(list)) => {
            Some(Wanted::Some(serde_json::from_str(list).map_err(|_| {
                ApiError::illegal_chars("symbols", "[\"SYMBOL\",...]")
            })?))
        }
        (None, None) => None,
    })
}

/// `GET /api/v3/depth?symbol=..&limit=..`
pub async fn depth(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let params = Params::parse(query.as_deref(), b"")?;
    let symbol = params.required("symbol")?;
    let limit = match params.integer("limit")? {
        None => DEFAULT_DEPTH_LIMIT,
        Some(0) => return Err(ApiError::illegal_chars("limit", "1-5000")),
        Some(limit) => limit.min(MAX_DEPTH_LIMIT),
    };
    let snapshot = shared.exchange().snapshot(symbol, limit as usize)?;
    Ok(Json(dto::depth(&snapshot)))
}
