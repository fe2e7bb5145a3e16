//! The account's wallet beyond trading: transfers between the spot and the USDⓈ-M futures
//! wallet, and the on-chain wallet (ERC-20 withdrawals sent from the exchange's own key,
//! deposits to per-account addresses found by following the tokens' `Transfer` logs).
//!
//! The money moves in the engine, under its one lock ([`WalletBook`] sits in
//! [`crate::engine::exchange::Exchange`]), so a withdrawal's debit or a deposit's credit is atomic
//! with every order; only the chain I/O ([`chain`]) runs outside it.
//!
//! Limits: state lives in memory, so a restart forgets the history, the withdrawals still in
//! flight and the deposits already credited (scanning resumes at `start-block` or the head).
//! Reorgs are not followed: a deposit is credited once its block has `confirmations`, and
//! stays credited. Withdrawals carry no fee. Deposited tokens stay at the deposit addresses
//! (never swept); the withdrawal key must hold tokens of its own.
//!
//! - [`config`]: `[wallet]`; [`keys`]: the withdrawal key and the deposit addresses.
//! - [`transfer`]: `MAIN_UMFUTURE` / `UMFUTURE_MAIN` between the spot and futures wallets.
//! - [`withdraw`]: withdrawals from apply to completed or failed (refunded).
//! - [`deposit`]: deposits from first seen to credited.
//! - [`chain`]: the tasks that send withdrawals and watch for deposits.

pub mod chain;
pub mod config;
pub mod deposit;
pub mod keys;
pub mod transfer;
pub mod units;
pub mod withdraw;

use std::collections::HashMap;

use alloy::primitives::{Address, B256};
use rust_decimal::Decimal;
use tokio::sync::mpsc;

use crate::engine::accounts::AccountId;
use crate::engine::user_data::{SpotEvent, UserEvents};
use config::WalletConfig;
use deposit::Deposit;
use transfer::Transfer;
use withdraw::{Withdrawal, WithdrawalId};

/// Why the engine refuses a wallet request; each maps to one Binance error (the API's
/// `ApiError::from`).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WalletReject {
    /// The exchange runs without `[wallet]`.
    #[error(
        "This operation is not supported: the paper exchange has no on-chain wallet configured."
    )]
    NotConfigured,
    #[error("Asset transfer failed: insufficient balance")]
    TransferInsufficient,
    #[error("Only USDT can be transferred to and from the USDⓈ-M futures wallet.")]
    TransferAsset,
    #[error("User has insufficient balance")]
    WithdrawInsufficient,
    #[error("Quantity must be greater than zero.")]
    ZeroAmount,
    /// The account already applied a withdrawal with this `withdrawOrderId`.
    #[error("Invalid operation: withdrawOrderId {0} was already used.")]
    DuplicateWithdrawOrderId(String),
    /// The coin is not configured, or not on the requested network.
    #[error("{coin} is not supported on network {network}.")]
    UnsupportedCoin { coin: String, network: String },
}

/// The wallet's records, in the engine: transfers, withdrawals and deposits of every account.
#[derive(Debug, Default)]
pub struct WalletBook {
    pub(crate) transfers: Vec<Transfer>,
    pub(crate) withdrawals: Vec<Withdrawal>,
    pub(crate) deposits: Vec<Deposit>,
    /// Deposits by `(transaction hash, log index)`, so that a log seen twice counts once.
    deposit_index: HashMap<(B256, u64), usize>,
}

/// What the REST handlers need of a configured wallet: the configuration, every account's
/// deposit address, and the queue of withdrawals to send.
#[derive(Debug)]
pub struct WalletService {
    pub config: WalletConfig,
    pub deposit_addresses: Vec<Address>,
    pub(crate) to_send: mpsc::UnboundedSender<WithdrawalId>,
}

impl WalletService {
    /// The coin's token, if it is configured on `network` (or on no network named).
    pub fn coin(
        &self,
        coin: &str,
        network: Option<&str>,
    ) -> Result<&config::CoinConfig, WalletReject> {
        let on_network = network.is_none_or(|n| n == self.config.network);
        self.config
            .coins
            .get(coin)
            .filter(|_| on_network)
            .ok_or_else(|| WalletReject::UnsupportedCoin {
                coin: coin.to_string(),
                network: network.unwrap_or(&self.config.network).to_string(),
            })
    }

    pub fn deposit_address(&self, account: AccountId) -> Address {
        self.deposit_addresses[account.0]
    }
}

/// Publishes Binance's `balanceUpdate` (a deposit, withdrawal or transfer changed `asset`'s
/// free balance by `delta`) on the spot user data stream.
fn publish_balance_update(
    events: &UserEvents<SpotEvent>,
    account: AccountId,
    asset: &str,
    delta: Decimal,
    now: u64,
) {
    let event = SpotEvent::BalanceUpdate {
        asset: asset.to_string(),
        delta,
        now,
    };
    events.publish(account, event);
}
