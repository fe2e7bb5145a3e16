//! SIGNED endpoint security as Binance documents it: the `X-MBX-APIKEY` header names the
//! account, `signature` signs the query string (without `signature`) followed by the body, and
//! `timestamp` must fall within `recvWindow` (default 5000 ms, at most 60000) and not be more
//! than a second ahead. The WebSocket API checks the same signatures over its own payload
//! (`ws_api`) through [`Keys::verify`].
//!
//! The signature depends on the account's key kind ([`Verifier`], in `keys`): the hex
//! HMAC-SHA256 under the secret (case-insensitive) for an HMAC key; the base64 Ed25519
//! signature, or the base64 RSASSA-PKCS1-v1_5 SHA-256 signature, checked with the configured
//! public key for an Ed25519 or RSA key (base64 is case-sensitive; in a query string or form
//! body it arrives percent-encoded and is read decoded). Any signature that does not verify is
//! -1022.

use std::collections::HashMap;

use axum::http::HeaderMap;
use rust_decimal::Decimal;

use crate::api::error::ApiError;
use crate::api::params::Params;
use crate::api_keys::Verifier;
use crate::config::{AccountConfig, ConfigError};
use crate::engine::accounts::AccountId;

const API_KEY_HEADER: &str = "X-MBX-APIKEY";
const DEFAULT_RECV_WINDOW_MS: u64 = 5_000;
const MAX_RECV_WINDOW_MS: u64 = 60_000;
/// How far ahead of the server's clock a timestamp may be.
const MAX_AHEAD_US: u64 = 1_000_000;
/// Timestamps at or above this are microseconds (Binance accepts both units).
const MICROSECONDS_FROM: u64 = 100_000_000_000_000;

/// API keys and how each one's signatures are checked. Deliberately not `Debug`: HMAC secrets
/// must not reach a log.
pub struct Keys {
    by_api_key: HashMap<String, (AccountId, Verifier)>,
}

impl Keys {
    /// The keys of `accounts` (refused as [`crate::Config::validate`] refuses them).
    pub fn new(accounts: &[AccountConfig]) -> Result<Self, ConfigError> {
        let by_api_key = accounts
            .iter()
            .enumerate()
            .map(|(i, a)| Ok((a.api_key.clone(), (AccountId(i), a.verifier()?))))
            .collect::<Result<_, ConfigError>>()?;
        Ok(Keys { by_api_key })
    }
}

/// An authenticated request: whose it is and its parameters.
#[derive(Debug)]
pub struct Signed {
    pub account: AccountId,
    pub params: Params,
}

/// The account of a USER_STREAM request, which carries the API key alone (no signature).
pub fn api_key_account(keys: &Keys, headers: &HeaderMap) -> Result<AccountId, ApiError> {
    let api_key = headers
        .get(API_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .ok_or_else(ApiError::bad_api_key_format)?;
    keys.by_api_key
        .get(api_key)
        .map(|(account, _)| *account)
        .ok_or_else(ApiError::rejected_api_key)
}

/// Checks a SIGNED request (API key, signature, timing) received at `now_ms`.
pub fn authenticate(
    keys: &Keys,
    headers: &HeaderMap,
    query: Option<&str>,
    body: &[u8],
    now_ms: u64,
) -> Result<Signed, ApiError> {
    let api_key = headers
        .get(API_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .ok_or_else(ApiError::bad_api_key_format)?;
    let params = Params::parse(query, body)?;
    let timestamp = params
        .integer("timestamp")?
        .ok_or_else(|| ApiError::mandatory("timestamp"))?;
    let signature = params.required("signature")?;
    let recv_window = recv_window(params.decimal("recvWindow")?)?;
    let payload = [query.unwrap_or_default().as_bytes(), body]
        .map(without_signature)
        .concat();
    let account = keys.verify(api_key, &payload, signature)?;
    check_time(timestamp, recv_window, now_ms)?;
    Ok(Signed { account, params })
}

impl Keys {
    /// The account of `api_key`, if `signature` signs `payload` with its key (-2015 for an
    /// unknown key, -1022 for a signature that does not verify).
    pub fn verify(
        &self,
        api_key: &str,
        payload: &[u8],
        signature: &str,
    ) -> Result<AccountId, ApiError> {
        let (account, verifier) = self
            .by_api_key
            .get(api_key)
            .ok_or_else(ApiError::rejected_api_key)?;
        if !verifier.verify(payload, signature) {
            return Err(ApiError::invalid_signature());
        }
        Ok(*account)
    }
}

/// A request's `recvWindow` in ms: 5000 when absent, at most 60000. Checked before the
/// signature, as Binance does.
pub fn recv_window(sent: Option<Decimal>) -> Result<Decimal, ApiError> {
    let recv_window = sent.unwrap_or(Decimal::from(DEFAULT_RECV_WINDOW_MS));
    if recv_window > Decimal::from(MAX_RECV_WINDOW_MS) {
        return Err(ApiError::too_large("recvWindow", MAX_RECV_WINDOW_MS));
    }
    Ok(recv_window)
}

/// Checks a signed request's `timestamp` (ms or µs) against its `recvWindow` and the time it
/// was received.
pub fn check_time(timestamp: u64, recv_window: Decimal, now_ms: u64) -> Result<(), ApiError> {
    let timestamp_us = if timestamp >= MICROSECONDS_FROM {
        timestamp
    } else {
        timestamp.saturating_mul(1000)
    };
    let now_us = now_ms * 1000;
    if timestamp_us >= now_us + MAX_AHEAD_US {
        return Err(ApiError::timestamp_ahead());
    }
    // recvWindow may carry microseconds as three decimals
    let window_us = (recv_window * Decimal::from(1000)).trunc();
    if Decimal::from(now_us.saturating_sub(timestamp_us)) > window_us {
        return Err(ApiError::outside_recv_window());
    }
    Ok(())
}

/// The raw `a=1&b=2` text without its `signature=` pair, as the client signed it.
fn without_signature(raw: &[u8]) -> Vec<u8> {
    raw.split(|b| *b == b'&')
        .filter(|pair| !pair.starts_with(b"signature="))
        .collect::<Vec<_>>()
        .join(&b'&')
}

#[cfg(test)]
mod tests {
    use super::*;

    // Binance's documented example key pair and request (rest-api.md, "HMAC Keys").
    const SECRET: &str = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
    const PAYLOAD: &str = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
    const SIGNATURE: &str = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71";
    const NOW_MS: u64 = 1499827319559 + 100;

    fn keys() -> Keys {
        Keys::new(&[AccountConfig {
            api_key: "key".into(),
            secret_key: SECRET.into(),
            public_key: None,
            balances: Default::default(),
            futures_usdt: Decimal::ZERO,
        }])
        .unwrap()
    }

    fn headers(api_key: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(API_KEY_HEADER, api_key.parse().unwrap());
        headers
    }

    #[test]
    fn binance_documented_signature_verifies_in_query_or_body() {
        let query = format!("{PAYLOAD}&signature={SIGNATURE}");
        let signed = authenticate(&keys(), &headers("key"), Some(&query), b"", NOW_MS).unwrap();
        assert_eq!(signed.account, AccountId(0));
        assert_eq!(signed.params.get("symbol"), Some("LTCBTC"));
        // HMAC signatures are case-insensitive
        let upper = format!("{PAYLOAD}&signature={}", SIGNATURE.to_uppercase());
        authenticate(&keys(), &headers("key"), None, upper.as_bytes(), NOW_MS).unwrap();
        // split between query and body: query then body, no separator
        let (q, b) = PAYLOAD.split_at(40);
        let body = format!("{b}&signature={SIGNATURE}");
        authenticate(&keys(), &headers("key"), Some(q), body.as_bytes(), NOW_MS).unwrap();
    }

    #[test]
    fn failures_map_to_binance_codes() {
        let code = |headers: &HeaderMap, query: &str, now| {
            authenticate(&keys(), headers, Some(query), b"", now)
                .unwrap_err()
                .code
        };
        let good = format!("{PAYLOAD}&signature={SIGNATURE}");
        assert_eq!(code(&HeaderMap::new(), &good, NOW_MS), -2014);
        assert_eq!(code(&headers("other"), &good, NOW_MS), -2015);
        let tampered = good.replace("quantity=1", "quantity=2");
        assert_eq!(code(&headers("key"), &tampered, NOW_MS), -1022);
        assert_eq!(code(&headers("key"), &good, NOW_MS + 5_001), -1021);
        assert_eq!(code(&headers("key"), &good, NOW_MS - 1_200), -1021);
        assert_eq!(
            code(&headers("key"), "symbol=LTCBTC&signature=00", NOW_MS),
            -1102
        );
        assert_eq!(
            code(
                &headers("key"),
                "timestamp=1&recvWindow=60001&signature=00",
                NOW_MS
            ),
            -1102
        );
    }
}
