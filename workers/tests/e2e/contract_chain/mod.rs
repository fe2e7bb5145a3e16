//! What the contract tests share: a fresh anvil whose ten dev accounts sign through one
//! provider, its clock and code cheats, and the call helpers (mined, reverts by custom error,
//! decoded events, a signature's malleable twin).

// The test modules and the quotes bench each use part of it.
#![allow(dead_code)]

use alloy::{
    contract::{CallBuilder, CallDecoder},
    eips::BlockNumberOrTag,
    network::EthereumWallet,
    primitives::{Address, Bytes, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::TransactionReceipt,
    signers::{
        Signature,
        local::{MnemonicBuilder, PrivateKeySigner, coins_bip39::English},
    },
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
    reverts_for("the call", call, expected).await
}

/// [`reverts`], naming in its failure `what` the call tries (for tests looping over bad inputs).
pub async fn reverts_for<P: Provider, D: CallDecoder, E: SolError + PartialEq + Debug>(
    what: &str,
    call: CallBuilder<P, D>,
    expected: E,
) {
    let error = match call.send().await {
        Ok(pending) => panic!(
            "{what}: expected {expected:?}, but {} was sent",
            pending.tx_hash()
        ),
        Err(error) => error,
    };
    assert_eq!(
        error.as_decoded_error::<E>(),
        Some(expected),
        "{what}: revert data {:?} of {error:?}",
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

/// The timestamp of block `block`.
pub async fn timestamp(provider: &DynProvider, block: BlockNumberOrTag) -> u64 {
    provider
        .get_block_by_number(block)
        .await
        .unwrap()
        .unwrap()
        .header
        .timestamp
}

/// The latest block's timestamp: the chain's clock, which [`increase_time`] moves.
pub async fn now(provider: &DynProvider) -> u64 {
    timestamp(provider, BlockNumberOrTag::Latest).await
}

/// Moves the chain's clock `seconds` ahead and mines a block at the new time, so calls
/// estimated next already see it.
pub async fn increase_time(provider: &DynProvider, seconds: u64) {
    provider
        .raw_request::<_, serde_json::Value>("evm_increaseTime".into(), (seconds,))
        .await
        .unwrap();
    provider
        .raw_request::<_, serde_json::Value>("evm_mine".into(), ())
        .await
        .unwrap();
}

/// Puts runtime `code` at `address` (anvil's cheat), for callers no Solidity source describes.
pub async fn set_code(provider: &DynProvider, address: Address, code: Bytes) {
    provider
        .raw_request::<_, serde_json::Value>("anvil_setCode".into(), (address, code))
        .await
        .unwrap();
}

/// The secp256k1 group order.
const SECP256K1_N: U256 = U256::from_limbs([
    0xbfd25e8cd0364141,
    0xbaaedce6af48a03b,
    0xfffffffffffffffe,
    0xffffffffffffffff,
]);

/// `signature`'s malleable twin: (r, n - s) with the other parity recovers to the same key, so
/// a contract must refuse it (high s) for signatures to be unique.
pub fn high_s_twin(signature: &Signature) -> Signature {
    Signature::new(signature.r(), SECP256K1_N - signature.s(), !signature.v())
}
