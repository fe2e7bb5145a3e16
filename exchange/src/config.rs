//! Where the client connects and with which key: Binance, its Spot testnet, or the paper
//! exchange, each with a REST base URL and a WebSocket API URL.

use std::fmt;
use std::time::Duration;

use url::Url;

use crate::key_kind::KeyKind;
use crate::signing::{KeyError, Signer};

/// Binance Spot's REST API.
pub const BINANCE_REST_URL: &str = "https://api.binance.com";
/// Binance Spot's WebSocket API (the user data stream's home).
pub const BINANCE_WS_API_URL: &str = "wss://ws-api.binance.com:443/ws-api/v3";
/// The Spot testnet's REST API.
pub const TESTNET_REST_URL: &str = "https://testnet.binance.vision";
/// The Spot testnet's WebSocket API.
pub const TESTNET_WS_API_URL: &str = "wss://ws-api.testnet.binance.vision/ws-api/v3";
/// Binance USDⓈ-M Futures' REST API.
pub const BINANCE_FUTURES_REST_URL: &str = "https://fapi.binance.com";
/// Binance USDⓈ-M Futures' websocket base (`/ws/<listenKey>` is the user data stream).
pub const BINANCE_FUTURES_WS_URL: &str = "wss://fstream.binance.com";
/// The futures testnet's REST API.
pub const TESTNET_FUTURES_REST_URL: &str = "https://testnet.binancefuture.com";
/// The futures testnet's websocket base.
pub const TESTNET_FUTURES_WS_URL: &str = "wss://stream.binancefuture.com";
/// The paper exchange serves its WebSocket API at this path of its own address.
const PAPER_WS_API_PATH: &str = "/ws-api/v3";

/// Binance's default `recvWindow`.
pub const DEFAULT_RECV_WINDOW: Duration = Duration::from_millis(5_000);
/// Binance answers within 10 s or says -1007; a little more leaves room for the network.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(12);
/// How long [`crate::Client::place_once`] keeps asking about an order whose placement had
/// an unknown outcome before it gives up with [`crate::Error::OutcomeUnknown`].
pub const DEFAULT_RESOLVE_TIMEOUT: Duration = Duration::from_secs(120);

/// An API key and what signs with it: an HMAC secret, or an Ed25519 or RSA private key (see
/// [`KeyKind`]).
#[derive(Clone)]
pub struct Credentials {
    pub api_key: String,
    signer: Signer,
}

impl Credentials {
    /// An HMAC key pair, the secret taken as it is (see [`Credentials::with_key`] for keys
    /// read from a file or the environment, which are checked against their kind).
    pub fn new(api_key: impl Into<String>, secret: impl Into<String>) -> Self {
        Credentials {
            api_key: api_key.into(),
            signer: Signer::hmac(&secret.into()),
        }
    }

    /// An API key of `kind` with its secret as kept: the secret key string for HMAC, the
    /// unencrypted PKCS#8 PEM private key for Ed25519 and RSA. Fails when the secret is not
    /// of that kind; the error never shows the secret.
    pub fn with_key(
        api_key: impl Into<String>,
        kind: KeyKind,
        secret: &str,
    ) -> Result<Self, KeyError> {
        Ok(Credentials {
            api_key: api_key.into(),
            signer: Signer::new(kind, secret)?,
        })
    }

    pub fn key_kind(&self) -> KeyKind {
        self.signer.kind()
    }

    /// What signs requests; kept out of `Debug` so no log line can carry the key.
    pub(crate) fn signer(&self) -> &Signer {
        &self.signer
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("api_key", &self.api_key)
            .field("key_kind", &self.key_kind())
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// The client's configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// REST base URL, e.g. [`BINANCE_REST_URL`].
    pub rest_url: Url,
    /// WebSocket API URL, e.g. [`BINANCE_WS_API_URL`].
    pub ws_api_url: Url,
    /// USDⓈ-M Futures REST base URL, e.g. [`BINANCE_FUTURES_REST_URL`].
    pub futures_rest_url: Url,
    /// USDⓈ-M Futures websocket base URL, e.g. [`BINANCE_FUTURES_WS_URL`].
    pub futures_ws_url: Url,
    pub credentials: Credentials,
    /// `recvWindow` of SIGNED requests: how old a request may be when Binance reads it.
    pub recv_window: Duration,
    /// Longest wait for one HTTP answer (and for the websocket handshake).
    pub timeout: Duration,
    /// How long an unknown placement outcome is investigated (see [`DEFAULT_RESOLVE_TIMEOUT`]).
    pub resolve_timeout: Duration,
}

impl Config {
    /// A client of the given Spot endpoints with Binance's defaults, and Binance's production
    /// futures endpoints (see [`Config::with_futures`]).
    pub fn new(rest_url: Url, ws_api_url: Url, credentials: Credentials) -> Self {
        Config {
            rest_url,
            ws_api_url,
            futures_rest_url: BINANCE_FUTURES_REST_URL.parse().expect("constant URL"),
            futures_ws_url: BINANCE_FUTURES_WS_URL.parse().expect("constant URL"),
            credentials,
            recv_window: DEFAULT_RECV_WINDOW,
            timeout: DEFAULT_TIMEOUT,
            resolve_timeout: DEFAULT_RESOLVE_TIMEOUT,
        }
    }

    /// Binance Spot.
    pub fn binance(credentials: Credentials) -> Self {
        Self::new(
            BINANCE_REST_URL.parse().expect("constant URL"),
            BINANCE_WS_API_URL.parse().expect("constant URL"),
            credentials,
        )
    }

    /// Binance's Spot and futures testnets.
    pub fn testnet(credentials: Credentials) -> Self {
        Self::new(
            TESTNET_REST_URL.parse().expect("constant URL"),
            TESTNET_WS_API_URL.parse().expect("constant URL"),
            credentials,
        )
        .with_futures(
            TESTNET_FUTURES_REST_URL.parse().expect("constant URL"),
            TESTNET_FUTURES_WS_URL.parse().expect("constant URL"),
        )
    }

    /// The same, with the given USDⓈ-M Futures endpoints.
    pub fn with_futures(mut self, rest_url: Url, ws_url: Url) -> Self {
        self.futures_rest_url = rest_url;
        self.futures_ws_url = ws_url;
        self
    }

    /// The paper exchange at `rest_url` (e.g. `http://127.0.0.1:9000`), whose WebSocket API
    /// is the same address with `ws` (or `wss`) and `/ws-api/v3`. Its futures API is at the
    /// same address, its futures websocket base the same address with `ws` (or `wss`).
    pub fn paper(rest_url: Url, credentials: Credentials) -> Self {
        let mut ws_api_url = rest_url.clone();
        let scheme = if rest_url.scheme() == "https" {
            "wss"
        } else {
            "ws"
        };
        // http(s) → ws(s) is a special-scheme to special-scheme change, which `Url` allows
        ws_api_url
            .set_scheme(scheme)
            .expect("http and ws are both special schemes");
        let futures_ws_url = ws_api_url.clone();
        ws_api_url.set_path(PAPER_WS_API_PATH);
        Self::new(rest_url.clone(), ws_api_url, credentials).with_futures(rest_url, futures_ws_url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_secret() {
        let config = Config::testnet(Credentials::new("key-1", "very-secret"));
        let shown = format!("{config:?}");
        assert!(shown.contains("key-1"));
        assert!(!shown.contains("very-secret"));
        assert_eq!(config.recv_window, Duration::from_millis(5000));
    }

    #[test]
    fn paper_websocket_url_follows_the_rest_url() {
        let config = Config::paper(
            "http://127.0.0.1:9000".parse().unwrap(),
            Credentials::new("k", "s"),
        );
        assert_eq!(config.ws_api_url.as_str(), "ws://127.0.0.1:9000/ws-api/v3");
        assert_eq!(config.futures_rest_url.as_str(), "http://127.0.0.1:9000/");
        assert_eq!(config.futures_ws_url.as_str(), "ws://127.0.0.1:9000/");
        let testnet = Config::testnet(Credentials::new("k", "s"));
        assert_eq!(
            testnet.futures_rest_url.as_str(),
            "https://testnet.binancefuture.com/"
        );
        assert_eq!(
            Config::binance(Credentials::new("k", "s"))
                .ws_api_url
                .as_str(),
            "wss://ws-api.binance.com/ws-api/v3"
        );
    }
}
