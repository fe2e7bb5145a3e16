//! What the contract tests share: a fresh anvil whose ten dev accounts sign through one
//! provider, and the call helpers (mined, reverts by custom error, decoded events).

// Each test binary compiles this module and uses part of it.
#![allow(dead_code)]

use alloy::{
    contract::{CallBuilder, CallDecoder},
    network::EthereumWallet,
    primitives::Address,
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::TransactionReceipt,
    signers::local::{MnemonicBuilder, PrivateKeySigner, coins_bip39::English},
    sol_types::{SolError, SolEvent},
};
use hedgeflow::dev::{self, anvil, process};
use std::fmt::Debug;

/// A fresh anvil (about a tenth of a second to start), stopped when dropped.
pub struct DevChain {
    pub anvil: process::Supervised,
    pub dir: tempfile::TempDir,
    /// Its HTTP endpoint.
    pub rpc: String,
    /// Signs with any of the ten dev accounts, chosen by each transaction's `from`.
    pub provider: DynProvider,
    pub signers: Vec<PrivateKeySigner>,
}

/// Starts an anvil named `name` with `chain_id`, mining on every transaction.
pub async fn dev_chain(name: &str, chain_id: u64) -> DevChain {
    let dir = tempfile::tempdir().unwrap();
    let port = process::free_port();
    let anvil = anvil::start(&anvil::Options {
        name: name.into(),
        port,
        chain_id,
        block_time: 0,
        state: None,
        log: dir.path().join("anvil.log"),
    })
    .await
    .unwrap();
    let signers: Vec<PrivateKeySigner> = (0..10)
        .map(|index| {
            MnemonicBuilder::<English>::default()
                .phrase(dev::DEV_MNEMONIC)
                .index(index)
                .unwrap()
                .build()
                .unwrap()
        })
        .collect();
    let mut wallet = EthereumWallet::from(signers[0].clone());
    for signer in &signers[1..] {
        wallet.register_signer(signer.clone());
    }
    let rpc = format!("http://127.0.0.1:{port}");
    // Nonces are read from the chain for every transaction: the default cached nonce manager
    // would burn a nonce on each call that a test expects to revert (its gas estimation fails
    // after the nonce was taken), leaving the next transaction stuck.
    let provider = ProviderBuilder::new()
        .disable_recommended_fillers()
        .with_gas_estimation()
        .with_simple_nonce_management()
        .with_chain_id(chain_id)
        .wallet(wallet)
        .connect_http(rpc.parse().unwrap())
        .erased();
    DevChain {
        anvil,
        dir,
        rpc,
        provider,
        signers,
    }
}

/// Sends the call and waits for a successful receipt.
pub async fn mined<P: Provider, D: CallDecoder>(call: CallBuilder<P, D>) -> TransactionReceipt {
    let receipt = call
        .send()
        .await
        .unwrap_or_else(|error| panic!("sending failed: {error:?}"))
        .get_receipt()
        .await
        .unwrap();
    assert!(receipt.status(), "reverted: {receipt:?}");
    receipt
}

/// Asserts that the call reverts with exactly `expected` (its selector and arguments).
pub async fn reverts<P: Provider, D: CallDecoder, E: SolError + PartialEq + Debug>(
    call: CallBuilder<P, D>,
    expected: E,
) {
    let error = match call.send().await {
        Ok(pending) => panic!("expected {expected:?}, but {} was sent", pending.tx_hash()),
        Err(error) => error,
    };
    assert_eq!(
        error.as_decoded_error::<E>(),
        Some(expected),
        "revert data {:?} of {error:?}",
        error.as_revert_data()
    );
}

/// The events of type `E` that `emitter` logged, in order.
pub fn events<E: SolEvent>(receipt: &TransactionReceipt, emitter: Address) -> Vec<E> {
    receipt
        .logs()
        .iter()
        .filter(|log| log.address() == emitter)
        .filter_map(|log| log.log_decode::<E>().ok())
        .map(|log| log.inner.data)
        .collect()
}
