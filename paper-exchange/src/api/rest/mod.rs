//! The REST API (`/api/v3/...` and `/fapi/...`) and the routes of the websocket streams.
//!
//! - [`market_data`]: ping, time, exchangeInfo, depth (public).
//! - [`tickers`]: the 24 h, price and book tickers (public).
//! - [`trading`]: place, cancel and query orders, open orders (SIGNED).
//! - [`account`]: balances (SIGNED).
//! - [`trades`]: the account's trades, `myTrades` (SIGNED).
//! - [`order_params`]: reading order requests.
//! - [`signed`]: the authenticated SIGNED request every SIGNED endpoint takes.
//! - [`dto`]: the JSON shapes.
//! - [`limits`]: the used-weight header and injected 429s on every REST route.
//! - [`futures`]: the USDⓈ-M Futures API (`/fapi/...`).
//! - [`wallet`]: the wallet API (`/sapi/...`): transfers, withdrawals, deposits.
//! - [`faults`]: arming injected faults at runtime (not Binance's; dev and chaos runs).

pub mod account;
pub mod dto;
pub mod faults;
pub mod futures;
pub mod limits;
pub mod market_data;
pub mod order_params;
pub mod signed;
pub mod tickers;
pub mod trades;
pub mod trading;
pub mod wallet;

use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::middleware;
use axum::routing::{get, post};

use crate::api::Shared;
use crate::api::{stream, ws_api};

/// Every route of the exchange.
pub fn router(shared: Arc<Shared>) -> Router {
    let websockets = Router::new()
        .route("/ws", get(stream::raw_without_streams))
        .route("/ws/{*streams}", get(stream::raw))
        .route("/stream", get(stream::combined))
        .route("/ws-api/v3", get(ws_api::upgrade));
    Router::new()
        .route("/api/v3/ping", get(market_data::ping))
        .route("/api/v3/time", get(market_data::time))
        .route("/api/v3/exchangeInfo", get(market_data::exchange_info))
        .route("/api/v3/depth", get(market_data::depth))
        .route("/api/v3/ticker/24hr", get(tickers::ticker_24hr))
        .route("/api/v3/ticker/price", get(tickers::ticker_price))
        .route("/api/v3/ticker/bookTicker", get(tickers::book_ticker))
        .route(
            "/api/v3/order",
            get(trading::query_order)
                .post(trading::new_order)
                .delete(trading::cancel_order),
        )
        .route("/api/v3/openOrders", get(trading::open_orders))
        .route("/api/v3/account", get(account::account))
        .route("/api/v3/myTrades", get(trades::my_trades))
        .merge(futures::routes())
        .merge(wallet::routes())
        .route_layer(middleware::from_fn_with_state(
            shared.clone(),
            limits::weigh,
        ))
        // Outside the weigh layer: an armed 429 must not eat the next arming request.
        .route("/paper/v1/faults", post(faults::arm))
        .merge(websockets)
        .fallback(|| async { StatusCode::NOT_FOUND })
        .with_state(shared)
}
