//! What Binance says about request weight: `X-MBX-USED-WEIGHT-1M` on every REST answer, and
//! the 429s of [`crate::config::FaultConfig::rate_limited_requests`].
//!
//! The paper exchange enforces no limit: every request weighs 1 and the count only informs
//! clients that read the header, as Binance's does.

use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api::Shared;
use crate::api::error::ApiError;
use crate::engine::now_ms;

const USED_WEIGHT_HEADER: &str = "x-mbx-used-weight-1m";
const MS_PER_MINUTE: u64 = 60_000;

/// Request weight used in the current minute.
#[derive(Debug, Default)]
pub struct UsedWeight {
    /// (minute since the epoch, weight used in it)
    minute: Mutex<(u64, u64)>,
}

impl UsedWeight {
    /// Counts one request, returning the minute's weight so far.
    fn add(&self) -> u64 {
        let minute = now_ms() / MS_PER_MINUTE;
        let mut current = self.minute.lock().unwrap_or_else(PoisonError::into_inner);
        if current.0 != minute {
            *current = (minute, 0);
        }
        current.1 += 1;
        current.1
    }
}

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
