//! The broker account's collateral for the intent hedger's balance manager (task queue
//! `exchange`): what the futures wallet holds, and moving collateral between it and the chain
//! through the exchange's wallet API (futures ↔ spot transfers, withdrawals, deposits).
//!
//! Binance gives transfers no client id, so a transfer is recognised by its type, asset and
//! amount after the move's transfer mark (the newest `tranId` when the move began, recorded in
//! its workflow's history); withdrawals carry the move's id as `withdrawOrderId`.

use crate::{
    failure::{Retryable, to_activity_error},
    heartbeat,
};
use alloy::primitives::{Address, B256};
use hedgeflow_exchange::{
    Client, ClientOrderId, FuturesClient, TransferType, WithdrawRequest, WithdrawStatus,
};
use hedgeflow_proto::{
    activities::definitions,
    balance::{BrokerAsset, BrokerDeposit, BrokerFunds, BrokerWithdrawal},
};
use std::{sync::Arc, time::Duration};
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};
use tracing::{Instrument, info_span};

#[derive(Debug, thiserror::Error)]
pub enum BrokerWalletError {
    #[error(transparent)]
    Exchange(#[from] hedgeflow_exchange::Error),
    /// The exchange ended the withdrawal without paying, or answered something unusable.
    #[error("{0}")]
    Refused(String),
}

impl Retryable for BrokerWalletError {
    fn is_retryable(&self) -> bool {
        match self {
            Self::Exchange(e) => e.is_retryable(),
            Self::Refused(_) => false,
        }
    }
}

/// The exchange role's spot client (the wallet API) and futures client (the margin wallet).
pub struct BrokerWallet {
    spot: Arc<Client>,
    futures: Arc<FuturesClient>,
    poll_interval: Duration,
}

impl BrokerWallet {
    pub fn new(spot: Arc<Client>, futures: Arc<FuturesClient>, poll_interval: Duration) -> Self {
        Self {
            spot,
            futures,
            poll_interval,
        }
    }

    async fn withdraw(&self, withdrawal: &BrokerWithdrawal) -> Result<B256, BrokerWalletError> {
        let id = ClientOrderId::new(withdrawal.id.clone())?;
        if self.spot.withdrawals_by_order_id(&id).await?.is_empty() {
            self.spot
                .transfer_once(
                    TransferType::UmFutureToMain,
                    &withdrawal.asset,
                    withdrawal.amount,
                    withdrawal.transfer_mark,
                )
                .await?;
            let request = WithdrawRequest {
                coin: withdrawal.asset.clone(),
                network: withdrawal.network.clone(),
                address: withdrawal.address.to_string(),
                amount: withdrawal.amount,
                withdraw_order_id: id.clone(),
            };
            self.spot.withdraw_once(&request).await?;
        }
        loop {
            let found = self.spot.withdrawals_by_order_id(&id).await?;
            let Some(current) = found.first() else {
                return Err(BrokerWalletError::Refused(format!(
                    "withdrawal {id} is missing from the history"
                )));
            };
            match current.status {
                WithdrawStatus::Completed => {
                    let tx = current.tx_id.as_deref().unwrap_or_default();
                    return tx.parse().map_err(|_| {
                        BrokerWalletError::Refused(format!("withdrawal {id} has no tx: {tx:?}"))
                    });
                }
                status if status.is_final() => {
                    return Err(BrokerWalletError::Refused(format!(
                        "withdrawal {id} ended {status:?}"
                    )));
                }
                _ => tokio::time::sleep(self.poll_interval).await,
            }
        }
    }

    async fn credit(&self, deposit: &BrokerDeposit) -> Result<(), BrokerWalletError> {
        let tx = deposit.tx_hash.to_string();
        loop {
            let deposits = self.spot.deposits(Some(&deposit.asset), Some(&tx)).await?;
            let ours = deposits.iter().find(|d| d.tx_id.eq_ignore_ascii_case(&tx));
            match ours {
                Some(found) if found.status.is_credited() => {
                    if found.amount != deposit.amount {
                        return Err(BrokerWalletError::Refused(format!(
                            "deposit {tx} was credited {} instead of {}",
                            found.amount, deposit.amount
                        )));
                    }
                    break;
                }
                _ => tokio::time::sleep(self.poll_interval).await,
            }
        }
        self.spot
            .transfer_once(
                TransferType::MainToUmFuture,
                &deposit.asset,
                deposit.amount,
                deposit.transfer_mark,
            )
            .await?;
        Ok(())
    }
}

#[activities]
impl BrokerWallet {
    /// See [`definitions::ReadBrokerFunds`]: read-only.
    #[activity(definition = definitions::ReadBrokerFunds)]
    pub async fn read_broker_funds(
        self: Arc<Self>,
        _ctx: ActivityContext,
        asset: String,
    ) -> Result<BrokerFunds, ActivityError> {
        let account = self
            .futures
            .account()
            .instrument(info_span!("read_broker_funds", %asset))
            .await
            .map_err(BrokerWalletError::from)
            .map_err(to_activity_error)?;
        Ok(BrokerFunds {
            asset,
            available: account.max_withdraw_amount,
            wallet: account.total_wallet_balance,
            maintenance_margin: account.total_maint_margin,
        })
    }

    /// See [`definitions::BrokerTransferMark`]: read-only.
    #[activity(definition = definitions::BrokerTransferMark)]
    pub async fn broker_transfer_mark(
        self: Arc<Self>,
        _ctx: ActivityContext,
    ) -> Result<u64, ActivityError> {
        self.spot
            .transfer_mark()
            .instrument(info_span!("broker_transfer_mark"))
            .await
            .map_err(BrokerWalletError::from)
            .map_err(to_activity_error)
    }

    /// See [`definitions::WithdrawFromBroker`]: idempotent by the move's id.
    #[activity(definition = definitions::WithdrawFromBroker)]
    pub async fn withdraw_from_broker(
        self: Arc<Self>,
        ctx: ActivityContext,
        withdrawal: BrokerWithdrawal,
    ) -> Result<B256, ActivityError> {
        let span = info_span!("withdraw_from_broker", move_id = %withdrawal.id, amount = %withdrawal.amount);
        let withdrawing = self.withdraw(&withdrawal).instrument(span);
        heartbeat::while_running(&ctx, || serde_json::Value::Null, withdrawing)
            .await
            .map_err(to_activity_error)
    }

    /// See [`definitions::BrokerDepositAddress`]: read-only.
    #[activity(definition = definitions::BrokerDepositAddress)]
    pub async fn broker_deposit_address(
        self: Arc<Self>,
        _ctx: ActivityContext,
        asset: BrokerAsset,
    ) -> Result<Address, ActivityError> {
        let answer = self
            .spot
            .deposit_address(&asset.asset, Some(&asset.network))
            .instrument(info_span!("broker_deposit_address", asset = %asset.asset))
            .await
            .map_err(BrokerWalletError::from)
            .map_err(to_activity_error)?;
        answer
            .address
            .parse()
            .map_err(|_| {
                BrokerWalletError::Refused(format!(
                    "deposit address {:?} is not an address",
                    answer.address
                ))
            })
            .map_err(to_activity_error)
    }

    /// See [`definitions::CreditBrokerDeposit`]: waits for the credit; transfers once.
    #[activity(definition = definitions::CreditBrokerDeposit)]
    pub async fn credit_broker_deposit(
        self: Arc<Self>,
        ctx: ActivityContext,
        deposit: BrokerDeposit,
    ) -> Result<(), ActivityError> {
        let span =
            info_span!("credit_broker_deposit", move_id = %deposit.id, tx = %deposit.tx_hash);
        let crediting = self.credit(&deposit).instrument(span);
        heartbeat::while_running(&ctx, || serde_json::Value::Null, crediting)
            .await
            .map_err(to_activity_error)
    }
}
