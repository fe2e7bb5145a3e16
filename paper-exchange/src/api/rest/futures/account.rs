//! SIGNED `GET /fapi/v2/positionRisk` and `GET /fapi/v2/account`.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde_json::Value;

use super::dto;
use crate::api::Shared;
use crate::api::error::ApiError;
use crate::api::rest::signed::SignedRequest;
use crate::engine::futures::Margins;

/// `GET /fapi/v2/positionRisk`: one entry per perpetual (flat ones included), or for `symbol`.
pub async fn position_risk(
    State(shared): State<Arc<Shared>>,
    SignedRequest {
        account, params, ..
    }: SignedRequest,
) -> Result<Json<Value>, ApiError> {
    let exchange = shared.exchange();
    let symbols: Vec<String> = match params.get("symbol") {
        Some(symbol) => {
            exchange.mark_price(symbol)?;
            vec![symbol.to_string()]
        }
        None => exchange
            .perpetuals()
            .map(|v| v.config.symbol.clone())
            .collect(),
    };
    let wallet = exchange.futures.account(account).wallet;
    let risks = symbols
        .iter()
        .map(|symbol| {
            let mark = exchange.mark_price(symbol)?;
            let position = exchange.futures.position(account, symbol);
            Ok(dto::position_risk(
                symbol,
                &position,
                mark,
                wallet,
                exchange.futures.leverage_of(account, symbol),
                &exchange.futures.config,
            ))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(Json(risks.into()))
}

/// `GET /fapi/v2/account`: wallet, margins, the USDT asset and every perpetual's position.
pub async fn account(
    State(shared): State<Arc<Shared>>,
    SignedRequest { account, .. }: SignedRequest,
) -> Result<Json<Value>, ApiError> {
    let exchange = shared.exchange();
    let futures = &exchange.futures;
    let positions = exchange
        .perpetuals()
        .map(|venue| {
            let symbol = &venue.config.symbol;
            let mark = exchange.mark_price(symbol)?;
            let position = futures.position(account, symbol);
            let margins = Margins {
                open_order_initial: futures.open_order_margin(account, Some(symbol)),
                ..futures.position_margins(account, symbol, &position, mark)
            };
            Ok(dto::account_position(
                symbol,
                &position,
                &margins,
                futures.leverage_of(account, symbol),
            ))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let margins = exchange.futures_margins(account);
    Ok(Json(dto::account(
        futures.account(account),
        &margins,
        positions,
    )))
}
