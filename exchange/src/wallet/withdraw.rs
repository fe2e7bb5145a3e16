//! Withdrawals (`POST /sapi/v1/capital/withdraw/apply`, `GET .../withdraw/history`), and
//! [`Client::withdraw_once`], which never applies two withdrawals for one `withdrawOrderId`.

use reqwest::Method;
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::error::Error;
use crate::orders::ClientOrderId;
use crate::place_once::{Placed, Placement, place_once};
use crate::rest::Client;

/// A withdrawal to apply. `withdraw_order_id` is the caller's key (derived from its business
/// key, like a client order id) that makes [`Client::withdraw_once`] idempotent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WithdrawRequest {
    pub coin: String,
    pub network: String,
    pub address: String,
    pub amount: Decimal,
    pub withdraw_order_id: ClientOrderId,
}

impl WithdrawRequest {
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("coin", self.coin.clone()),
            ("network", self.network.clone()),
            ("address", self.address.clone()),
            ("amount", self.amount.normalize().to_string()),
            ("withdrawOrderId", self.withdraw_order_id.to_string()),
        ]
    }
}

/// Binance's withdrawal statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WithdrawStatus {
    EmailSent,
    Cancelled,
    AwaitingApproval,
    Rejected,
    Processing,
    Failure,
    Completed,
    Other(u8),
}

impl From<u8> for WithdrawStatus {
    fn from(code: u8) -> Self {
        match code {
            0 => WithdrawStatus::EmailSent,
            1 => WithdrawStatus::Cancelled,
            2 => WithdrawStatus::AwaitingApproval,
            3 => WithdrawStatus::Rejected,
            4 => WithdrawStatus::Processing,
            5 => WithdrawStatus::Failure,
            6 => WithdrawStatus::Completed,
            other => WithdrawStatus::Other(other),
        }
    }
}

impl WithdrawStatus {
    /// Whether the withdrawal will not change any more.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            WithdrawStatus::Cancelled
                | WithdrawStatus::Rejected
                | WithdrawStatus::Failure
                | WithdrawStatus::Completed
        )
    }
}

/// One withdrawal of the history.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Withdrawal {
    pub id: String,
    pub amount: Decimal,
    pub transaction_fee: Decimal,
    pub coin: String,
    #[serde(deserialize_with = "status")]
    pub status: WithdrawStatus,
    pub address: String,
    /// The transaction, once broadcast (Binance sends it empty before).
    #[serde(default, deserialize_with = "non_empty")]
    pub tx_id: Option<String>,
    /// "2019-10-12 11:12:02" (UTC).
    pub apply_time: String,
    pub network: String,
    #[serde(default)]
    pub withdraw_order_id: Option<String>,
}

fn status<'de, D: serde::Deserializer<'de>>(d: D) -> Result<WithdrawStatus, D::Error> {
    u8::deserialize(d).map(WithdrawStatus::from)
}

fn non_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.filter(|s| !s.is_empty()))
}

impl Placed for Withdrawal {
    fn order_id(&self) -> String {
        self.id.clone()
    }
}

#[derive(Deserialize)]
struct AppliedDto {
    id: String,
}

impl Client {
    /// Applies `request` once and returns Binance's withdrawal id. Not idempotent by itself:
    /// use [`Client::withdraw_once`].
    #[tracing::instrument(skip_all, fields(withdraw_order_id = %request.withdraw_order_id, coin = %request.coin))]
    pub async fn withdraw(&self, request: &WithdrawRequest) -> Result<String, Error> {
        let applied: AppliedDto = self
            .signed(
                Method::POST,
                "/sapi/v1/capital/withdraw/apply",
                &request.params(),
            )
            .await?;
        tracing::info!(id = %applied.id, "withdrawal applied");
        Ok(applied.id)
    }

    /// The withdrawals with `withdraw_order_id`, newest first (one, unless the venue allowed
    /// the id twice).
    pub async fn withdrawals_by_order_id(
        &self,
        withdraw_order_id: &ClientOrderId,
    ) -> Result<Vec<Withdrawal>, Error> {
        self.signed(
            Method::GET,
            "/sapi/v1/capital/withdraw/history",
            &[("withdrawOrderId", withdraw_order_id.to_string())],
        )
        .await
    }

    async fn withdrawal_by_order_id(
        &self,
        withdraw_order_id: &ClientOrderId,
    ) -> Result<Option<Withdrawal>, Error> {
        Ok(self
            .withdrawals_by_order_id(withdraw_order_id)
            .await?
            .into_iter()
            .next())
    }

    /// Applies `request` at most once per `withdraw_order_id`, with
    /// [`Client::place_once`]'s contract: it first looks the id up in the withdrawal history
    /// and returns the withdrawal found ([`Placement::Found`]); otherwise it applies and
    /// returns the new withdrawal as the history shows it ([`Placement::Placed`]). An
    /// unknown outcome, or the venue's refusal of a used id (the paper exchange's -4001), is
    /// resolved by looking the id up again until the history answers; absent, it fails with
    /// [`Error::NotPlaced`] and applying again is safe.
    ///
    /// Limits: Binance's history can lag the apply by a moment, so "absent" right after an
    /// unknown outcome is Binance's word, not a proof (as for orders).
    #[tracing::instrument(skip_all, fields(withdraw_order_id = %request.withdraw_order_id))]
    pub async fn withdraw_once(
        &self,
        request: &WithdrawRequest,
    ) -> Result<Placement<Withdrawal>, Error> {
        let id = &request.withdraw_order_id;
        place_once(
            self,
            id,
            || self.withdrawal_by_order_id(id),
            || async {
                let applied = self.withdraw(request).await?;
                // the history is the one shape of a withdrawal; the apply answers only its id
                self.withdrawal_by_order_id(id)
                    .await?
                    .ok_or_else(|| Error::Decode {
                        status: 200,
                        reason: format!("withdrawal {applied} is missing from the history"),
                    })
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_records_decode_with_binance_statuses() {
        let record = r#"{"id":"7","amount":"12.50000000","transactionFee":"0","coin":"USDT",
            "status":4,"address":"0xabc","txId":"","applyTime":"2019-10-12 11:12:02",
            "network":"ETH","transferType":0,"withdrawOrderId":"w-1","info":""}"#;
        let withdrawal: Withdrawal = serde_json::from_str(record).unwrap();
        assert_eq!(withdrawal.status, WithdrawStatus::Processing);
        assert!(!withdrawal.status.is_final());
        assert_eq!(withdrawal.tx_id, None);
        assert_eq!(withdrawal.amount, Decimal::new(125, 1));
        assert_eq!(withdrawal.withdraw_order_id.as_deref(), Some("w-1"));
        assert!(WithdrawStatus::from(6).is_final());
        assert_eq!(WithdrawStatus::from(9), WithdrawStatus::Other(9));
    }
}
