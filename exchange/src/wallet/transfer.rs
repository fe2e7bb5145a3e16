//! Universal transfers between the spot and USDⓈ-M futures wallets
//! (`POST`/`GET /sapi/v1/asset/transfer`).

use reqwest::Method;
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::error::Error;
use crate::rest::Client;

/// Rows asked for per page of the history (Binance's largest `size`).
const PAGE_SIZE: u32 = 100;

/// Which way a transfer goes (Binance's `type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum TransferType {
    /// Spot to USDⓈ-M futures.
    #[serde(rename = "MAIN_UMFUTURE")]
    MainToUmFuture,
    /// USDⓈ-M futures to spot.
    #[serde(rename = "UMFUTURE_MAIN")]
    UmFutureToMain,
}

impl TransferType {
    pub fn as_str(self) -> &'static str {
        match self {
            TransferType::MainToUmFuture => "MAIN_UMFUTURE",
            TransferType::UmFutureToMain => "UMFUTURE_MAIN",
        }
    }
}

/// One transfer of the history.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transfer {
    pub asset: String,
    pub amount: Decimal,
    #[serde(rename = "type")]
    pub kind: TransferType,
    /// "CONFIRMED", "PENDING" or "FAILED".
    pub status: String,
    pub tran_id: u64,
    /// ms since the epoch.
    pub timestamp: u64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TranIdDto {
    tran_id: u64,
}

#[derive(Deserialize)]
struct HistoryDto {
    total: u64,
    /// Binance leaves it out when there are none.
    #[serde(default)]
    rows: Vec<Transfer>,
}

impl Client {
    /// Moves `amount` of `asset` between the spot and USDⓈ-M futures wallets and returns
    /// the transfer's `tranId`. Not idempotent: Binance has no client id for transfers, so
    /// after an unknown outcome compare [`Client::transfers`] before sending again.
    #[tracing::instrument(skip(self))]
    pub async fn universal_transfer(
        &self,
        kind: TransferType,
        asset: &str,
        amount: Decimal,
    ) -> Result<u64, Error> {
        let params = [
            ("type", kind.as_str().to_string()),
            ("asset", asset.to_string()),
            ("amount", amount.normalize().to_string()),
        ];
        let answer: TranIdDto = self
            .signed(Method::POST, "/sapi/v1/asset/transfer", &params)
            .await?;
        tracing::info!(tran_id = answer.tran_id, "transfer confirmed");
        Ok(answer.tran_id)
    }

    /// The account's transfers of `kind`, newest first (every page).
    pub async fn transfers(&self, kind: TransferType) -> Result<Vec<Transfer>, Error> {
        let mut transfers = Vec::new();
        for current in 1.. {
            let page: HistoryDto = self
                .signed(
                    Method::GET,
                    "/sapi/v1/asset/transfer",
                    &[
                        ("type", kind.as_str().to_string()),
                        ("current", current.to_string()),
                        ("size", PAGE_SIZE.to_string()),
                    ],
                )
                .await?;
            let last = page.rows.len() < PAGE_SIZE as usize;
            transfers.extend(page.rows);
            if last || transfers.len() as u64 >= page.total {
                break;
            }
        }
        Ok(transfers)
    }
}
