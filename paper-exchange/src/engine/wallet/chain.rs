//! The wallet's chain I/O, outside the engine's lock: one task sends queued withdrawals from
//! the exchange's key and follows them until mined; one polls the tokens' `Transfer` logs to
//! deposit addresses and hands them to the engine, which credits each once.
//!
//! Withdrawals are sent one at a time (the provider fills the nonce from the pending count),
//! so two never race for a nonce. A withdrawal whose send fails before a hash comes back
//! is marked failed and refunded; one whose receipt cannot be read stays processing (it may
//! still be mined: refunding it could pay twice).

use std::convert::Infallible;
use std::sync::Mutex;

use alloy::network::EthereumWallet;
use alloy::primitives::{Address, B256};
use alloy::providers::{DynProvider, PendingTransactionBuilder, Provider, ProviderBuilder};
use alloy::rpc::types::{Filter, Log};
use alloy::sol_types::SolEvent;
use alloy::transports::http::reqwest::Url;
use alloy::transports::{RpcError, TransportErrorKind};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use tokio::sync::mpsc;
use tokio::time::MissedTickBehavior;

use super::WalletService;
use super::config::WalletConfig;
use super::deposit::SeenTransfer;
use super::keys::{self, KeyError};
use super::units::{from_base_units, to_base_units};
use super::withdraw::WithdrawalId;
use crate::engine::accounts::AccountId;
use crate::engine::exchange::{self, Exchange};
use crate::engine::now_ms;

/// Most blocks asked for in one `eth_getLogs` (public RPCs refuse wide ranges).
const LOG_RANGE: u64 = 2_000;

alloy::sol! {
    #[sol(rpc)]
    interface Erc20 {
        event Transfer(address indexed from, address indexed to, uint256 value);
        function transfer(address to, uint256 amount) external returns (bool);
    }
}

/// Why the wallet could not start.
#[derive(Debug, thiserror::Error)]
pub enum WalletError {
    #[error("wallet key: {0}")]
    Key(#[from] KeyError),
    #[error("wallet rpc-url is not a URL")]
    BadUrl,
}

/// The wallet's chain side, until [`run`] takes it.
pub struct Chain {
    provider: DynProvider,
    config: WalletConfig,
    deposit_addresses: Vec<Address>,
    queue: mpsc::UnboundedReceiver<WithdrawalId>,
}

/// Loads the keys and connects (lazily: an unreachable chain only delays deposits and
/// withdrawals) for `accounts` accounts.
pub fn start(
    config: &WalletConfig,
    accounts: usize,
) -> Result<(WalletService, Chain), WalletError> {
    let signer = keys::withdraw_signer(&config.withdraw_signer)?;
    let deposit_addresses = keys::deposit_addresses(&config.deposit_addresses, accounts)?;
    let url: Url = config.rpc_url.parse().map_err(|_| WalletError::BadUrl)?;
    tracing::info!(network = %config.network, hot_wallet = %signer.address(), "paper exchange wallet on chain");
    let provider = ProviderBuilder::new()
        .with_chain_id(config.chain_id)
        .wallet(EthereumWallet::from(signer))
        .connect_http(url)
        .erased();
    let (to_send, queue) = mpsc::unbounded_channel();
    let service = WalletService {
        config: config.clone(),
        deposit_addresses: deposit_addresses.clone(),
        to_send,
    };
    let chain = Chain {
        provider,
        config: config.clone(),
        deposit_addresses,
        queue,
    };
    Ok((service, chain))
}

/// Sends withdrawals and watches for deposits, forever; without a wallet, waits forever.
pub async fn run(engine: &Mutex<Exchange>, chain: Option<Chain>) -> Infallible {
    let Some(chain) = chain else {
        return std::future::pending().await;
    };
    let Chain {
        provider,
        config,
        deposit_addresses,
        queue,
    } = chain;
    let sending = send_withdrawals(engine, &provider, &config, queue);
    let watching = watch_deposits(engine, &provider, &config, &deposit_addresses);
    tokio::select! {
        never = sending => never,
        never = watching => never,
    }
}

async fn send_withdrawals(
    engine: &Mutex<Exchange>,
    provider: &DynProvider,
    config: &WalletConfig,
    mut queue: mpsc::UnboundedReceiver<WithdrawalId>,
) -> Infallible {
    let mut mining = FuturesUnordered::new();
    loop {
        tokio::select! {
            Some(id) = queue.recv() => match send(engine, provider, config, id).await {
                Ok(pending) => {
                    exchange::lock(engine).withdrawal_sent(id, *pending.tx_hash());
                    mining.push(async move { (id, pending.get_receipt().await) });
                }
                Err(reason) => {
                    tracing::warn!(withdrawal = id.0, %reason, "withdrawal not sent; refunded");
                    exchange::lock(engine).withdrawal_failed(id, reason, now_ms());
                }
            },
            Some((id, receipt)) = mining.next() => match receipt {
                Ok(receipt) if receipt.status() => {
                    tracing::info!(withdrawal = id.0, tx = %receipt.transaction_hash, "withdrawal mined");
                    exchange::lock(engine).withdrawal_completed(id, now_ms());
                }
                Ok(receipt) => {
                    tracing::warn!(withdrawal = id.0, tx = %receipt.transaction_hash, "withdrawal reverted; refunded");
                    exchange::lock(engine).withdrawal_failed(id, "transaction reverted".into(), now_ms());
                }
                Err(e) => tracing::error!(withdrawal = id.0, error = %e, "withdrawal receipt unreadable; left processing"),
            },
            else => return std::future::pending().await,
        }
    }
}

/// Broadcasts withdrawal `id`'s token transfer; the error is the withdrawal's `info`.
async fn send(
    engine: &Mutex<Exchange>,
    provider: &DynProvider,
    config: &WalletConfig,
    id: WithdrawalId,
) -> Result<PendingTransactionBuilder<alloy::network::Ethereum>, String> {
    let request = {
        let exchange = exchange::lock(engine);
        let withdrawal = exchange.withdrawal(id).ok_or("unknown withdrawal")?;
        withdrawal.request.clone()
    };
    let coin = config
        .coins
        .get(&request.coin)
        .ok_or("coin no longer configured")?;
    let amount =
        to_base_units(request.amount, coin.decimals).ok_or("amount below the token's unit")?;
    Erc20::new(coin.token, provider)
        .transfer(request.address, amount)
        .send()
        .await
        .map_err(|e| format!("withdrawal transaction not sent: {e}"))
}

async fn watch_deposits(
    engine: &Mutex<Exchange>,
    provider: &DynProvider,
    config: &WalletConfig,
    addresses: &[Address],
) -> Infallible {
    let mut next = config.start_block;
    let mut tick = tokio::time::interval(config.poll_interval);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = scan(engine, provider, config, addresses, &mut next).await {
            tracing::warn!(error = %e, "deposit scan failed; trying again next poll");
        }
    }
}

/// Reads the next range of blocks (up to the head) for deposits, then credits those with
/// enough confirmations. `next` is the first block not read yet (the head when unset).
async fn scan(
    engine: &Mutex<Exchange>,
    provider: &DynProvider,
    config: &WalletConfig,
    addresses: &[Address],
    next: &mut Option<u64>,
) -> Result<(), RpcError<TransportErrorKind>> {
    let head = provider.get_block_number().await?;
    let from = *next.get_or_insert(head);
    if from <= head {
        let to = head.min(from + LOG_RANGE - 1);
        let filter = Filter::new()
            .address(config.coins.values().map(|c| c.token).collect::<Vec<_>>())
            .event_signature(Erc20::Transfer::SIGNATURE_HASH)
            .topic2(
                addresses
                    .iter()
                    .map(|a| a.into_word())
                    .collect::<Vec<B256>>(),
            )
            .from_block(from)
            .to_block(to);
        let logs = provider.get_logs(&filter).await?;
        let now = now_ms();
        let mut exchange = exchange::lock(engine);
        for seen in logs
            .iter()
            .filter_map(|log| seen_transfer(config, addresses, log))
        {
            if exchange.deposit_seen(seen.clone(), now) {
                tracing::info!(account = seen.account.0, coin = %seen.coin, amount = %seen.amount, tx = %seen.tx_hash, "deposit seen");
            }
        }
        *next = Some(to + 1);
    }
    exchange::lock(engine).confirm_deposits(head, config.confirmations, now_ms());
    Ok(())
}

/// The deposit a log is, if it is a configured token's transfer to a deposit address.
fn seen_transfer(config: &WalletConfig, addresses: &[Address], log: &Log) -> Option<SeenTransfer> {
    let (coin, token) = config
        .coins
        .iter()
        .find(|(_, c)| c.token == log.address())?;
    let transfer = log.log_decode::<Erc20::Transfer>().ok()?.inner.data;
    let account = addresses.iter().position(|a| *a == transfer.to)?;
    let Some(amount) = from_base_units(transfer.value, token.decimals) else {
        tracing::warn!(tx = ?log.transaction_hash, "deposit too large to book; ignored");
        return None;
    };
    Some(SeenTransfer {
        account: AccountId(account),
        coin: coin.clone(),
        network: config.network.clone(),
        address: transfer.to,
        amount,
        tx_hash: log.transaction_hash?,
        log_index: log.log_index?,
        block: log.block_number?,
    })
}
