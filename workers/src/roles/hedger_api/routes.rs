//! The REST handlers, with SYMMIO's field names. Amounts are decimal strings, exact where a
//! float would round.

use super::{ApiError, ApiState};
use axum::{
    Json,
    extract::{Path, Query, State, rejection::JsonRejection},
};
use hedgeflow_activities::store::{
    entity::intent_quote,
    intents::{IntentQuoteFilter, notional},
};
use hedgeflow_proto::intent::error_codes;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Arc;

type Api<T> = Result<Json<T>, ApiError>;

/// `GET /contract-symbols`.
pub(super) async fn contract_symbols(State(state): State<Arc<ApiState>>) -> Api<Value> {
    let mut symbols = Vec::new();
    for symbol in &state.intents.symbols {
        let rules = state
            .broker
            .rules(&symbol.broker_symbol)
            .await
            .map_err(ApiError::unavailable)?;
        symbols.push(json!({
            "price_precision": rules.tick_size.normalize().scale(),
            "quantity_precision": rules.step_size.normalize().scale(),
            "name": symbol.name,
            "symbol_id": symbol.id.to_string(),
            "is_valid": true,
        }));
    }
    Ok(Json(json!({ "count": symbols.len(), "symbols": symbols })))
}

/// `{"total_cap", "used"}` of `/open-interest` and `/notional_cap/{symbol_id}`.
#[derive(Debug, Serialize)]
pub(super) struct Cap {
    total_cap: Decimal,
    used: Decimal,
}

async fn positions(state: &ApiState) -> Result<Vec<intent_quote::Model>, ApiError> {
    state
        .store
        .intent_positions(None)
        .await
        .map_err(ApiError::unavailable)
}

/// `GET /open-interest`: the cap over every symbol and what open positions use of it.
pub(super) async fn open_interest(State(state): State<Arc<ApiState>>) -> Api<Cap> {
    let rows = positions(&state).await?;
    Ok(Json(Cap {
        total_cap: state.intents.open_interest_cap,
        used: notional(&rows),
    }))
}

/// `GET /notional_cap/{symbol_id}`.
pub(super) async fn notional_cap(
    State(state): State<Arc<ApiState>>,
    Path(symbol_id): Path<String>,
) -> Api<Cap> {
    let id: u64 = symbol_id
        .parse()
        .map_err(|_| ApiError::bad_request(format!("symbol id {symbol_id:?} is not a number")))?;
    let symbol = state
        .intents
        .symbol(id)
        .ok_or_else(|| ApiError::not_found(format!("symbol {id} is not supported")))?;
    let rows: Vec<_> = positions(&state)
        .await?
        .into_iter()
        .filter(|row| row.symbol.as_deref() == Some(symbol.broker_symbol.as_str()))
        .collect();
    Ok(Json(Cap {
        total_cap: symbol.notional_cap,
        used: notional(&rows),
    }))
}

/// `GET /price-range/{symbol}`: the prices the policy accepts now, around the broker's mark.
pub(super) async fn price_range(
    State(state): State<Arc<ApiState>>,
    Path(name): Path<String>,
) -> Api<Value> {
    let symbol = state
        .intents
        .symbol_named(&name)
        .ok_or_else(|| ApiError::not_found(format!("symbol {name:?} is not supported")))?;
    let mark = state
        .broker
        .mark_price(&symbol.broker_symbol)
        .await
        .map_err(ApiError::unavailable)?
        .mark_price;
    let range = mark * state.intents.price_range_bps / Decimal::from(10_000);
    Ok(Json(
        json!({ "min_price": mark - range, "max_price": mark + range }),
    ))
}

/// `GET /error_codes`: every code with its message.
pub(super) async fn error_codes() -> Json<Value> {
    let codes: serde_json::Map<String, Value> = error_codes::ALL
        .iter()
        .map(|(code, message)| (code.to_string(), Value::from(*message)))
        .collect();
    Json(Value::Object(codes))
}

/// `GET /error_codes/{code}`.
pub(super) async fn error_code(Path(code): Path<String>) -> Api<Value> {
    let number: u32 = code
        .parse()
        .map_err(|_| ApiError::bad_request(format!("error code {code:?} is not a number")))?;
    let message = error_codes::message(number)
        .ok_or_else(|| ApiError::not_found(format!("no error code {number}")))?;
    Ok(Json(
        json!({ "error_code": number, "error_message": message }),
    ))
}

#[derive(Debug, Deserialize)]
pub(super) struct Leverage {
    leverage: Option<Decimal>,
}

/// `GET /get_locked_params/{symbol}?leverage=`.
pub(super) async fn locked_params(
    State(state): State<Arc<ApiState>>,
    Path(name): Path<String>,
    Query(query): Query<Leverage>,
) -> Api<Value> {
    let symbol = state
        .intents
        .symbol_named(&name)
        .ok_or_else(|| ApiError::not_found(format!("symbol {name:?} is not supported")))?;
    let leverage = query.leverage.unwrap_or(Decimal::ONE);
    if leverage <= Decimal::ZERO {
        return Err(ApiError::bad_request("leverage must be positive"));
    }
    let params = &symbol.locked_params;
    Ok(Json(json!({
        "cva": params.cva,
        "mm": params.mm,
        "lf": params.lf,
        "leverage": leverage,
    })))
}

/// The body of `POST /position-state/{start}/{size}`; every filter is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PositionStateQuery {
    address: Option<String>,
    quote_id: Option<u64>,
    #[serde(default)]
    symbols: Vec<String>,
    #[serde(default)]
    states: Vec<String>,
    create_time_gte: Option<i64>,
    modify_time_gte: Option<i64>,
}

/// Most notifications one page may ask for.
const MAX_PAGE: u64 = 1_000;

/// `POST /position-state/{start}/{size}`: the hedger's notifications about quotes, newest
/// first, filtered by the body.
pub(super) async fn position_state(
    State(state): State<Arc<ApiState>>,
    Path((start, size)): Path<(String, String)>,
    body: Result<Json<PositionStateQuery>, JsonRejection>,
) -> Api<Value> {
    let page = |text: &str, what: &str| {
        text.parse::<u64>().map_err(|_| {
            ApiError::bad_request(format!("{what} {text:?} is not a non-negative number"))
        })
    };
    let (start, size) = (page(&start, "start")?, page(&size, "size")?);
    if size == 0 || size > MAX_PAGE {
        return Err(ApiError::bad_request(format!(
            "size must be 1 to {MAX_PAGE}"
        )));
    }
    let Json(query) = body.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let rows = state
        .store
        .intent_quotes(&query.filter()?, start, size)
        .await
        .map_err(ApiError::unavailable)?;
    let matching: Vec<Value> = rows.iter().map(notification).collect();
    Ok(Json(
        json!({ "count": matching.len(), "position_state": matching }),
    ))
}

impl PositionStateQuery {
    /// The query as the store filters it.
    fn filter(&self) -> Result<IntentQuoteFilter, ApiError> {
        let time = |t: Option<i64>, what: &str| {
            t.map(|t| {
                chrono::DateTime::from_timestamp(t, 0)
                    .ok_or_else(|| ApiError::bad_request(format!("{what} {t} is not a time")))
            })
            .transpose()
        };
        Ok(IntentQuoteFilter {
            party_a: self.address.clone(),
            quote_id: self
                .quote_id
                .map(|id| {
                    i64::try_from(id)
                        .map_err(|_| ApiError::bad_request(format!("quote_id {id} is too large")))
                })
                .transpose()?,
            symbols: self.symbols.clone(),
            states: self.states.clone(),
            created_since: time(self.create_time_gte, "create_time_gte")?,
            updated_since: time(self.modify_time_gte, "modify_time_gte")?,
        })
    }
}

/// One quote's latest notification, with SYMMIO's fields (`state_type`, `action_status`,
/// `last_seen_action`, `counterparty_address`, `error_code`, `filled_amount_open`).
pub(crate) fn notification(row: &intent_quote::Model) -> Value {
    let action_status = match row.hedger_state.as_str() {
        "rejected" | "lost" | "replaced" => "failed",
        "opened" | "closed" | "canceled" | "expired" => "success",
        _ => "seen",
    };
    let filled_open = row
        .chain_position
        .parse::<Decimal>()
        .unwrap_or_default()
        .abs();
    json!({
        "id": row.workflow_id,
        "quote_id": row.quote_id,
        "counterparty_address": row.party_a,
        "symbol": row.symbol,
        "state_type": if action_status == "failed" { "alert" } else { "report" },
        "action_status": action_status,
        "last_seen_action": row.hedger_state,
        "chain_status": row.chain_status,
        "error_code": row.error_code,
        "error_message": row.reason,
        "filled_amount_open": filled_open,
        "create_time": row.created_at.timestamp(),
        "modify_time": row.updated_at.timestamp(),
    })
}
