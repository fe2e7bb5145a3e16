//! The admin server's gate: an HTTP (tower) middleware that answers 401 unless the request
//! carries `Authorization: Bearer <token>`. It runs before jsonrpsee sees the request, for
//! plain HTTP and WebSocket upgrades alike.
//!
//! The presented token is compared in constant time (SHA-256 of both, then `subtle`'s
//! `ct_eq`, so neither content nor length leaks through timing), and the `Authorization` header
//! is removed before the request goes on, so jsonrpsee's trace-level request logging never sees
//! it.

use super::config::AdminToken;
use http::{HeaderValue, StatusCode, header};
use jsonrpsee::server::{HttpBody, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use subtle::ConstantTimeEq;

/// Layer adding [`BearerAuth`].
#[derive(Clone)]
pub(crate) struct BearerAuthLayer {
    expected: Arc<[u8; 32]>,
}

impl BearerAuthLayer {
    pub(crate) fn new(token: &AdminToken) -> Self {
        Self {
            expected: Arc::new(Sha256::digest(token.expose().as_bytes()).into()),
        }
    }
}

impl<S> tower::Layer<S> for BearerAuthLayer {
    type Service = BearerAuth<S>;

    fn layer(&self, inner: S) -> Self::Service {
        BearerAuth {
            inner,
            expected: self.expected.clone(),
        }
    }
}

/// See the module docs.
#[derive(Clone)]
pub(crate) struct BearerAuth<S> {
    inner: S,
    expected: Arc<[u8; 32]>,
}

impl<S> BearerAuth<S> {
    fn authorized(&self, value: Option<&HeaderValue>) -> bool {
        let Some(value) = value else { return false };
        let bytes = value.as_bytes();
        let Some(token) = bytes
            .get(..7)
            .filter(|s| s.eq_ignore_ascii_case(b"bearer "))
            .map(|_| &bytes[7..])
        else {
            return false;
        };
        let presented: [u8; 32] = Sha256::digest(token).into();
        presented.ct_eq(&*self.expected).into()
    }
}

impl<S, B> tower::Service<HttpRequest<B>> for BearerAuth<S>
where
    S: tower::Service<HttpRequest<B>, Response = HttpResponse>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = HttpResponse;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: HttpRequest<B>) -> Self::Future {
        if self.authorized(request.headers().get(header::AUTHORIZATION)) {
            request.headers_mut().remove(header::AUTHORIZATION);
            Box::pin(self.inner.call(request))
        } else {
            tracing::warn!(path = %request.uri().path(), "admin request without a valid bearer token");
            Box::pin(std::future::ready(Ok(unauthorized(
                "unauthorized\n",
                "Bearer",
            ))))
        }
    }
}

/// HTTP 401 with `body`, asking for credentials of `scheme`.
pub(crate) fn unauthorized(body: &'static str, scheme: &'static str) -> HttpResponse {
    let mut response = HttpResponse::new(HttpBody::from(body));
    *response.status_mut() = StatusCode::UNAUTHORIZED;
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(scheme));
    response
}
