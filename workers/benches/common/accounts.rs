//! Accounts a bench makes and sends from: fresh keys, and every transaction signed here at an
//! explicit nonce with its gas set, so that many of them, from one account or many, can be
//! broadcast at once and land in one block. No nonce manager, no fee bumps: a transaction the
//! node refuses panics (a bench's set-up has failed).

use alloy::{
    eips::Encodable2718,
    network::{Ethereum, EthereumWallet, NetworkTransactionBuilder, TransactionBuilder},
    primitives::{Address, B256},
    providers::{DynProvider, Provider},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
};
use futures::future::join_all;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub struct Account {
    pub signer: PrivateKeySigner,
    /// The next nonce to sign at.
    nonce: AtomicU64,
}

impl Account {
    /// A new key: no transaction yet, no balance.
    pub fn random() -> Self {
        Self::at(PrivateKeySigner::random(), 0)
    }

    /// `signer`, whose next nonce is `nonce`.
    pub fn at(signer: PrivateKeySigner, nonce: u64) -> Self {
        Self {
            signer,
            nonce: AtomicU64::new(nonce),
        }
    }

    pub fn address(&self) -> Address {
        self.signer.address()
    }

    fn next_nonce(&self) -> u64 {
        self.nonce.fetch_add(1, Ordering::Relaxed)
    }
}

/// Signs each account's transactions (their gas limits set) at its next nonces and broadcasts
/// them all at once; returns their hashes, in order. The fee cap is 4 × the node's estimate:
/// room for the base fee to rise while a burst fills blocks.
pub async fn send_at_once(
    chain: &DynProvider,
    txs: &[(&Account, Vec<TransactionRequest>)],
) -> Vec<B256> {
    let chain_id = chain.get_chain_id().await.expect("the chain id");
    let fees = chain.estimate_eip1559_fees().await.expect("fees");
    let mut raw = Vec::new();
    let mut hashes = Vec::new();
    for (account, requests) in txs {
        let wallet = EthereumWallet::from(account.signer.clone());
        for request in requests {
            let request = request
                .clone()
                .with_from(account.address())
                .with_nonce(account.next_nonce())
                .with_chain_id(chain_id)
                .with_max_fee_per_gas(fees.max_fee_per_gas * 4)
                .with_max_priority_fee_per_gas(fees.max_priority_fee_per_gas);
            let envelope = <TransactionRequest as NetworkTransactionBuilder<Ethereum>>::build(
                request, &wallet,
            )
            .await
            .expect("signing");
            raw.push(envelope.encoded_2718());
            hashes.push(*envelope.tx_hash());
        }
    }
    for sent in join_all(raw.iter().map(|tx| chain.send_raw_transaction(tx))).await {
        let _pending = sent.expect("broadcast");
    }
    hashes
}

/// Waits until each transaction is mined and successful, for at most `within` each.
pub async fn mined(chain: &DynProvider, hashes: &[B256], within: Duration) {
    for hash in hashes {
        let receipt = poll(within, || async {
            chain.get_transaction_receipt(*hash).await.ok().flatten()
        })
        .await
        .unwrap_or_else(|| panic!("{hash} was not mined"));
        assert!(receipt.status(), "{hash} reverted");
    }
}

/// `check` every 50 ms until it has an answer, for at most `within`.
pub async fn poll<T, F, Fut>(within: Duration, mut check: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if let Some(found) = check().await {
            return Some(found);
        }
        if tokio::time::Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
