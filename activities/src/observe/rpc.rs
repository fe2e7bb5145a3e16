//! The chain providers. Every call races all endpoints of a chain, so one failing endpoint costs
//! nothing but redundancy (`hedgeflow_rpc_request_errors`, per endpoint), while a head poll that
//! every endpoint failed means the chain is unreachable (`hedgeflow_rpc_head_poll_failures`).
//! Endpoints are labelled by host and port only: an RPC URL's path or query often carries an API
//! key.

use super::{Registry, record, record_one};
use temporalio_common::telemetry::metrics::{Counter, Gauge};
use tracing::{debug, warn};
use url::Url;

pub(super) struct Metrics {
    request_errors: Counter,
    head_poll_failures: Counter,
    head: Gauge,
    websocket_failovers: Counter,
}

impl Metrics {
    pub(super) fn register(r: &mut Registry) -> Self {
        Self {
            request_errors: r.counter(
                "hedgeflow_rpc_request_errors",
                "JSON-RPC requests an endpoint failed (no answer, HTTP error); the chain's other \
                 endpoints raced the same call (labels chain, endpoint)",
            ),
            head_poll_failures: r.counter(
                "hedgeflow_rpc_head_poll_failures",
                "Head polls that every endpoint of the chain failed (label chain)",
            ),
            head: r.gauge(
                "hedgeflow_rpc_head_block",
                "The newest block number polled on the chain (label chain)",
            ),
            websocket_failovers: r.counter(
                "hedgeflow_rpc_websocket_failovers",
                "Websocket subscriptions that ended or failed, moving on to the next endpoint \
                 (label chain)",
            ),
        }
    }
}

/// `host[:port]` of an endpoint: what labels and logs may show of it.
pub fn endpoint_label(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        _ => url.scheme().to_owned(),
    }
}

/// One endpoint failed a request; the others may have answered it.
pub fn rpc_request_failed(chain: &str, endpoint: &str, error: &dyn std::fmt::Display) {
    debug!(chain, endpoint, %error, "rpc request failed");
    record_one(&[("chain", chain), ("endpoint", endpoint)], |m| {
        &m.rpc.request_errors
    });
}

/// The periodic head poll failed on every endpoint of the chain.
pub fn rpc_head_poll_failed(chain: &str, error: &dyn std::fmt::Display) {
    warn!(chain, %error, "head poll failed on every endpoint");
    record_one(&[("chain", chain)], |m| &m.rpc.head_poll_failures);
}

/// The head poll answered.
pub fn rpc_head_polled(chain: &str, number: u64) {
    record(&[("chain", chain)], |m, a| m.rpc.head.record(number, a));
}

/// A websocket subscription ended (`error` is `None`) or failed; the next endpoint is tried.
pub fn rpc_websocket_failover(chain: &str, url: &Url, error: Option<&str>) {
    let endpoint = endpoint_label(url);
    match error {
        Some(error) => warn!(chain, endpoint, error, "websocket subscription failed"),
        None => warn!(
            chain,
            endpoint, "websocket subscription ended; trying the next websocket"
        ),
    }
    record_one(&[("chain", chain)], |m| &m.rpc.websocket_failovers);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_labels_drop_paths_that_may_hold_keys() {
        let url = Url::parse("https://eth.example.com/v2/SECRETKEY?key=x").unwrap();
        assert_eq!(endpoint_label(&url), "eth.example.com");
        let url = Url::parse("http://127.0.0.1:8545").unwrap();
        assert_eq!(endpoint_label(&url), "127.0.0.1:8545");
    }
}
