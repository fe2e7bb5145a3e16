//! The hedger web server (role `hedger-api`): what SYMMIO front ends ask a hedger, with SYMMIO's
//! routes and field names. REST: `GET /contract-symbols`, `/open-interest`,
//! `/notional_cap/{symbol_id}`, `/price-range/{symbol}`, `/error_codes`,
//! `/error_codes/{code}`, `/get_locked_params/{symbol}`, `POST /position-state/{start}/{size}`;
//! websocket `/ws/{address}`: party A's uPnL every second and a notification for every change
//! of its quotes. Reads through the read-only DB connection, the chain and the broker's public
//! endpoints; holds no secret.
//!
//! - `routes`: the REST handlers and their JSON shapes;
//! - `stream`: the websocket.

mod routes;
mod stream;

use crate::{config::Config, telemetry};
use anyhow::Context;
use axum::{
    Json, Router,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use hedgeflow_activities::{
    chain::{ChainClient, Chains},
    intent::IntentsConfig,
    store::Store,
};
use hedgeflow_exchange::FuturesClient;
use serde::Deserialize;
use std::{net::SocketAddr, sync::Arc};
use tracing::info;

pub const ROLE: &str = "hedger-api";

/// `[hedger-api]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct HedgerApiConfig {
    pub listen: SocketAddr,
}

/// What every handler reads.
pub(crate) struct ApiState {
    pub intents: IntentsConfig,
    pub store: Store,
    pub chain: ChainClient,
    pub broker: FuturesClient,
}

pub async fn run(config: Config) -> anyhow::Result<()> {
    let section = config
        .hedger_api
        .clone()
        .context("the hedger API needs a [hedger-api] section")?;
    let intents = config
        .intents
        .clone()
        .context("the hedger API serves the book of [intents]")?;
    let _runtime = telemetry::runtime(config.metrics_addr(ROLE))?;
    let store = Store::connect_read_only(config.database.read_url())
        .await
        .context("database (read-only)")?;
    let chains = Chains::connect(&config.chains).await.context("chains")?;
    let chain = chains
        .by_name(&intents.chain)
        .with_context(|| format!("[intents] chain {}", intents.chain))?
        .clone();
    let broker = super::price_signer::public_broker(&intents.broker_rest)?;
    let state = Arc::new(ApiState {
        intents,
        store,
        chain,
        broker,
    });
    let listener = tokio::net::TcpListener::bind(section.listen)
        .await
        .with_context(|| format!("binding the hedger API on {}", section.listen))?;
    info!(listen = %section.listen, "hedger API listening");
    tokio::select! {
        served = axum::serve(listener, router(state)) => served.context("hedger API"),
        stop = super::shutdown_requested(ROLE) => stop,
    }
}

pub(crate) fn router(state: Arc<ApiState>) -> Router {
    Router::new()
        .route("/contract-symbols", get(routes::contract_symbols))
        .route("/open-interest", get(routes::open_interest))
        .route("/notional_cap/{symbol_id}", get(routes::notional_cap))
        .route("/price-range/{symbol}", get(routes::price_range))
        .route("/error_codes", get(routes::error_codes))
        .route("/error_codes/{code}", get(routes::error_code))
        .route("/get_locked_params/{symbol}", get(routes::locked_params))
        .route(
            "/position-state/{start}/{size}",
            post(routes::position_state),
        )
        .route("/ws/{address}", get(stream::upgrade))
        .with_state(state)
}

/// A refusal: HTTP status and SYMMIO's `{"error_code", "error_message"}`.
pub(crate) struct ApiError(StatusCode, String);

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self(StatusCode::BAD_REQUEST, message.into())
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self(StatusCode::NOT_FOUND, message.into())
    }

    pub fn unavailable(error: impl std::fmt::Display) -> Self {
        Self(StatusCode::SERVICE_UNAVAILABLE, error.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error_code": self.0.as_u16(),
            "error_message": self.1,
        });
        (self.0, Json(body)).into_response()
    }
}
