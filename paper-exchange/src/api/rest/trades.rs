//! SIGNED `GET /api/v3/myTrades`: an account's trades on one symbol.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde_json::Value;

use super::dto;
use super::signed::SignedRequest;
use crate::api::Shared;
use crate::api::error::ApiError;
use crate::api::params::Params;
use crate::engine::exchange::trades::{DAY_MS, DEFAULT_TRADES_LIMIT, MAX_TRADES_LIMIT, TradeQuery};

/// `GET /api/v3/myTrades?symbol=..` with `orderId`, `startTime`/`endTime`, `fromId` and
/// `limit` as Binance documents them: without `fromId` or a time the most recent trades,
/// oldest first; `startTime` alone covers the 24 h from it, `endTime` alone the 24 h up to it.
pub async fn my_trades(
    State(shared): State<Arc<Shared>>,
    SignedRequest {
        account, params, ..
    }: SignedRequest,
) -> Result<Json<Value>, ApiError> {
    let symbol = params.required("symbol")?;
    let query = trade_query(&params)?;
    let limit = match params.integer("limit")? {
        None => DEFAULT_TRADES_LIMIT,
        Some(0) => return Err(ApiError::illegal_chars("limit", "1-1000")),
        Some(limit) if limit > MAX_TRADES_LIMIT as u64 => {
            return Err(ApiError::too_large("limit", MAX_TRADES_LIMIT as u64));
        }
        Some(limit) => limit as usize,
    };
    let exchange = shared.exchange();
    let trades = exchange.my_trades(account, symbol, query, limit)?;
    Ok(Json(trades.into_iter().map(dto::my_trade).collect()))
}

/// The supported combinations: `orderId` (with `fromId`), `fromId`, `startTime` and/or
/// `endTime` at most 24 h apart, or none; any other is -1128.
fn trade_query(params: &Params) -> Result<TradeQuery, ApiError> {
    let order_id = params.integer("orderId")?;
    let from_id = params.integer("fromId")?;
    let start = params.integer("startTime")?;
    let end = params.integer("endTime")?;
    let timed = start.is_some() || end.is_some();
    if timed && (order_id.is_some() || from_id.is_some()) {
        return Err(ApiError::bad_request(
            -1128,
            "Combination of optional parameters invalid.",
        ));
    }
    let (start, end) = match (order_id, from_id, start, end) {
        (Some(order_id), from_id, ..) => {
            let from_id = from_id.unwrap_or(0);
            return Ok(TradeQuery::Order { order_id, from_id });
        }
        (None, Some(from_id), ..) => return Ok(TradeQuery::FromId(from_id)),
        (None, None, None, None) => return Ok(TradeQuery::Recent),
        (None, None, Some(start), Some(end)) => (start, end),
        (None, None, Some(start), None) => (start, start.saturating_add(DAY_MS)),
        (None, None, None, Some(end)) => (end.saturating_sub(DAY_MS), end),
    };
    if end.saturating_sub(start) > DAY_MS {
        return Err(ApiError::bad_request(
            -1127,
            "More than 24 hours between startTime and endTime.",
        ));
    }
    Ok(TradeQuery::Between {
        start,
        end,
        from_start: params.get("startTime").is_some(),
    })
}
