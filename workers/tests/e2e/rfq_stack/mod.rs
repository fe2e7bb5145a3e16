//! The RFQ dealer's neighbours, every one real and local, for the dealer tests and the quotes
//! bench: an anvil with `RfqSettlement` and two `TestToken`s (WETH 18, USDC 6), the hot wallet's
//! `QuoteSigner` (gRPC) holding the dev key, a paper exchange and the order book manager over it
//! (gRPC), and the dealer's TOML configuration for them.

// The tests and the quotes bench each use part of it.
#![allow(dead_code)]

pub(crate) use crate::contract_chain;

use alloy::providers::Provider;
use alloy::{
    primitives::{Address, U256},
    providers::DynProvider,
    signers::local::PrivateKeySigner,
    sol,
    sol_types::SolValue,
};
use contract_chain::{DevChain, mined};
use hedgeflow_activities::{
    chain::{ChainClient, ChainConfig},
    rfq::QuoteSigner,
};
use hedgeflow_dealer::maker::MarketView;
use hedgeflow_dealer::service::{DealerConfig, FillSettlement, QuoteService, SettleError};
use hedgeflow_market::binance::MarketData;
use hedgeflow_market::manager::{BookKey, Books, Feed, Settings};
use hedgeflow_proto::rfq::fill::{FillAnswer, FillOrder, FillRefusal};
use hedgeflow_proto::rfq::quote::RfqOrder;
use rust_decimal::Decimal;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio_stream::wrappers::TcpListenerStream;

sol!(
    // 0x v4's event has eight fields, and the generated code takes them as arguments
    #[allow(clippy::too_many_arguments)]
    #[sol(rpc, all_derives)]
    RfqSettlement,
    "../contracts/artifacts/RfqSettlement.json"
);
sol!(
    #[sol(rpc, all_derives)]
    TestToken,
    "../contracts/artifacts/TestToken.json"
);

pub const HOT_WALLET: usize = 0;
pub const TAKER: usize = 1;
pub const DEPLOYER: usize = 9;
pub const WETH: u128 = 1_000_000_000_000_000_000;
pub const USDC: u128 = 1_000_000;

pub type Token = TestToken::TestTokenInstance<DynProvider>;

/// The settlement chain: `RfqSettlement`, WETH and USDC.
pub struct RfqChain {
    pub dev: DevChain,
    pub chain_id: u64,
    pub settlement: RfqSettlement::RfqSettlementInstance<DynProvider>,
    pub weth: Token,
    pub usdc: Token,
}

impl RfqChain {
    /// The hot wallet holds 10 WETH and 50,000 USDC, the taker 10 WETH and 100,000 USDC; both
    /// approved the settlement.
    pub async fn start(name: &str, chain_id: u64) -> RfqChain {
        let dev = contract_chain::dev_chain(name, chain_id).await;
        let provider = dev.provider.clone();
        let deployer = dev.signers[DEPLOYER].address();
        let settlement = RfqSettlement::deploy_builder(provider.clone())
            .from(deployer)
            .deploy()
            .await
            .unwrap();
        let deploy = |name: &str, symbol: &str, decimals: u8| {
            TestToken::deploy_builder(provider.clone(), name.into(), symbol.into(), decimals)
                .from(deployer)
        };
        let weth = deploy("Wrapped Ether", "WETH", 18).deploy().await.unwrap();
        let usdc = deploy("USD Coin", "USDC", 6).deploy().await.unwrap();
        let chain = RfqChain {
            chain_id,
            settlement: RfqSettlement::new(settlement, provider.clone()),
            weth: TestToken::new(weth, provider.clone()),
            usdc: TestToken::new(usdc, provider),
            dev,
        };
        for (account, weth, usdc) in [
            (HOT_WALLET, 10 * WETH, 50_000 * USDC),
            (TAKER, 10 * WETH, 100_000 * USDC),
        ] {
            let owner = chain.account(account);
            mined(chain.weth.mint(owner, U256::from(weth)).from(deployer)).await;
            mined(chain.usdc.mint(owner, U256::from(usdc)).from(deployer)).await;
            mined(chain.weth.approve(settlement, U256::MAX).from(owner)).await;
            mined(chain.usdc.approve(settlement, U256::MAX).from(owner)).await;
        }
        chain
    }

    pub fn account(&self, index: usize) -> Address {
        self.dev.signers[index].address()
    }

    pub fn signer(&self, index: usize) -> &PrivateKeySigner {
        &self.dev.signers[index]
    }

    /// The hot wallet's quote signer on a free local port, signing orders that expire within
    /// `max_ttl`; returns its endpoint.
    pub async fn quote_signer(&self, max_ttl: Duration) -> String {
        let config: ChainConfig = toml::from_str(&format!(
            r#"
            chain-id = {}
            rpc = [{{ http = "{}" }}]
            [tokens]
            WETH = {{ address = "{}", decimals = 18 }}
            USDC = {{ address = "{}", decimals = 6 }}
            "#,
            self.chain_id,
            self.dev.rpc,
            self.weth.address(),
            self.usdc.address(),
        ))
        .unwrap();
        let chain = ChainClient::connect("rfq-stack", config).await.unwrap();
        let signer = QuoteSigner::new(
            self.dev.signers[HOT_WALLET].clone(),
            chain,
            *self.settlement.address(),
            max_ttl,
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(
            tonic::transport::Server::builder()
                .add_service(signer.server(Default::default()))
                .serve_with_incoming(TcpListenerStream::new(listener)),
        );
        format!("http://{address}")
    }

    /// (WETH, USDC) base units held by the account.
    pub async fn balances(&self, account: usize) -> (U256, U256) {
        let owner = self.account(account);
        (
            self.weth.balanceOf(owner).call().await.unwrap(),
            self.usdc.balanceOf(owner).call().await.unwrap(),
        )
    }

    /// The dealer's configuration for this chain: WETH/USDC hedged on ETHUSDT, at most 5 WETH a
    /// quote, 3 WETH of pending exposure, 10 s quotes.
    pub fn dealer_config(&self, obm: &str, signer: &str) -> DealerConfig {
        toml::from_str(&format!(
            r#"
            [obm]
            endpoint = "{obm}"
            exchange = "paper"

            [hot-wallet]
            endpoint = "{signer}"
            address = "{hot_wallet}"
            funds-refresh = "200ms"

            [settlement]
            chain-id = {chain_id}
            contract = "{settlement}"
            gas-limit = 300000
            gas-price = 1000000000

            [assets.WETH]
            address = "{weth}"
            decimals = 18
            [assets.USDC]
            address = "{usdc}"
            decimals = 6

            [exposure-caps]
            WETH = "3"

            [[markets]]
            id = "WETH/USDC"
            base = "WETH"
            quote = "USDC"
            route = {{ direct = "ETHUSDT" }}
            taker-fee = "0.001"
            premium-bps = "5"
            volatility-multiplier = "1"
            skew-factor-bps = "5"
            inventory-limit = "20"
            min-base = "0.01"
            max-base = "5"
            max-deviation-bps = "200"
            quote-ttl = "10s"
            max-book-age = "3s"
            "#,
            chain_id = self.chain_id,
            hot_wallet = self.account(HOT_WALLET),
            settlement = self.settlement.address(),
            weth = self.weth.address(),
            usdc = self.usdc.address(),
        ))
        .unwrap()
    }
}

/// The order as `RfqSettlement`'s ABI type.
pub fn onchain(order: &RfqOrder) -> RfqSettlement::RfqOrder {
    RfqSettlement::RfqOrder::abi_decode(&order.abi_encode()).unwrap()
}

/// A paper exchange and an OBM following its ETHUSDT; returns the OBM's endpoint.
pub async fn obm() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let exchange = listener.local_addr().unwrap();
    let config = hedgeflow_paper_exchange::Config {
        seed: Some(11),
        tick_interval: Duration::from_millis(100),
        ..Default::default()
    };
    tokio::spawn(async move {
        hedgeflow_paper_exchange::serve(config, listener)
            .await
            .unwrap();
    });
    let feed = Feed {
        key: BookKey {
            exchange: "paper".into(),
            symbol: "ETHUSDT".into(),
        },
        market_data: MarketData::new(
            format!("http://{exchange}").parse().unwrap(),
            format!("ws://{exchange}").parse().unwrap(),
            1000,
        ),
    };
    let settings = Settings {
        stale_after: Duration::from_secs(2),
        sample_interval: Duration::from_millis(100),
        volatility_window: Duration::from_secs(10),
        reconnect_delay: Duration::from_millis(200),
    };
    let books = Arc::new(Books::spawn(vec![feed], settings));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(hedgeflow_market::grpc::Service::new(books).server())
            .serve_with_incoming(TcpListenerStream::new(listener)),
    );
    format!("http://{address}")
}

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// Waits for a live ETHUSDT book and the hot wallet's balances.
pub async fn ready(dealer: &QuoteService) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let books = dealer.market_data();
        let live = books
            .book("ETHUSDT")
            .is_some_and(|b| b.check(now_ms(), Duration::from_secs(3)).is_ok());
        if live && dealer.inventory().available("WETH") > Decimal::ZERO {
            return;
        }
        assert!(Instant::now() < deadline, "dealer not ready: {books:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The fill settlement of the tests that run the dealer without Temporal: it sends the fill's
/// settlement from the hot wallet's key on the test chain, once per quote, and answers a repeat
/// with the first answer, as the fill workflow does (that workflow is tested end to end in
/// `rfq_fill.rs`).
pub struct SettleOnChain {
    provider: DynProvider,
    hot_wallet: Address,
    answers: tokio::sync::Mutex<std::collections::HashMap<String, FillAnswer>>,
    /// Every fill handed over, in order.
    pub settled: std::sync::Mutex<Vec<FillOrder>>,
}

impl SettleOnChain {
    pub fn new(chain: &RfqChain) -> Arc<Self> {
        Arc::new(Self {
            provider: chain.dev.provider.clone(),
            hot_wallet: chain.account(HOT_WALLET),
            answers: Default::default(),
            settled: Default::default(),
        })
    }
}

#[async_trait::async_trait]
impl FillSettlement for SettleOnChain {
    async fn settle(&self, fill: FillOrder) -> Result<FillAnswer, SettleError> {
        let mut answers = self.answers.lock().await;
        if let Some(answer) = answers.get(&fill.quote_id) {
            return Ok(answer.clone());
        }
        self.settled.lock().unwrap().push(fill.clone());
        let intent = fill.settle_intent();
        let tx = alloy::rpc::types::TransactionRequest::default()
            .from(self.hot_wallet)
            .to(intent.to)
            .input(intent.data.into());
        let answer = match self.provider.send_transaction(tx).await {
            Ok(pending) => {
                let receipt = pending
                    .get_receipt()
                    .await
                    .map_err(|e| SettleError(e.to_string()))?;
                assert!(receipt.status(), "the settlement reverted: {receipt:?}");
                FillAnswer::Submitted {
                    tx_hash: receipt.transaction_hash,
                    submitted_at_ms: now_ms(),
                }
            }
            Err(error) => FillAnswer::Refused {
                refusal: FillRefusal::ValidationFailed,
                reason: error.to_string(),
            },
        };
        answers.insert(fill.quote_id, answer.clone());
        Ok(answer)
    }
}
