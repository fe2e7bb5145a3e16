//! Public futures market data: a perpetual's trading rules (`GET /fapi/v1/exchangeInfo`) and
//! its mark price (`GET /fapi/v1/premiumIndex`).

use reqwest::Method;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::FuturesClient;
use crate::error::Error;
use crate::filters::{ExchangeInfoDto, SymbolFilters};

/// A perpetual's mark price and funding, as `premiumIndex` reports them.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MarkPrice {
    pub symbol: String,
    pub mark_price: Decimal,
    pub index_price: Decimal,
    /// The last funding rate (a fraction per funding interval).
    #[serde(rename = "lastFundingRate")]
    pub funding_rate: Decimal,
    /// When funding is next exchanged, ms since the epoch.
    pub next_funding_time: u64,
    /// When the exchange computed these, ms since the epoch.
    pub time: u64,
}

impl FuturesClient {
    /// The trading rules of the perpetual `symbol` (PRICE_FILTER, LOT_SIZE, MIN_NOTIONAL).
    /// Binance's futures `exchangeInfo` lists every symbol; the one asked for is picked.
    pub async fn rules(&self, symbol: &str) -> Result<SymbolFilters, Error> {
        let info: ExchangeInfoDto = self
            .rest
            .public(Method::GET, "/fapi/v1/exchangeInfo", &[])
            .await?;
        info.into_domain(symbol).ok_or_else(|| Error::Decode {
            status: 200,
            reason: format!("futures exchangeInfo does not list {symbol}"),
        })
    }

    /// The mark price of `symbol`.
    pub async fn mark_price(&self, symbol: &str) -> Result<MarkPrice, Error> {
        self.rest
            .public(
                Method::GET,
                "/fapi/v1/premiumIndex",
                &[("symbol", symbol.to_string())],
            )
            .await
    }
}
