//! The chain activities against a real anvil of their own (automine switched on and off per
//! test), run through the SDK's `ActivityEnvironment`: nonce allocation across concurrent
//! intents, idempotent resubmission, fee-bump replacement of a stuck transaction, refusal of a
//! call that would revert, and `watch_receipt` on a revert and on a reorg.

use alloy::{
    network::{EthereumWallet, TransactionBuilder},
    primitives::{Address, B256, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
    signers::local::MnemonicBuilder,
    sol_types::SolCall,
};
use hedgeflow::dev::{self, anvil, deploy, process};
use hedgeflow_activities::chain::{
    ChainConfig, Chains, RpcEndpoint, TokenConfig,
    journal::TxJournal,
    receipt::ReceiptWatcher,
    signer::{SecretRef, SignerSource, load_signer},
    submit::HotWallet,
};
use hedgeflow_proto::{
    Amount,
    chain::{ReceiptOutcome, TxIntent, WatchReceipt},
    transfer::transferCall,
};
use std::{collections::BTreeMap, sync::Arc, time::Duration};
use temporalio_sdk::{
    activities::ActivityError,
    testing::{ActivityEnvironment, ActivityEnvironmentError},
};

const CHAIN_ID: u64 = 41337;

struct Chain {
    _anvil: dev::process::Supervised,
    _dir: tempfile::TempDir,
    provider: DynProvider,
    chains: Chains,
    journal: std::path::PathBuf,
    usdc: Address,
    mnemonic: std::path::PathBuf,
}

/// A fresh anvil with the test tokens, and a hot wallet journaling into a fresh directory.
async fn chain(replace_after: Duration) -> Chain {
    let dir = tempfile::tempdir().unwrap();
    let port = process::free_port();
    let anvil = anvil::start(&anvil::Options {
        name: "chain-test".into(),
        port,
        chain_id: CHAIN_ID,
        block_time: 0,
        state: None,
        log: dir.path().join("anvil.log"),
    })
    .await
    .unwrap();
    let mnemonic = dir.path().join("mnemonic");
    std::fs::write(&mnemonic, dev::DEV_MNEMONIC).unwrap();
    let deployer = "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720"
        .parse()
        .unwrap();
    let tokens: BTreeMap<String, TokenConfig> = deploy::TOKENS
        .iter()
        .map(|(symbol, _, decimals, _)| {
            let address = deploy::token_address(deployer, symbol).unwrap();
            (
                symbol.to_string(),
                TokenConfig {
                    address,
                    decimals: *decimals,
                },
            )
        })
        .collect();
    let usdc = tokens["USDC"].address;
    let url: url::Url = format!("http://127.0.0.1:{port}").parse().unwrap();
    let chain_config = ChainConfig {
        chain_id: CHAIN_ID,
        rpc: vec![RpcEndpoint {
            http: url.clone(),
            ws: Some(format!("ws://127.0.0.1:{port}").parse().unwrap()),
        }],
        confirmations: 1,
        poll_interval: Duration::from_millis(100),
        replace_after,
        tokens,
    };
    let chain_configs = BTreeMap::from([("test".to_owned(), chain_config)]);
    let hot_wallet = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
        .parse()
        .unwrap();
    deploy::ensure_tokens(
        &chain_configs,
        hot_wallet,
        &SignerSource::Mnemonic {
            phrase: SecretRef::File(mnemonic.clone()),
            index: 9,
        },
    )
    .await
    .unwrap();
    let chains = Chains::connect(&chain_configs).await.unwrap();
    Chain {
        provider: ProviderBuilder::new().connect_http(url).erased(),
        _anvil: anvil,
        journal: dir.path().join("journal.jsonl"),
        usdc,
        mnemonic,
        _dir: dir,
        chains,
    }
}

impl Chain {
    fn hot_wallet(&self) -> ActivityEnvironment {
        let signer = load_signer(&SignerSource::Mnemonic {
            phrase: SecretRef::File(self.mnemonic.clone()),
            index: 0,
        })
        .unwrap();
        let wallet = HotWallet::new(
            self.chains.clone(),
            signer,
            TxJournal::open(&self.journal).unwrap(),
        );
        ActivityEnvironment::builder_with_default()
            .register_activities(wallet)
            .build()
    }

    fn watcher(&self) -> ActivityEnvironment {
        ActivityEnvironment::builder_with_default()
            .register_activities(ReceiptWatcher::new(self.chains.clone()))
            .build()
    }

    fn usdc_transfer(&self, key: &str, to: Address, units: u64) -> TxIntent {
        TxIntent {
            intent_key: key.into(),
            chain_id: CHAIN_ID,
            to: self.usdc,
            value: Amount::ZERO,
            data: transferCall {
                to,
                amount: U256::from(units),
            }
            .abi_encode()
            .into(),
        }
    }

    fn journaled(&self, key: &str) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.journal)
            .unwrap_or_default()
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|entry| entry["intent_key"] == key)
            .collect()
    }

    async fn automine(&self, on: bool) {
        self.provider
            .raw_request::<_, ()>("evm_setAutomine".into(), (on,))
            .await
            .unwrap();
    }

    async fn mine(&self) {
        self.provider
            .raw_request::<_, String>("evm_mine".into(), ())
            .await
            .unwrap();
    }
}

fn non_retryable(error: &ActivityEnvironmentError) -> bool {
    matches!(error, ActivityEnvironmentError::Activity(ActivityError::Application(failure)) if failure.is_non_retryable())
}

/// The failure's own words, as ops read them in the Temporal UI.
fn message(error: &ActivityEnvironmentError) -> String {
    match error {
        ActivityEnvironmentError::Activity(ActivityError::Application(failure)) => {
            failure.source_error().to_string()
        }
        other => format!("{other:?}"),
    }
}

#[tokio::test]
async fn concurrent_intents_get_distinct_nonces_and_a_resubmission_sends_nothing() {
    let chain = chain(Duration::from_secs(60)).await;
    let env = Arc::new(chain.hot_wallet());
    let to = Address::repeat_byte(0x42);
    let runs = (0..5).map(|n| {
        let (env, intent) = (
            env.clone(),
            chain.usdc_transfer(&format!("concurrent-{n}"), to, 1_000_000),
        );
        async move {
            env.run(HotWallet::submit_transaction, intent)
                .await
                .unwrap()
        }
    });
    let sent = futures::future::join_all(runs).await;
    let mut nonces: Vec<u64> = sent.iter().map(|s| s.nonce).collect();
    nonces.sort_unstable();
    nonces.dedup();
    assert_eq!(
        nonces.len(),
        5,
        "five intents, five distinct nonces: {sent:?}"
    );

    let again = env
        .run(
            HotWallet::submit_transaction,
            chain.usdc_transfer("concurrent-0", to, 1_000_000),
        )
        .await
        .unwrap();
    assert_eq!(
        again.tx_hash, sent[0].tx_hash,
        "a resubmitted intent returns the transaction already sent"
    );
    assert_eq!(chain.journaled("concurrent-0").len(), 1);
    let balance = usdc_balance(&chain, to).await;
    assert_eq!(balance, U256::from(5_000_000u64), "five payments, not six");
}

async fn usdc_balance(chain: &Chain, owner: Address) -> U256 {
    let data = balanceOfCall { owner }.abi_encode();
    let result = chain
        .provider
        .call(
            TransactionRequest::default()
                .with_to(chain.usdc)
                .with_input(data),
        )
        .await
        .unwrap();
    U256::from_be_slice(&result)
}

alloy::sol! { function balanceOf(address owner) external view returns (uint256); }

#[tokio::test]
async fn a_stuck_transaction_is_replaced_at_the_same_nonce_with_a_higher_fee() {
    let chain = chain(Duration::from_secs(1)).await;
    chain.automine(false).await;
    let env = chain.hot_wallet();
    let to = Address::repeat_byte(0x43);
    let intent = chain.usdc_transfer("stuck", to, 2_000_000);
    let submit = env.run(HotWallet::submit_transaction, intent);
    let miner = async {
        // Leave the first transaction unmined past `replace_after`, then mine.
        tokio::time::sleep(Duration::from_millis(2_500)).await;
        chain.mine().await;
    };
    let (sent, ()) = tokio::join!(submit, miner);
    let sent = sent.unwrap();
    let attempts = chain.journaled("stuck");
    assert!(
        attempts.len() >= 2,
        "a replacement was signed: {attempts:?}"
    );
    let first = &attempts[0];
    let last = attempts.last().unwrap();
    assert_eq!(
        first["nonce"], last["nonce"],
        "replacement reuses the nonce"
    );
    let fee = |entry: &serde_json::Value| entry["max_priority_fee_per_gas"].as_u64().unwrap();
    assert!(
        fee(last) * 100 >= fee(first) * 125,
        "fee bumped by at least 25%: {} -> {}",
        fee(first),
        fee(last)
    );
    assert_eq!(
        sent.tx_hash.to_string(),
        last["tx_hash"].as_str().unwrap(),
        "the replacement is what was included"
    );
    assert_eq!(sent.attempts as usize, attempts.len());
    assert_eq!(
        usdc_balance(&chain, to).await,
        U256::from(2_000_000u64),
        "paid once"
    );
}

#[tokio::test]
async fn a_call_that_would_revert_is_refused_before_signing() {
    let chain = chain(Duration::from_secs(60)).await;
    let env = chain.hot_wallet();
    let intent = chain.usdc_transfer("too-much", Address::repeat_byte(0x44), u64::MAX);
    let error = env
        .run(HotWallet::submit_transaction, intent)
        .await
        .unwrap_err();
    assert!(non_retryable(&error), "{error:?}");
    assert!(
        message(&error).starts_with("transaction would revert"),
        "{error:?}"
    );
    assert!(chain.journaled("too-much").is_empty(), "nothing was signed");
}

/// A transaction from account 1 (which holds no USDC) with a fixed gas limit, so it is mined and
/// reverts instead of failing estimation.
async fn reverted_transaction(chain: &Chain) -> B256 {
    let signer = MnemonicBuilder::<alloy::signers::local::coins_bip39::English>::default()
        .phrase(dev::DEV_MNEMONIC)
        .index(1)
        .unwrap()
        .build()
        .unwrap();
    let provider = ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer))
        .connect_provider(chain.provider.clone());
    let request = TransactionRequest::default()
        .with_to(chain.usdc)
        .with_input(
            transferCall {
                to: Address::repeat_byte(0x45),
                amount: U256::from(1u64),
            }
            .abi_encode(),
        )
        .with_gas_limit(100_000);
    let receipt = provider
        .send_transaction(request)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(!receipt.status(), "the setup transaction must revert");
    receipt.transaction_hash
}

#[tokio::test]
async fn watch_receipt_fails_non_retryably_on_revert() {
    let chain = chain(Duration::from_secs(60)).await;
    let tx_hash = reverted_transaction(&chain).await;
    let watch = WatchReceipt {
        chain_id: CHAIN_ID,
        tx_hash,
        confirmations: 1,
    };
    let error = chain
        .watcher()
        .run(ReceiptWatcher::watch_receipt, watch)
        .await
        .unwrap_err();
    assert!(non_retryable(&error), "{error:?}");
    assert_eq!(
        message(&error),
        format!("transaction {tx_hash} reverted in block 5")
    );
}

#[tokio::test]
async fn watch_receipt_notices_a_receipt_that_disappears_in_a_reorg() {
    let chain = chain(Duration::from_secs(60)).await;
    let snapshot: String = chain
        .provider
        .raw_request("evm_snapshot".into(), ())
        .await
        .unwrap();
    let sent = chain
        .hot_wallet()
        .run(
            HotWallet::submit_transaction,
            chain.usdc_transfer("reorged", Address::repeat_byte(0x46), 1),
        )
        .await
        .unwrap();
    let watch = WatchReceipt {
        chain_id: CHAIN_ID,
        tx_hash: sent.tx_hash,
        confirmations: 1_000,
    };
    let watcher = chain.watcher();
    let watching = watcher.run(ReceiptWatcher::watch_receipt, watch);
    let reorg = async {
        tokio::time::sleep(Duration::from_millis(800)).await;
        let reverted: bool = chain
            .provider
            .raw_request("evm_revert".into(), (snapshot,))
            .await
            .unwrap();
        assert!(reverted);
        for _ in 0..3 {
            chain.mine().await;
        }
    };
    let (outcome, ()) = tokio::join!(watching, reorg);
    match outcome.unwrap() {
        ReceiptOutcome::Reorged { last_seen_block } => {
            assert_eq!(last_seen_block, sent.block_number)
        }
        other => panic!("expected a reorg, got {other:?}"),
    }
}
