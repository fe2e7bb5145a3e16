//! What Binance says about request weight: `X-MBX-USED-WEIGHT-1M` on every REST answer, and
//! the 429s of [`crate::config::FaultConfig::rate_limited_requests`].
//!
//! The paper exchange enforces no limit: every request weighs 1 and the count only informs
//! clients that read the header, as Binance's does.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api::Shared;
use crate::api::error::ApiError;

const USED_WEIGHT_HEADER: &str = "x-mbx-used-weight-1m";

/// Refuses the request with an injected 429, or serves it; either way with the used weight.
pub async fn weigh(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let used = shared.used_weight.add();
    let mut response = match shared.faults.rate_limit() {
        Some(retry_after) => {
            let mut response = ApiError::too_many_requests().into_response();
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from(retry_after));
            response
        }
        None => next.run(request).await,
    };
    response
        .headers_mut()
        .insert(USED_WEIGHT_HEADER, HeaderValue::from(used));
    response
}
