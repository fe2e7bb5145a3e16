//! The extractor every SIGNED endpoint takes: the request authenticated by [`crate::api::auth`]
//! (API key, signature over query and body, `recvWindow`) at the time it was received.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};

use crate::api::Shared;
use crate::api::auth::{Signed, authenticate};
use crate::api::params::Params;
use crate::engine::accounts::AccountId;
use crate::engine::now_ms;

/// An authenticated SIGNED request.
pub struct SignedRequest {
    pub account: AccountId,
    pub params: Params,
    /// When it was received, in ms since the epoch.
    pub now: u64,
}

impl FromRequest<Arc<Shared>> for SignedRequest {
    type Rejection = Response;

    async fn from_request(request: Request, shared: &Arc<Shared>) -> Result<Self, Response> {
        let now = now_ms();
        let headers = request.headers().clone();
        let query = request.uri().query().map(str::to_owned);
        let body = Bytes::from_request(request, shared)
            .await
            .map_err(IntoResponse::into_response)?;
        let Signed { account, params } =
            authenticate(&shared.keys, &headers, query.as_deref(), &body, now)
                .map_err(IntoResponse::into_response)?;
        Ok(Self {
            account,
            params,
            now,
        })
    }
}
