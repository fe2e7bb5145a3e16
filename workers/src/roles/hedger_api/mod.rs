//! The hedger web server (role `hedger-api`): what SYMMIO front ends ask a hedger, with SYMMIO's
//! routes and field names. REST: `GET /contract-symbols`, `/open-interest`,
//! `/notional_cap/{symbol_id}`, `/price-range/{symbol}`, `/error_codes`,
//! `/error_codes/{code}`, `/get_locked_params/{symbol}`, `POST /position-state/{start}/{size}`;
//! websocket `/ws/{address}`: party A's uPnL every second and a notification for every change
//! of its quotes. Reads through the read-only DB connection, the chain and the broker's public
//! endpoints; holds no secret. Every route spends a token of its source address's bucket
//! (`[hedger-api] rate-limit`, [`limit_per_source`]).
//!
//! - `routes`: the REST handlers and their JSON shapes;
//! - `stream`: the websocket.

mod routes;
mod stream;

use crate::{config::Config, telemetry};
use anyhow::Context;
use axum::{
    Json, Router,
    extract::{ConnectInfo, Request},
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use hedgeflow_activities::{
    chain::{ChainClient, Chains},
    intent::IntentsConfig,
    store::Store,
};
use hedgeflow_dealer::profiler::{PerSource, RateLimit};
use hedgeflow_exchange::FuturesClient;
use std::{net::SocketAddr, sync::Arc};
use tracing::info;

pub const ROLE: &str = "hedger-api";

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
    let limited = limit_per_source(router(state), section.rate_limit);
    let app = limited.into_make_service_with_connect_info::<SocketAddr>();
    tokio::select! {
        served = axum::serve(listener, app) => served.context("hedger API"),
        stop = super::shutdown_requested(ROLE) => stop,
    }
}

/// `router` behind a token bucket per source address; past it, 429 with SYMMIO's error body
/// and `Retry-After`. Serve it with `into_make_service_with_connect_info::<SocketAddr>()`.
pub fn limit_per_source(router: Router, limit: RateLimit) -> Router {
    let limiter = Arc::new(PerSource::new(limit));
    let housekeeping = Arc::downgrade(&limiter);
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            let Some(limiter) = housekeeping.upgrade() else {
                return;
            };
            limiter.retain_recent();
        }
    });
    router.layer(axum::middleware::from_fn(
        move |ConnectInfo(peer): ConnectInfo<SocketAddr>, request: Request, next: Next| {
            let limiter = limiter.clone();
            async move {
                if !limiter.check(&peer.ip()) {
                    let mut refused = ApiError::too_many("rate limit reached").into_response();
                    refused
                        .headers_mut()
                        .insert("retry-after", axum::http::HeaderValue::from_static("1"));
                    return refused;
                }
                next.run(request).await
            }
        },
    ))
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

    pub fn too_many(message: impl Into<String>) -> Self {
        Self(StatusCode::TOO_MANY_REQUESTS, message.into())
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::num::NonZeroU32;

    /// Serves `router` behind the limit on a free port of 127.0.0.1.
    async fn serve(router: Router, limit: RateLimit) -> SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app =
            limit_per_source(router, limit).into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        addr
    }

    async fn get_from(source: &str, addr: SocketAddr) -> reqwest::Response {
        reqwest::Client::builder()
            .local_address(Some(source.parse().unwrap()))
            .build()
            .unwrap()
            .get(format!("http://{addr}/error_codes"))
            .send()
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_source_past_its_bucket_gets_429_in_symmios_shape_and_others_are_served() {
        let router = Router::new().route("/error_codes", get(|| async { "[]" }));
        let one = NonZeroU32::new(1).unwrap();
        let addr = serve(router, RateLimit::new(one, NonZeroU32::new(3).unwrap())).await;
        for _ in 0..3 {
            assert_eq!(get_from("127.0.0.1", addr).await.status(), 200);
        }
        let refused = get_from("127.0.0.1", addr).await;
        assert_eq!(refused.status(), 429);
        assert_eq!(refused.headers()["retry-after"], "1");
        let body: serde_json::Value = refused.json().await.unwrap();
        assert_eq!(body["error_code"], 429);
        assert_eq!(body["error_message"], "rate limit reached");
        // Another source has a bucket of its own.
        assert_eq!(get_from("127.0.0.2", addr).await.status(), 200);
    }
}
