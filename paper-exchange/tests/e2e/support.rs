//! A paper exchange on a free port, and a small Binance client signing requests the way
//! Binance documents (independent of the crate's own signing code).

use std::time::{SystemTime, UNIX_EPOCH};

use hedgeflow_paper_exchange::{Config, DEV_API_KEY, DEV_SECRET_KEY, Running, spawn};
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use sha2::Sha256;

/// Runs `tests/<script>`, a Python client from `.tools/python-clients` (installed by
/// `scripts/bootstrap`, where `installed` must exist), against `exchange` with `PAPER_EXCHANGE_URL`
/// and `env` set and no other key variable; it must exit cleanly and print `passed`.
pub async fn run_python_client(
    script: &str,
    installed: &str,
    exchange: &Exchange,
    env: &[(&str, &str)],
    passed: &str,
) {
    let crate_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let clients = crate_dir
        .parent()
        .expect("the crate sits in the workspace")
        .join(".tools/python-clients");
    assert!(
        clients.join(installed).exists(),
        "{installed} is not installed in {}: run scripts/bootstrap",
        clients.display()
    );
    let mut command = tokio::process::Command::new("python3");
    command
        .arg(crate_dir.join("tests").join(script))
        .env("PYTHONPATH", &clients)
        .env("PAPER_EXCHANGE_URL", exchange.base_url());
    for variable in [
        "PAPER_EXCHANGE_API_KEY",
        "PAPER_EXCHANGE_SECRET_KEY",
        "PAPER_EXCHANGE_PRIVATE_KEY",
    ] {
        command.env_remove(variable);
    }
    command.envs(env.iter().copied());
    let output = command.output().await.expect("python3 runs");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(
        output.status.success(),
        "{script} failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    assert!(stdout.contains(passed), "{stdout}");
}

/// A running exchange; stopped when dropped.
pub struct Exchange {
    pub addr: std::net::SocketAddr,
    _running: Running,
}

impl Exchange {
    pub async fn start(config: Config) -> Self {
        let running = spawn(config).await.unwrap();
        Exchange {
            addr: running.addr,
            _running: running,
        }
    }

    /// The default config with a fixed seed.
    pub async fn start_default() -> Self {
        Self::start(Config {
            seed: Some(7),
            ..Config::default()
        })
        .await
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn ws_url(&self, path: &str) -> String {
        format!("ws://{}{path}", self.addr)
    }

    pub fn client(&self) -> Client {
        Client::new(self.base_url(), DEV_API_KEY, DEV_SECRET_KEY)
    }
}

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

pub fn sign(secret: &str, payload: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(payload.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// A Binance REST client for tests.
pub struct Client {
    pub base: String,
    pub api_key: String,
    pub secret: String,
    http: reqwest::Client,
}

impl Client {
    pub fn new(base: String, api_key: &str, secret: &str) -> Self {
        Client {
            base,
            api_key: api_key.into(),
            secret: secret.into(),
            http: reqwest::Client::new(),
        }
    }

    /// A public GET.
    pub async fn get(&self, path_and_query: &str) -> (StatusCode, Value) {
        let response = self
            .http
            .get(format!("{}{path_and_query}", self.base))
            .send()
            .await
            .unwrap();
        decode(response).await
    }

    /// A SIGNED request with the parameters in the query string, timestamped now.
    pub async fn signed(
        &self,
        method: Method,
        path: &str,
        params: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let mut query = encode(params);
        query.push_str(&format!(
            "{}timestamp={}",
            if query.is_empty() { "" } else { "&" },
            now_ms()
        ));
        self.send_raw(method, path, &query, "").await
    }

    /// Signs `query` + `body` as given (Binance's payload) and sends it, signature in the query.
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        query: &str,
        body: &str,
    ) -> (StatusCode, Value) {
        let signature = sign(&self.secret, &format!("{query}{body}"));
        let separator = if query.is_empty() { "" } else { "&" };
        let url = format!(
            "{}{path}?{query}{separator}signature={signature}",
            self.base
        );
        self.send_unsigned(method, &url, body).await
    }

    /// Sends a request exactly as given (for hand-made signatures).
    pub async fn send_unsigned(
        &self,
        method: Method,
        url: &str,
        body: &str,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, url)
            .header("X-MBX-APIKEY", &self.api_key);
        if !body.is_empty() {
            request = request
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(body.to_string());
        }
        decode(request.send().await.unwrap()).await
    }

    /// Free and locked balance of `asset`.
    pub async fn balance(&self, asset: &str) -> (rust_decimal::Decimal, rust_decimal::Decimal) {
        let (status, account) = self.signed(Method::GET, "/api/v3/account", &[]).await;
        assert_eq!(status, StatusCode::OK, "{account}");
        let balance = account["balances"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["asset"] == asset);
        balance.map_or((dec("0"), dec("0")), |b| {
            (dec_of(&b["free"]), dec_of(&b["locked"]))
        })
    }
}

pub fn encode(params: &[(&str, &str)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

async fn decode(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

pub fn dec(s: &str) -> rust_decimal::Decimal {
    s.parse().unwrap()
}

/// A decimal from a JSON string field.
pub fn dec_of(value: &Value) -> rust_decimal::Decimal {
    dec(value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}")))
}

/// Asserts a Binance error: HTTP status and code.
#[track_caller]
pub fn assert_error(response: &(StatusCode, Value), status: StatusCode, code: i64) {
    assert_eq!(response.0, status, "{}", response.1);
    assert_eq!(response.1["code"], code, "{}", response.1);
    assert!(
        response.1["msg"].as_str().is_some_and(|m| !m.is_empty()),
        "{}",
        response.1
    );
}
