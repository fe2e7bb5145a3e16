//! `[hedger-api]`: the intent hedger's HTTP API (the role is `roles/hedger_api/`).

use hedgeflow_dealer::profiler::RateLimit;
use serde::Deserialize;
use std::net::SocketAddr;

/// `[hedger-api]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct HedgerApiConfig {
    pub listen: SocketAddr,
    /// A token bucket per source address (the connection's peer IP), every route: past it,
    /// HTTP 429 with SYMMIO's error body. Behind a proxy every caller shares its address.
    #[serde(default = "default_rate_limit")]
    pub rate_limit: RateLimit,
}

/// 20 requests per second per source address, bursts of 40.
fn default_rate_limit() -> RateLimit {
    RateLimit::default()
}
