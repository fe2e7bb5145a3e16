//! SIGNED `GET /fapi/v1/leverageBracket` and `POST /fapi/v1/leverage`: the notional bracket
//! and the account's leverage per symbol (the rules are [`crate::engine::futures::leverage`]'s).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use rust_decimal::prelude::ToPrimitive;
use serde_json::{Value, json};

use crate::api::Shared;
use crate::api::error::ApiError;
use crate::api::rest::signed::SignedRequest;
use crate::engine::futures::leverage::{Bracket, LeverageReject};

impl From<LeverageReject> for ApiError {
    fn from(reject: LeverageReject) -> Self {
        let msg = reject.to_string();
        match reject {
            LeverageReject::Futures(reject) => reject.into(),
            LeverageReject::Invalid(_) => ApiError::bad_request(-4028, msg),
            LeverageReject::InsufficientMargin => ApiError::bad_request(-2028, msg),
        }
    }
}

/// `GET /fapi/v1/leverageBracket`: every perpetual's brackets (an array), or one `symbol`'s
/// (an object, as Binance documents it).
pub async fn leverage_bracket(
    State(shared): State<Arc<Shared>>,
    SignedRequest { params, .. }: SignedRequest,
) -> Result<Json<Value>, ApiError> {
    let exchange = shared.exchange();
    let bracket = exchange.futures.bracket();
    Ok(Json(match params.get("symbol") {
        Some(symbol) => {
            exchange.mark_price(symbol)?;
            brackets(symbol, &bracket)
        }
        None => exchange
            .perpetuals()
            .map(|v| brackets(&v.config.symbol, &bracket))
            .collect(),
    }))
}

/// `POST /fapi/v1/leverage?symbol=..&leverage=..`: sets the leverage the engine then margins
/// the symbol's position and orders with.
pub async fn change_leverage(
    State(shared): State<Arc<Shared>>,
    SignedRequest {
        account, params, ..
    }: SignedRequest,
) -> Result<Json<Value>, ApiError> {
    let symbol = params.required("symbol")?;
    let leverage = params
        .integer("leverage")?
        .ok_or_else(|| ApiError::mandatory("leverage"))?;
    let mut exchange = shared.exchange();
    let leverage = exchange.set_leverage(account, symbol, leverage)?;
    let cap = exchange.futures.bracket().notional_cap;
    Ok(Json(json!({
        "leverage": leverage,
        "maxNotionalValue": cap.to_string(),
        "symbol": symbol,
    })))
}

/// One symbol's entry of `leverageBracket`: numbers, not strings, as Binance sends them.
fn brackets(symbol: &str, bracket: &Bracket) -> Value {
    let number = |d: rust_decimal::Decimal| d.to_f64().unwrap_or_default();
    json!({
        "symbol": symbol,
        "brackets": [{
            "bracket": 1,
            "initialLeverage": bracket.initial_leverage,
            "notionalCap": number(bracket.notional_cap),
            "notionalFloor": number(bracket.notional_floor),
            "maintMarginRatio": number(bracket.maint_margin_ratio),
            "cum": 0.0,
        }],
    })
}
