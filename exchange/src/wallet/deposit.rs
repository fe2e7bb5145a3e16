//! The account's deposit address and deposits (`GET /sapi/v1/capital/deposit/address`,
//! `GET /sapi/v1/capital/deposit/hisrec`).

use reqwest::Method;
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::error::Error;
use crate::rest::Client;

/// Where to send `coin` to credit the account.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct DepositAddress {
    pub address: String,
    pub coin: String,
    /// The memo some networks need; empty on EVM chains.
    pub tag: String,
    pub url: String,
}

/// Binance's deposit statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DepositStatus {
    Pending,
    Success,
    Rejected,
    /// Credited, but not yet withdrawable.
    CreditedCannotWithdraw,
    WrongDeposit,
    WaitingUserConfirm,
    Other(u8),
}

impl From<u8> for DepositStatus {
    fn from(code: u8) -> Self {
        match code {
            0 => DepositStatus::Pending,
            1 => DepositStatus::Success,
            2 => DepositStatus::Rejected,
            6 => DepositStatus::CreditedCannotWithdraw,
            7 => DepositStatus::WrongDeposit,
            8 => DepositStatus::WaitingUserConfirm,
            other => DepositStatus::Other(other),
        }
    }
}

impl DepositStatus {
    /// Whether the amount is in the spot balance.
    pub fn is_credited(self) -> bool {
        matches!(
            self,
            DepositStatus::Success | DepositStatus::CreditedCannotWithdraw
        )
    }
}

/// One deposit.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deposit {
    pub id: String,
    pub amount: Decimal,
    pub coin: String,
    pub network: String,
    #[serde(deserialize_with = "status")]
    pub status: DepositStatus,
    pub address: String,
    pub tx_id: String,
    /// ms since the epoch.
    pub insert_time: u64,
    /// "seen/required", e.g. "1/12".
    pub confirm_times: String,
}

fn status<'de, D: serde::Deserializer<'de>>(d: D) -> Result<DepositStatus, D::Error> {
    u8::deserialize(d).map(DepositStatus::from)
}

impl Client {
    /// The account's deposit address of `coin` on `network` (Binance's default network when
    /// `None`).
    pub async fn deposit_address(
        &self,
        coin: &str,
        network: Option<&str>,
    ) -> Result<DepositAddress, Error> {
        let mut params = vec![("coin", coin.to_string())];
        params.extend(network.map(|n| ("network", n.to_string())));
        self.signed(Method::GET, "/sapi/v1/capital/deposit/address", &params)
            .await
    }

    /// The account's deposits, newest first, of `coin` and with `tx_id` when given.
    pub async fn deposits(
        &self,
        coin: Option<&str>,
        tx_id: Option<&str>,
    ) -> Result<Vec<Deposit>, Error> {
        let mut params = Vec::new();
        params.extend(coin.map(|c| ("coin", c.to_string())));
        params.extend(tx_id.map(|t| ("txId", t.to_string())));
        self.signed(Method::GET, "/sapi/v1/capital/deposit/hisrec", &params)
            .await
    }
}
