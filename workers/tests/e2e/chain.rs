//! The chain activities against a real anvil of their own (automine switched on and off per
//! test), run through the SDK's `ActivityEnvironment`: nonce allocation across concurrent
//! intents, idempotent resubmission, fee-bump replacement of a stuck transaction, refusal of a
//! call that would revert, and `watch_receipt` on a revert and on a reorg; a transaction that
//! reverts once mined, a key reused for another call, a retry whose journal was lost, and a
//! provider held behind the chain; and the price signer stamping a price with the chain's time.

use crate::support::proxy;

use alloy::{
    network::{EthereumWallet, TransactionBuilder},
    primitives::{Address, B256, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
    signers::local::MnemonicBuilder,
    sol_types::SolCall,
};
use hedgeflow::dev::{self, anvil, deploy, process};
use hedgeflow_activities::{
    chain::{
        ChainConfig, Chains, RpcEndpoint, TokenConfig,
        journal::TxJournal,
        receipt::ReceiptWatcher,
        signer::{SecretRef, SignerSource, load_signer},
        submit::HotWallet,
    },
    policy::{Limit, Rule, TxPolicy},
};
use hedgeflow_proto::{
    Amount,
    chain::{ReceiptOutcome, TxIntent, WatchReceipt},
    transfer::transferCall,
};
use proxy::Proxy;
use std::{collections::BTreeMap, sync::Arc, time::Duration};
use temporalio_sdk::{
    activities::ActivityError,
    testing::{ActivityEnvironment, ActivityEnvironmentError},
};

const CHAIN_ID: u64 = 41337;

struct Chain {
    _anvil: dev::process::Supervised,
    port: u16,
    config: ChainConfig,
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
    let chain_configs = BTreeMap::from([("test".to_owned(), chain_config.clone())]);
    let hot_wallet = HOT_WALLET.parse().unwrap();
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
        port,
        config: chain_config,
        journal: dir.path().join("journal.jsonl"),
        usdc,
        mnemonic,
        _dir: dir,
        chains,
    }
}

impl Chain {
    fn hot_wallet(&self) -> ActivityEnvironment {
        self.hot_wallet_with(self.chains.clone(), &self.journal)
    }

    /// The calls these tests make the hot wallet send: USDC `transfer` and `transferFrom`, to
    /// anyone, without limits.
    fn policy(&self) -> TxPolicy {
        let usdc = |selector| Rule {
            name: "usdc".into(),
            chain_id: CHAIN_ID,
            to: self.usdc,
            selector: Some(selector),
            first_argument: None,
            payable: false,
            check: None,
        };
        TxPolicy {
            rules: vec![
                usdc(transferCall::SELECTOR),
                usdc(transferFromCall::SELECTOR),
            ],
            ..TxPolicy::default()
        }
    }

    /// The hot wallet reaching the chain through `chains` and journaling into `journal`.
    fn hot_wallet_with(&self, chains: Chains, journal: &std::path::Path) -> ActivityEnvironment {
        self.hot_wallet_under(self.policy(), chains, journal)
    }

    /// The hot wallet signing what `policy` allows.
    fn hot_wallet_under(
        &self,
        policy: TxPolicy,
        chains: Chains,
        journal: &std::path::Path,
    ) -> ActivityEnvironment {
        let signer = load_signer(&SignerSource::Mnemonic {
            phrase: SecretRef::File(self.mnemonic.clone()),
            index: 0,
        })
        .unwrap();
        let wallet = HotWallet::new(chains, signer, TxJournal::open(journal).unwrap(), policy);
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

    /// Waits until the node knows `tx` (pending or mined).
    async fn until_pooled(&self, tx: B256) {
        for _ in 0..500 {
            if self
                .provider
                .get_transaction_by_hash(tx)
                .await
                .unwrap()
                .is_some()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("{tx} is not in the node");
    }

    /// This chain's clients reaching it through the providers on `ports`, in that order.
    async fn through(&self, ports: &[u16]) -> Chains {
        let mut config = self.config.clone();
        config.rpc = ports
            .iter()
            .map(|port| RpcEndpoint {
                http: format!("http://127.0.0.1:{port}").parse().unwrap(),
                ws: None,
            })
            .collect();
        Chains::connect(&BTreeMap::from([("test".to_owned(), config)]))
            .await
            .unwrap()
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

/// Account 1 of the dev mnemonic (not the hot wallet), sending its own transactions.
fn account_one(chain: &Chain) -> impl Provider {
    let signer = MnemonicBuilder::<alloy::signers::local::coins_bip39::English>::default()
        .phrase(dev::DEV_MNEMONIC)
        .index(1)
        .unwrap()
        .build()
        .unwrap();
    ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer))
        .connect_provider(chain.provider.clone())
}

const HOT_WALLET: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const ACCOUNT_ONE: &str = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

alloy::sol! {
    function approve(address spender, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}

/// Account 1 holds `units` USDC (paid by the hot wallet) and lets the hot wallet pull them.
async fn fund_and_approve(chain: &Chain, units: u64) {
    let holder: Address = ACCOUNT_ONE.parse().unwrap();
    chain
        .hot_wallet()
        .run(
            HotWallet::submit_transaction,
            chain.usdc_transfer("fund-account-one", holder, units),
        )
        .await
        .unwrap();
    let receipt = account_one(chain)
        .send_transaction(allow_hot_wallet(chain, units))
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(receipt.status());
}

/// Account 1's `approve` letting the hot wallet pull `units` of its USDC (0 revokes).
fn allow_hot_wallet(chain: &Chain, units: u64) -> TransactionRequest {
    TransactionRequest::default()
        .with_to(chain.usdc)
        .with_input(
            approveCall {
                spender: HOT_WALLET.parse().unwrap(),
                value: U256::from(units),
            }
            .abi_encode(),
        )
}

/// The hot wallet pulling `units` of account 1's USDC to `to`: a call that succeeds once and
/// reverts when repeated (the allowance is spent), as a settlement or a quote lock does.
fn pull_intent(chain: &Chain, key: &str, to: Address, units: u64) -> TxIntent {
    TxIntent {
        intent_key: key.into(),
        chain_id: CHAIN_ID,
        to: chain.usdc,
        value: Amount::ZERO,
        data: transferFromCall {
            from: ACCOUNT_ONE.parse().unwrap(),
            to,
            value: U256::from(units),
        }
        .abi_encode()
        .into(),
    }
}

/// A transaction from account 1 (which holds no USDC) with a fixed gas limit, so it is mined and
/// reverts instead of failing estimation.
async fn reverted_transaction(chain: &Chain) -> B256 {
    let provider = account_one(chain);
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

#[tokio::test]
async fn a_transaction_that_reverts_once_mined_is_a_failure_not_a_sent_transaction() {
    let chain = chain(Duration::from_secs(60)).await;
    fund_and_approve(&chain, 3_000_000).await;
    chain.automine(false).await;
    let to = Address::repeat_byte(0x47);
    let intent = pull_intent(&chain, "pull-revoked", to, 3_000_000);
    // The hot wallet reaches the node through a provider we can take away.
    let provider = Proxy::start(chain.port).await.unwrap();
    let env = chain.hot_wallet_with(chain.through(&[provider.port()]).await, &chain.journal);

    // The pull simulates fine, is signed and broadcast; then the provider goes down mid-wait.
    let first = env.run(HotWallet::submit_transaction, intent.clone());
    let outage = async {
        until(|| !chain.journaled("pull-revoked").is_empty()).await;
        let pull: B256 = chain.journaled("pull-revoked")[0]["tx_hash"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        chain.until_pooled(pull).await;
        provider.stop();
        pull
    };
    let (first, pull) = tokio::join!(first, outage);
    assert!(
        first.is_err(),
        "the attempt ends with its provider: {first:?}"
    );

    // Meanwhile the node forgets the pull and account 1 revokes the allowance.
    chain
        .provider
        .raw_request::<_, serde_json::Value>("anvil_dropTransaction".into(), (pull,))
        .await
        .unwrap();
    let _pending = account_one(&chain)
        .send_transaction(allow_hot_wallet(&chain, 0))
        .await
        .unwrap();
    chain.mine().await;

    // The engine's retry rebroadcasts the journaled pull, which reverts once mined.
    provider.resume().await.unwrap();
    let retry = env.run(HotWallet::submit_transaction, intent);
    let miner = async {
        chain.until_pooled(pull).await;
        chain.mine().await;
    };
    let (retried, ()) = tokio::join!(retry, miner);
    let error = retried.expect_err("a reverted transaction must not be reported as sent");
    assert!(non_retryable(&error), "{error:?}");
    assert_eq!(
        message(&error),
        format!("transaction {pull} reverted in block 8"),
        "{error:?}"
    );
    assert_eq!(
        usdc_balance(&chain, to).await,
        U256::ZERO,
        "nothing was paid"
    );
    assert_eq!(chain.journaled("pull-revoked").len(), 1, "signed once");
}

#[tokio::test]
async fn a_key_reused_for_another_call_is_refused_for_good() {
    let chain = chain(Duration::from_secs(60)).await;
    let env = chain.hot_wallet();
    let to = Address::repeat_byte(0x48);
    let first = env
        .run(
            HotWallet::submit_transaction,
            chain.usdc_transfer("request-x", to, 1_000_000),
        )
        .await
        .unwrap();
    let error = env
        .run(
            HotWallet::submit_transaction,
            chain.usdc_transfer("request-x", to, 2_000_000),
        )
        .await
        .expect_err("another amount under the same key must not return the first transaction");
    assert!(non_retryable(&error), "{error:?}");
    let said = message(&error);
    assert!(
        said.contains("names another call") && said.contains(&first.tx_hash.to_string()),
        "{said}"
    );
    assert!(said.contains("calldata"), "{said}");
    assert_eq!(chain.journaled("request-x").len(), 1, "nothing more signed");
    assert_eq!(usdc_balance(&chain, to).await, U256::from(1_000_000u64));
}

#[tokio::test]
async fn a_retry_whose_journal_was_lost_adopts_the_transaction_the_chain_holds() {
    let chain = chain(Duration::from_secs(60)).await;
    fund_and_approve(&chain, 4_000_000).await;
    let to = Address::repeat_byte(0x49);
    let intent = pull_intent(&chain, "pull-once", to, 4_000_000);
    let first = chain
        .hot_wallet()
        .run(HotWallet::submit_transaction, intent.clone())
        .await
        .unwrap();

    // The hot wallet comes back with an empty journal; the retry's simulation reverts, because
    // the allowance is spent: by our own transaction, which the chain still holds.
    let lost = chain.journal.with_file_name("lost-journal.jsonl");
    let again = chain
        .hot_wallet_with(chain.chains.clone(), &lost)
        .run(HotWallet::submit_transaction, intent)
        .await
        .expect("the retry adopts the transaction already mined");
    assert_eq!(again.tx_hash, first.tx_hash);
    assert_eq!(again.block_number, first.block_number);
    assert_eq!(usdc_balance(&chain, to).await, U256::from(4_000_000u64));
    let rejournaled = std::fs::read_to_string(&lost).unwrap();
    assert!(
        rejournaled.contains(&first.tx_hash.to_string()),
        "the adopted transaction is journaled again: {rejournaled}"
    );
}

#[tokio::test]
async fn a_provider_held_behind_does_not_hide_a_mined_transaction() {
    let chain = chain(Duration::from_secs(60)).await;
    // A provider stuck at today's head (a fork of the chain that never mines) that always
    // answers first, and the real chain, whose answers arrive late.
    let dir = tempfile::tempdir().unwrap();
    let fork_port = process::free_port();
    let mut command = std::process::Command::new(dev::tools::find("anvil"));
    command
        .args(["--host", "127.0.0.1", "--port", &fork_port.to_string()])
        .args(["--fork-url", &format!("http://127.0.0.1:{}", chain.port)])
        .arg("--no-mining");
    let mut fork = process::Supervised::spawn(
        "anvil-behind",
        command,
        Some(&dir.path().join("behind.log")),
        false,
    )
    .unwrap();
    fork.wait_for_port(fork_port, Duration::from_secs(30))
        .await
        .unwrap();
    let late = Proxy::start_delayed(chain.port, Duration::from_millis(150))
        .await
        .unwrap();
    let chains = chain.through(&[fork_port, late.port()]).await;

    let to = Address::repeat_byte(0x4a);
    let sent = tokio::time::timeout(
        Duration::from_secs(20),
        chain.hot_wallet_with(chains.clone(), &chain.journal).run(
            HotWallet::submit_transaction,
            chain.usdc_transfer("behind", to, 5_000_000),
        ),
    )
    .await
    .expect("the receipt the real chain holds is found, whatever the stuck provider says")
    .unwrap();
    assert_eq!(usdc_balance(&chain, to).await, U256::from(5_000_000u64));
    let watched = chain
        .hot_wallet_with(chains.clone(), &chain.journal)
        .run(
            HotWallet::submit_transaction,
            chain.usdc_transfer("behind", to, 5_000_000),
        )
        .await
        .unwrap();
    assert_eq!(watched.tx_hash, sent.tx_hash, "a retry finds the same one");
    assert_eq!(chain.journaled("behind").len(), 1, "signed once");
}

/// Polls `done` every 20 ms for up to 10 s.
async fn until(done: impl Fn() -> bool) {
    for _ in 0..500 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("condition not met within 10 s");
}

#[tokio::test]
async fn a_price_is_stamped_with_the_chains_time_however_far_its_clock_is_off_ours() {
    use hedgeflow_activities::intent::price_signer::PriceSigner;
    use hedgeflow_proto::intent::PriceRequest;

    let chain = chain(Duration::from_secs(60)).await;
    // The chain's clock runs ten minutes ahead of ours (the book allows far less staleness).
    chain
        .provider
        .raw_request::<_, serde_json::Value>("evm_increaseTime".into(), (600,))
        .await
        .unwrap();
    chain.mine().await;
    let chain_time = chain
        .provider
        .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
        .await
        .unwrap()
        .unwrap()
        .header
        .timestamp;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url: url::Url = format!("http://{}", listener.local_addr().unwrap())
        .parse()
        .unwrap();
    let _exchange = tokio::spawn(hedgeflow_paper_exchange::serve(
        Default::default(),
        listener,
    ));
    let broker = Arc::new(hedgeflow::roles::price_signer::public_broker(&url).unwrap());
    let key = load_signer(&SignerSource::Mnemonic {
        phrase: SecretRef::File(chain.mnemonic.clone()),
        index: 7,
    })
    .unwrap();
    let env = ActivityEnvironment::builder_with_default()
        .register_activities(PriceSigner::new(key, broker, chain.chains.clone()))
        .build();
    let request = PriceRequest {
        chain_id: CHAIN_ID,
        book: Address::repeat_byte(0x4b),
        symbol_id: 1,
        symbol: "ETHUSDT".into(),
    };
    let signed = env.run(PriceSigner::sign_price, request).await.unwrap();
    assert_eq!(
        signed.timestamp, chain_time,
        "stamped with the chain's latest block time, which the book checks it against"
    );
}

/// The policy refuses, for good and before signing, a call it has no rule for, a transfer to
/// someone it may not pay, and value beyond a limit per transaction or per period; what it
/// allows is sent as before.
#[tokio::test]
async fn the_policy_refuses_what_it_does_not_allow_and_signs_nothing() {
    let chain = chain(Duration::from_secs(60)).await;
    let payee = Address::repeat_byte(0x51);
    let mut policy = chain.policy();
    policy.rules[0].first_argument = Some(vec![payee]);
    policy.limits = vec![Limit {
        chain_id: CHAIN_ID,
        token: Some(chain.usdc),
        per_tx: U256::from(100u64),
        per_period: U256::from(250u64),
        period: Duration::from_secs(3600),
    }];
    let env = chain.hot_wallet_under(policy, chain.chains.clone(), &chain.journal);
    let refused = |key: &'static str, intent: TxIntent, rule: &'static str| {
        let env = &env;
        let chain = &chain;
        async move {
            let error = env
                .run(HotWallet::submit_transaction, intent)
                .await
                .unwrap_err();
            assert!(non_retryable(&error), "{key}: {error:?}");
            assert!(
                message(&error).starts_with(&format!("policy rule {rule} refuses it")),
                "{key}: {error:?}"
            );
            assert!(chain.journaled(key).is_empty(), "{key}: nothing was signed");
        }
    };

    let approve = TxIntent {
        data: approveCall {
            spender: payee,
            value: U256::MAX,
        }
        .abi_encode()
        .into(),
        ..chain.usdc_transfer("approve", payee, 1)
    };
    refused("approve", approve, "allowlist").await;
    let stranger = Address::repeat_byte(0x52);
    refused(
        "stranger",
        chain.usdc_transfer("stranger", stranger, 1),
        "usdc",
    )
    .await;
    refused("big", chain.usdc_transfer("big", payee, 101), "value-limit").await;
    for key in ["first", "second"] {
        env.run(
            HotWallet::submit_transaction,
            chain.usdc_transfer(key, payee, 100),
        )
        .await
        .unwrap();
    }
    refused(
        "third",
        chain.usdc_transfer("third", payee, 100),
        "value-limit",
    )
    .await;
    assert_eq!(usdc_balance(&chain, payee).await, U256::from(200u64));
    assert_eq!(usdc_balance(&chain, stranger).await, U256::ZERO);
}
