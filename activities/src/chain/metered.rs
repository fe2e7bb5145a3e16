//! [`Metered`]: one endpoint's transport that reports its own failures. Under alloy's
//! `FallbackService` an endpoint's error is dropped when another endpoint answers, so this is the
//! only place a dying provider can be seen before the last one goes.

use crate::observe;
use alloy::transports::{TransportError, TransportFut};
use std::{
    sync::Arc,
    task::{Context, Poll},
};
use tower_service::Service;
use url::Url;

#[derive(Clone)]
pub(super) struct Metered<S> {
    inner: S,
    chain: Arc<str>,
    /// `host[:port]`: never the URL's path or query, which may hold an API key.
    endpoint: Arc<str>,
}

impl<S> Metered<S> {
    pub(super) fn new(chain: &str, url: &Url, inner: S) -> Self {
        Self {
            inner,
            chain: chain.into(),
            endpoint: observe::endpoint_label(url).into(),
        }
    }
}

/// Generic over the request so it needs no JSON-RPC types: it is a transport exactly when the
/// wrapped service is one.
impl<S, Request, Response> Service<Request> for Metered<S>
where
    S: Service<
            Request,
            Response = Response,
            Error = TransportError,
            Future = TransportFut<'static, Response>,
        >,
    Response: 'static,
{
    type Response = Response;
    type Error = TransportError;
    type Future = TransportFut<'static, Response>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let answer = self.inner.call(request);
        let (chain, endpoint) = (self.chain.clone(), self.endpoint.clone());
        Box::pin(async move {
            let answer = answer.await;
            if let Err(error) = &answer {
                observe::rpc_request_failed(&chain, &endpoint, error);
            }
            answer
        })
    }
}
