//! The REST transport: SIGNED requests (the query string signed as the key's kind signs,
//! `X-MBX-APIKEY`, `timestamp` on the server's clock, `recvWindow`), the request weight Binance
//! reports, the backoff gate after a 429 or 418, and the mapping of every failure to [`Error`].

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use reqwest::{Method, Response, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tokio::time::Instant;

use crate::clock::Clock;
use crate::config::Config;
use crate::error::{CODE_INVALID_TIMESTAMP, Error};

const API_KEY_HEADER: &str = "X-MBX-APIKEY";
const USED_WEIGHT_HEADER: &str = "X-MBX-USED-WEIGHT-1M";
/// The wait assumed when a 429 or 418 comes without `Retry-After` (Binance always sends it).
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);

/// Which of Binance's REST APIs a transport talks to: where it is and how it tells the time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Api {
    /// Spot, at [`Config::rest_url`].
    Spot,
    /// USDⓈ-M Futures, at [`Config::futures_rest_url`].
    UsdMFutures,
}

impl Api {
    fn base_url(self, config: &Config) -> &url::Url {
        match self {
            Api::Spot => &config.rest_url,
            Api::UsdMFutures => &config.futures_rest_url,
        }
    }

    fn time_path(self) -> &'static str {
        match self {
            Api::Spot => "/api/v3/time",
            Api::UsdMFutures => "/fapi/v1/time",
        }
    }
}

/// A Binance Spot client. One per API key: the rate limit gate and the clock offset are
/// shared by every request through it. (The futures client wraps one of its own, talking to
/// the futures API: see [`crate::FuturesClient`].)
#[derive(Debug)]
pub struct Client {
    http: reqwest::Client,
    config: Config,
    api: Api,
    clock: Clock,
    /// No request leaves before this instant (the last 429/418's `Retry-After`), and the
    /// status that set it.
    gate: Mutex<Option<(Instant, u16)>>,
    used_weight_1m: Mutex<Option<u32>>,
    /// Client order ids with a `place_once` running, so that two calls in this process never
    /// race to place the same order.
    pub(crate) in_flight: Mutex<std::collections::HashSet<String>>,
}

/// Binance's error body.
#[derive(Deserialize)]
struct ApiErrorDto {
    code: i64,
    msg: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServerTimeDto {
    server_time: i64,
}

/// Locks a mutex whose data stays consistent even if a holder panicked.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Client {
    /// A client on the system clock; the server time offset is measured before the first
    /// SIGNED request.
    pub fn new(config: Config) -> Result<Self, Error> {
        Self::with_clock(config, Clock::system())
    }

    /// A client on `clock` (see [`Clock::skewed`]). Fails only when the HTTP client cannot
    /// start (its TLS backend), reported as [`Error::Connect`]: nothing was sent.
    pub fn with_clock(config: Config, clock: Clock) -> Result<Self, Error> {
        Self::for_api(config, clock, Api::Spot)
    }

    /// A transport of `api`.
    pub(crate) fn for_api(config: Config, clock: Clock, api: Api) -> Result<Self, Error> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(Error::Connect)?;
        Ok(Client {
            http,
            config,
            api,
            clock,
            gate: Mutex::new(None),
            used_weight_1m: Mutex::new(None),
            in_flight: Mutex::default(),
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The IP's request weight used in the current minute, as of the last answer.
    pub fn used_weight_1m(&self) -> Option<u32> {
        *lock(&self.used_weight_1m)
    }

    /// Measures the server time offset (`GET /api/v3/time`, or `/fapi/v1/time` for futures;
    /// the server's time taken at the round trip's midpoint) and returns it in ms.
    pub async fn sync_time(&self) -> Result<i64, Error> {
        let sent = self.clock.local_ms();
        let time: ServerTimeDto = self.public(Method::GET, self.api.time_path(), &[]).await?;
        let offset = self
            .clock
            .record(sent, time.server_time, self.clock.local_ms());
        tracing::debug!(offset_ms = offset, "server time offset measured");
        Ok(offset)
    }

    /// An unsigned request.
    pub(crate) async fn public<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        params: &[(&str, String)],
    ) -> Result<T, Error> {
        let query = encode(params.iter().map(|(k, v)| (*k, v.as_str())));
        self.send(method, path, &query, false).await
    }

    /// A USER_STREAM request: the API key header, no signature.
    pub(crate) async fn keyed<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
    ) -> Result<T, Error> {
        self.send(method, path, "", true).await
    }

    /// A SIGNED request. A -1021 (timestamp outside `recvWindow`) was refused before it
    /// reached the matching engine, so it is sent once more after the offset is re-measured.
    pub(crate) async fn signed<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        params: &[(&str, String)],
    ) -> Result<T, Error> {
        if self.clock.offset_ms().is_none() {
            self.sync_time().await?;
        }
        match self.signed_once(method.clone(), path, params).await {
            Err(e) if e.code() == Some(CODE_INVALID_TIMESTAMP) => {
                tracing::warn!(error = %e, "timestamp refused; re-measuring the server time");
                self.sync_time().await?;
                self.signed_once(method, path, params).await
            }
            other => other,
        }
    }

    async fn signed_once<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        params: &[(&str, String)],
    ) -> Result<T, Error> {
        let recv_window = self.config.recv_window.as_millis().to_string();
        let timestamp = self.clock.server_now_ms().to_string();
        let query = encode(params.iter().map(|(k, v)| (*k, v.as_str())).chain([
            ("recvWindow", recv_window.as_str()),
            ("timestamp", &timestamp),
        ]));
        let signature = self.config.credentials.signer().sign(&query)?;
        // percent-encoded: a base64 signature (Ed25519, RSA) holds `+`, `/` and `=`
        let signature = encode([("signature", signature.as_str())]);
        let query = format!("{query}&{signature}");
        self.send(method, path, &query, true).await
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &str,
        with_key: bool,
    ) -> Result<T, Error> {
        self.check_gate()?;
        let mut url = self.api.base_url(&self.config).clone();
        url.set_path(path);
        url.set_query((!query.is_empty()).then_some(query));
        let mut request = self.http.request(method.clone(), url);
        if with_key {
            request = request.header(API_KEY_HEADER, &self.config.credentials.api_key);
        }
        let response = request.send().await.map_err(|e| self.transport(e))?;
        let status = response.status();
        tracing::debug!(%method, path, status = status.as_u16(), "Binance answered");
        self.note_weight(&response);
        if status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::IM_A_TEAPOT {
            return Err(self.close_gate(&response));
        }
        let body = response.bytes().await.map_err(|e| self.transport(e))?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|e| Error::Decode {
                status: status.as_u16(),
                reason: e.to_string(),
            });
        }
        let error = serde_json::from_slice::<ApiErrorDto>(&body).ok();
        Err(match (status.is_server_error(), error) {
            (true, error) => Error::Server {
                status: status.as_u16(),
                code: error.as_ref().map(|e| e.code),
                msg: error.map_or_else(|| String::from_utf8_lossy(&body).into_owned(), |e| e.msg),
            },
            (false, Some(error)) => Error::Api {
                status: status.as_u16(),
                code: error.code,
                msg: error.msg,
            },
            (false, None) => Error::Decode {
                status: status.as_u16(),
                reason: String::from_utf8_lossy(&body).into_owned(),
            },
        })
    }

    /// A transport failure: before the request left (nothing happened) or after (unknown).
    fn transport(&self, error: reqwest::Error) -> Error {
        if error.is_connect() {
            Error::Connect(error)
        } else if error.is_timeout() {
            Error::Timeout(self.config.timeout)
        } else {
            Error::Transport(error)
        }
    }

    /// Refuses to send while a 429/418's wait is running.
    fn check_gate(&self) -> Result<(), Error> {
        let mut gate = lock(&self.gate);
        match *gate {
            Some((until, status)) if until > Instant::now() => Err(Error::RateLimited {
                status,
                retry_after: until - Instant::now(),
            }),
            Some(_) => {
                *gate = None;
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Holds every request back for the answer's `Retry-After` (seconds).
    fn close_gate(&self, response: &Response) -> Error {
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map_or(DEFAULT_RETRY_AFTER, Duration::from_secs);
        let status = response.status().as_u16();
        let until = Instant::now() + retry_after;
        let mut gate = lock(&self.gate);
        if gate.is_none_or(|(current, _)| current < until) {
            *gate = Some((until, status));
        }
        tracing::warn!(
            status,
            ?retry_after,
            "Binance rate limit hit; holding requests back"
        );
        Error::RateLimited {
            status,
            retry_after,
        }
    }

    fn note_weight(&self, response: &Response) {
        let used = response
            .headers()
            .get(USED_WEIGHT_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        if used.is_some() {
            *lock(&self.used_weight_1m) = used;
        }
    }
}

/// `a=1&b=2`, percent-encoded as Binance signs it.
fn encode<'a>(params: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish()
}
