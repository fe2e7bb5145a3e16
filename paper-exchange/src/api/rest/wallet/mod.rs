//! Binance's wallet API (`/sapi/...`), SIGNED like the rest: universal transfers between the
//! spot and USDⓈ-M futures wallets, and the on-chain wallet's withdrawals and deposits.
//!
//! - [`transfer`]: `POST` and `GET /sapi/v1/asset/transfer` (always available).
//! - [`withdraw`]: `POST /sapi/v1/capital/withdraw/apply`, `GET .../withdraw/history`.
//! - [`deposit`]: `GET /sapi/v1/capital/deposit/address`, `GET .../deposit/hisrec`.
//!
//! The `capital` endpoints answer -1020 when the exchange runs without `[wallet]`.

pub mod deposit;
pub mod transfer;
pub mod withdraw;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

use crate::api::Shared;
use crate::api::error::ApiError;
use crate::api::params::Params;
use crate::engine::wallet::{WalletReject, WalletService};

/// Records a history answers at most, and by default (Binance's `limit`).
const MAX_LIMIT: u64 = 1000;

/// The `/sapi` routes.
pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/sapi/v1/asset/transfer",
            post(transfer::transfer).get(transfer::history),
        )
        .route("/sapi/v1/capital/withdraw/apply", post(withdraw::apply))
        .route("/sapi/v1/capital/withdraw/history", get(withdraw::history))
        .route("/sapi/v1/capital/deposit/address", get(deposit::address))
        .route("/sapi/v1/capital/deposit/hisrec", get(deposit::history))
}

/// The configured wallet, or -1020.
fn service(shared: &Shared) -> Result<&WalletService, ApiError> {
    shared
        .wallet
        .as_ref()
        .ok_or_else(|| WalletReject::NotConfigured.into())
}

/// A history's common filters: `startTime`, `endTime` (ms, inclusive), `offset`, `limit`.
struct Window {
    start: u64,
    end: u64,
    offset: usize,
    limit: usize,
}

impl Window {
    fn parse(params: &Params) -> Result<Self, ApiError> {
        let limit = params.integer("limit")?.unwrap_or(MAX_LIMIT);
        if limit > MAX_LIMIT {
            return Err(ApiError::too_large("limit", MAX_LIMIT));
        }
        Ok(Window {
            start: params.integer("startTime")?.unwrap_or(0),
            end: params.integer("endTime")?.unwrap_or(u64::MAX),
            offset: usize::try_from(params.integer("offset")?.unwrap_or(0)).unwrap_or(usize::MAX),
            limit: usize::try_from(limit).unwrap_or(usize::MAX),
        })
    }

    fn contains(&self, time: u64) -> bool {
        (self.start..=self.end).contains(&time)
    }

    /// The page of `records` (already filtered, newest first) this window asks for.
    fn page<T>(&self, records: impl Iterator<Item = T>) -> Vec<T> {
        records.skip(self.offset).take(self.limit).collect()
    }
}

/// Binance's `"2019-10-12 11:12:02"` (UTC) for a time in ms.
fn date_time(ms: u64) -> String {
    i64::try_from(ms)
        .ok()
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_binance_date_times() {
        assert_eq!(date_time(1_570_878_722_000), "2019-10-12 11:12:02");
    }

    #[test]
    fn windows_check_limit_and_page() {
        let params = Params::parse(Some("offset=1&limit=2&startTime=5"), b"").unwrap();
        let window = Window::parse(&params).unwrap();
        assert_eq!(window.page([1, 2, 3, 4].into_iter()), [2, 3]);
        assert!(!window.contains(4) && window.contains(5));
        let params = Params::parse(Some("limit=1001"), b"").unwrap();
        assert_eq!(Window::parse(&params).err().map(|e| e.code), Some(-1102));
    }
}
