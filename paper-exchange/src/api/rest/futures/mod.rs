//! The USDⓈ-M Futures REST API (`/fapi/...`) of the perpetual futures market.
//!
//! - [`market_data`]: ping, time, exchangeInfo, premiumIndex (public).
//! - [`trading`]: place, cancel and query orders, open orders (SIGNED).
//! - [`account`]: positionRisk and account (SIGNED).
//! - [`leverage`]: leverageBracket and leverage (SIGNED).
//! - [`position_mode`]: positionSide/dual, one-way only (SIGNED).
//! - [`listen_key`]: the user data stream's listen key (API key only).
//! - [`params`]: reading order requests.
//! - [`dto`]: the JSON shapes.

pub mod account;
pub mod dto;
pub mod leverage;
pub mod listen_key;
pub mod market_data;
pub mod params;
pub mod position_mode;
pub mod trading;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

use crate::api::Shared;

/// Funding happens every 8 hours, at 00:00, 08:00 and 16:00 UTC.
const FUNDING_INTERVAL_MS: u64 = 8 * 60 * 60 * 1000;

/// The next funding time after `now` (ms): reported, never charged.
pub fn next_funding_time(now: u64) -> u64 {
    (now / FUNDING_INTERVAL_MS + 1) * FUNDING_INTERVAL_MS
}

/// The `/fapi` routes.
pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/fapi/v1/ping", get(market_data::ping))
        .route("/fapi/v1/time", get(market_data::time))
        .route("/fapi/v1/exchangeInfo", get(market_data::exchange_info))
        .route("/fapi/v1/premiumIndex", get(market_data::premium_index))
        .route(
            "/fapi/v1/order",
            get(trading::query_order)
                .post(trading::new_order)
                .delete(trading::cancel_order),
        )
        .route("/fapi/v1/openOrders", get(trading::open_orders))
        .route("/fapi/v2/positionRisk", get(account::position_risk))
        .route("/fapi/v2/account", get(account::account))
        .route("/fapi/v1/leverageBracket", get(leverage::leverage_bracket))
        .route("/fapi/v1/leverage", post(leverage::change_leverage))
        .route(
            "/fapi/v1/positionSide/dual",
            get(position_mode::get).post(position_mode::change),
        )
        .route(
            "/fapi/v1/listenKey",
            post(listen_key::create)
                .put(listen_key::keepalive)
                .delete(listen_key::delete),
        )
}
