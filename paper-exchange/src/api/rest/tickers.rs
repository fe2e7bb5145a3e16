//! Public tickers: `GET /api/v3/ticker/24hr` (FULL or MINI), `ticker/price` and
//! `ticker/bookTicker`, for one `symbol` (an object), a `symbols` list or every symbol (an
//! array). What the statistics approximate is said in [`crate::engine::exchange::ticker`].

use std::sync::Arc;

use axum::Json;
use axum::extract::{RawQuery, State};
use serde_json::Value;

use super::dto;
use super::market_data::{Wanted, wanted_symbols};
use crate::api::Shared;
use crate::api::error::ApiError;
use crate::api::params::Params;
use crate::engine::exchange::Exchange;
use crate::engine::now_ms;

/// The only `tradingStatus` the paper exchange's symbols have.
const TRADING: &str = "TRADING";

/// `GET /api/v3/ticker/24hr`
pub async fn ticker_24hr(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let params = Params::parse(query.as_deref(), b"")?;
    let full = match params.get("type") {
        None | Some("FULL") => true,
        Some("MINI") => false,
        Some(_) => return Err(ApiError::bad_request(-1139, "Invalid ticker type.")),
    };
    let now = now_ms();
    answer(&shared, &params, |exchange, symbol| {
        let ticker = exchange.ticker(symbol, now)?;
        Ok(if full {
            dto::ticker_24hr(&ticker)
        } else {
            dto::ticker_mini(&ticker)
        })
    })
}

/// `GET /api/v3/ticker/price`: the 24 h ticker's last price.
pub async fn ticker_price(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let params = Params::parse(query.as_deref(), b"")?;
    let now = now_ms();
    answer(&shared, &params, |exchange, symbol| {
        Ok(dto::ticker_price(
            symbol,
            exchange.ticker(symbol, now)?.last,
        ))
    })
}

/// `GET /api/v3/ticker/bookTicker`: the published book's best bid and ask.
pub async fn book_ticker(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let params = Params::parse(query.as_deref(), b"")?;
    answer(&shared, &params, |exchange, symbol| {
        Ok(dto::book_ticker(symbol, &exchange.best_prices(symbol)?))
    })
}

/// Answers with `one` of each symbol the request names, as Binance shapes it: an object for
/// `symbol`, an array for `symbols` or none. `symbolStatus` filters on the trading status,
/// which is TRADING for every symbol here.
fn answer(
    shared: &Shared,
    params: &Params,
    one: impl Fn(&Exchange, &str) -> Result<Value, ApiError>,
) -> Result<Json<Value>, ApiError> {
    let wanted = wanted_symbols(params)?;
    let status_matches = match params.get("symbolStatus") {
        None => true,
        Some(TRADING) => true,
        Some("HALT" | "BREAK") => false,
        Some(_) => return Err(ApiError::bad_request(-1122, "Invalid symbolStatus.")),
    };
    let exchange = shared.exchange();
    let names = match wanted {
        Some(Wanted::One(symbol)) => {
            exchange.venue(&symbol)?;
            if !status_matches {
                return Err(ApiError::bad_request(
                    -1220,
                    "The symbol's status does not match the requested symbolStatus.",
                ));
            }
            return Ok(Json(one(&exchange, &symbol)?));
        }
        Some(Wanted::Some(names)) => {
            for name in &names {
                exchange.venue(name)?;
            }
            names
        }
        None => exchange.venues().map(|v| v.config.symbol.clone()).collect(),
    };
    let answers = names
        .iter()
        .filter(|_| status_matches)
        .map(|symbol| one(&exchange, symbol))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(answers.into()))
}
