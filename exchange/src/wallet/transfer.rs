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

    /// The newest `tranId` of the account's transfers of either kind (0 when there are none):
    /// the mark a move records before [`Client::transfer_once`], since `tranId`s only grow.
    pub async fn transfer_mark(&self) -> Result<u64, Error> {
        let mut mark = 0;
        for kind in [TransferType::MainToUmFuture, TransferType::UmFutureToMain] {
            let newest = self.transfers(kind).await?.iter().map(|t| t.tran_id).max();
            mark = mark.max(newest.unwrap_or(0));
        }
        Ok(mark)
    }

    /// Moves `amount` of `asset` unless a transfer of that kind, asset and amount came after
    /// `mark` (taken by [`Client::transfer_mark`] before the move's first attempt): that one is
    /// the move's, made before a crash. Returns the move's `tranId`. Two moves of one amount
    /// each take their own mark, so the second is never mistaken for a retry of the first.
    pub async fn transfer_once(
        &self,
        kind: TransferType,
        asset: &str,
        amount: Decimal,
        mark: u64,
    ) -> Result<u64, Error> {
        let made = self.transfers(kind).await?.into_iter().find(|transfer| {
            transfer.tran_id > mark && transfer.asset == asset && transfer.amount == amount
        });
        if let Some(made) = made {
            tracing::info!(tran_id = made.tran_id, "transfer already made");
            return Ok(made.tran_id);
        }
        self.universal_transfer(kind, asset, amount).await
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
