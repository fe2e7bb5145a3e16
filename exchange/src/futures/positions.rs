//! Positions (`GET /fapi/v2/positionRisk`) and the account's margins (`GET /fapi/v2/account`).

use reqwest::Method;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::FuturesClient;
use crate::error::Error;

/// A position in one perpetual (one-way mode).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Position {
    pub symbol: String,
    /// Positive long, negative short, zero flat.
    pub position_amt: Decimal,
    /// Volume-weighted price of the open amount; zero when flat.
    pub entry_price: Decimal,
    pub mark_price: Decimal,
    #[serde(rename = "unRealizedProfit")]
    pub unrealized_profit: Decimal,
    /// Zero when no price liquidates it.
    pub liquidation_price: Decimal,
    /// Binance sends it as a string, e.g. "20".
    pub leverage: Decimal,
    /// Signed value at the mark price.
    pub notional: Decimal,
    pub update_time: u64,
}

/// The futures account's totals (USDT).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FuturesAccount {
    pub total_wallet_balance: Decimal,
    pub total_unrealized_profit: Decimal,
    pub total_margin_balance: Decimal,
    pub total_initial_margin: Decimal,
    pub total_maint_margin: Decimal,
    pub available_balance: Decimal,
    pub max_withdraw_amount: Decimal,
}

impl FuturesClient {
    /// The position in `symbol` (flat positions included).
    pub async fn position(&self, symbol: &str) -> Result<Position, Error> {
        let positions: Vec<Position> = self
            .rest
            .signed(
                Method::GET,
                "/fapi/v2/positionRisk",
                &[("symbol", symbol.to_string())],
            )
            .await?;
        positions
            .into_iter()
            .find(|p| p.symbol == symbol)
            .ok_or_else(|| Error::Decode {
                status: 200,
                reason: format!("positionRisk has no {symbol}"),
            })
    }

    /// The open (non-zero) positions.
    pub async fn positions(&self) -> Result<Vec<Position>, Error> {
        let positions: Vec<Position> = self
            .rest
            .signed(Method::GET, "/fapi/v2/positionRisk", &[])
            .await?;
        Ok(positions
            .into_iter()
            .filter(|p| !p.position_amt.is_zero())
            .collect())
    }

    /// The account's wallet and margins.
    pub async fn account(&self) -> Result<FuturesAccount, Error> {
        self.rest.signed(Method::GET, "/fapi/v2/account", &[]).await
    }
}
