//! `[temporal]`: the workflow engine's frontend every role connects to, and how.

use std::path::PathBuf;

use serde::Deserialize;
use url::Url;

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct TemporalConfig {
    /// Frontend gRPC address, e.g. `http://127.0.0.1:7233`.
    pub address: Url,
    #[serde(default = "default_namespace")]
    pub namespace: String,
    /// Where people open the UI; printed with workflow links.
    pub ui_url: Url,
    /// Activities one worker runs at once. Most of ours wait on a chain (inclusion,
    /// confirmations, a release), and a waiting activity is a parked task, so this is high: a
    /// worker full of waiters must still take the short steps queued behind them.
    #[serde(default = "default_max_concurrent_activities")]
    pub max_concurrent_activities: usize,
    /// Most concurrent polls per task kind; the worker scales between 1 and this on the
    /// server's feedback.
    #[serde(default = "default_max_pollers")]
    pub max_pollers: usize,
    /// Whether gRPC calls to the frontend are gzip-compressed (`gzip`, the SDK's default, for a
    /// server across a network) or not (`none`: on loopback it only costs CPU on both ends).
    #[serde(default)]
    pub grpc_compression: GrpcCompression,
    /// Mutual TLS to the frontend (the address is then `https://`): the server's CA and this
    /// process's client certificate and key. Absent: plaintext, for a server on loopback only.
    #[serde(default)]
    pub tls: Option<TemporalTls>,
}

/// [`TemporalConfig::tls`]: PEM files, read at connection.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct TemporalTls {
    /// The CA that signed the frontend's certificate.
    pub ca: PathBuf,
    /// This process's certificate, signed by a CA the frontend requires of its clients.
    pub cert: PathBuf,
    /// Its private key (a secret: readable by this role only).
    pub key: PathBuf,
    /// The name the frontend's certificate is for, when the address's host is another.
    #[serde(default)]
    pub domain: Option<String>,
}

/// [`TemporalConfig::grpc_compression`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GrpcCompression {
    #[default]
    Gzip,
    None,
}

fn default_namespace() -> String {
    "default".into()
}
fn default_max_concurrent_activities() -> usize {
    2000
}
fn default_max_pollers() -> usize {
    20
}
