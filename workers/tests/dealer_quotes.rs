//! The dealer's quote path end to end, every neighbour real and in-process or local: a paper
//! exchange, the order book manager over it (gRPC), an anvil chain with `RfqSettlement` and two
//! `TestToken`s, the hot wallet's `QuoteSigner` (gRPC) holding the dev key, and
//! `hedgeflow_dealer::service::QuoteService` configured from TOML. A signed quote is then filled
//! on chain exactly as the hot wallet would submit it, which proves the order, its amounts and
//! its signature are what `RfqSettlement` accepts.
//!
//! It lives here rather than in `dealer/tests/` because it needs the hot wallet
//! (`hedgeflow-activities`) and the anvil launcher (`hedgeflow::dev`), which the dealer crate
//! must not depend on.

use alloy::{
    network::EthereumWallet,
    primitives::{Address, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    signers::{
        SignerSync,
        local::{MnemonicBuilder, PrivateKeySigner, coins_bip39::English},
    },
    sol,
    sol_types::{SolStruct, SolValue},
};
use hedgeflow::dev::{self, anvil, process};
use hedgeflow_activities::{
    chain::{ChainClient, ChainConfig},
    settlement::QuoteSigner,
};
use hedgeflow_dealer::api::{Dealer, QuoteError, QuoteRequest, Size};
use hedgeflow_dealer::maker::MarketView;
use hedgeflow_dealer::service::{DealerConfig, MemoryQuoteStore, QuoteService, QuoteStore};
use hedgeflow_market::binance::MarketData;
use hedgeflow_market::manager::{BookKey, Books, Feed, Settings};
use hedgeflow_proto::rfq::{RfqFillApproval, RfqOrder};
use rust_decimal::Decimal;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio_stream::wrappers::TcpListenerStream;

sol!(
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

const CHAIN_ID: u64 = 41352;
const HOT_WALLET: usize = 0;
const TAKER: usize = 1;
const DEPLOYER: usize = 9;
const WETH: u128 = 1_000_000_000_000_000_000;
const USDC: u128 = 1_000_000;

type Token = TestToken::TestTokenInstance<DynProvider>;

struct Chain {
    _anvil: process::Supervised,
    _dir: tempfile::TempDir,
    rpc: String,
    signers: Vec<PrivateKeySigner>,
    settlement: RfqSettlement::RfqSettlementInstance<DynProvider>,
    weth: Token,
    usdc: Token,
}

/// Sends and waits for a successful receipt.
macro_rules! mined {
    ($call:expr) => {{
        let receipt = $call
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e:?}"))
            .get_receipt()
            .await
            .unwrap();
        assert!(receipt.status(), "reverted: {receipt:?}");
        receipt
    }};
}

impl Chain {
    /// Anvil with the settlement and WETH (18) / USDC (6); the hot wallet holds 10 WETH and
    /// 50,000 USDC, the taker 10 WETH and 100,000 USDC; both approved the settlement.
    async fn start() -> Chain {
        let dir = tempfile::tempdir().unwrap();
        let port = process::free_port();
        let anvil = anvil::start(&anvil::Options {
            name: "dealer-quotes".into(),
            port,
            chain_id: CHAIN_ID,
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
        let provider = ProviderBuilder::new()
            .disable_recommended_fillers()
            .with_gas_estimation()
            .with_simple_nonce_management()
            .with_chain_id(CHAIN_ID)
            .wallet(wallet)
            .connect_http(rpc.parse().unwrap())
            .erased();
        let deployer = signers[DEPLOYER].address();
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
        let chain = Chain {
            _anvil: anvil,
            _dir: dir,
            rpc,
            settlement: RfqSettlement::new(settlement, provider.clone()),
            weth: TestToken::new(weth, provider.clone()),
            usdc: TestToken::new(usdc, provider),
            signers,
        };
        for (account, weth, usdc) in [
            (HOT_WALLET, 10 * WETH, 50_000 * USDC),
            (TAKER, 10 * WETH, 100_000 * USDC),
        ] {
            let owner = chain.account(account);
            mined!(chain.weth.mint(owner, U256::from(weth)).from(deployer));
            mined!(chain.usdc.mint(owner, U256::from(usdc)).from(deployer));
            mined!(chain.weth.approve(settlement, U256::MAX).from(owner));
            mined!(chain.usdc.approve(settlement, U256::MAX).from(owner));
        }
        chain
    }

    fn account(&self, index: usize) -> Address {
        self.signers[index].address()
    }

    /// The hot wallet's quote signer on a free local port, signing orders that expire within
    /// `max_ttl`; returns its endpoint.
    async fn quote_signer(&self, max_ttl: Duration) -> String {
        let config: ChainConfig = toml::from_str(&format!(
            r#"
            chain-id = {CHAIN_ID}
            rpc = [{{ http = "{}" }}]
            [tokens]
            WETH = {{ address = "{}", decimals = 18 }}
            USDC = {{ address = "{}", decimals = 6 }}
            "#,
            self.rpc,
            self.weth.address(),
            self.usdc.address(),
        ))
        .unwrap();
        let chain = ChainClient::connect("dealer-quotes", config).await.unwrap();
        let signer = QuoteSigner::new(
            self.signers[HOT_WALLET].clone(),
            chain,
            *self.settlement.address(),
            max_ttl,
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(
            tonic::transport::Server::builder()
                .add_service(signer.server())
                .serve_with_incoming(TcpListenerStream::new(listener)),
        );
        format!("http://{address}")
    }

    async fn balances(&self, account: usize) -> (U256, U256) {
        let owner = self.account(account);
        (
            self.weth.balanceOf(owner).call().await.unwrap(),
            self.usdc.balanceOf(owner).call().await.unwrap(),
        )
    }
}

/// A paper exchange and an OBM following its ETHUSDT; returns the OBM's endpoint.
async fn obm() -> String {
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

fn dealer_config(chain: &Chain, obm: &str, signer: &str) -> DealerConfig {
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
        chain-id = {CHAIN_ID}
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
        hot_wallet = chain.account(HOT_WALLET),
        settlement = chain.settlement.address(),
        weth = chain.weth.address(),
        usdc = chain.usdc.address(),
    ))
    .unwrap()
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// Waits for a live book and the hot wallet's balances.
async fn ready(dealer: &QuoteService) {
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

fn request(chain: &Chain, maker: Address, taker: Address, size: Size) -> QuoteRequest {
    QuoteRequest {
        maker_asset: maker,
        taker_asset: taker,
        size,
        taker: chain.account(TAKER),
        include_order: true,
    }
}

fn onchain(order: &RfqOrder) -> RfqSettlement::RfqOrder {
    RfqSettlement::RfqOrder::abi_decode(&order.abi_encode()).unwrap()
}

#[tokio::test]
async fn the_dealer_prices_from_live_books_signs_with_the_hot_wallet_and_the_order_fills() {
    let chain = Chain::start().await;
    let (obm, signer) = (
        obm().await,
        chain.quote_signer(Duration::from_secs(60)).await,
    );
    let settings = dealer_config(&chain, &obm, &signer).settings().unwrap();
    let store = Arc::new(MemoryQuoteStore::new());
    let dealer = QuoteService::start(settings, store.clone()).unwrap();
    ready(&dealer).await;
    let (weth, usdc) = (*chain.weth.address(), *chain.usdc.address());
    assert_eq!(dealer.chain_id(), CHAIN_ID);
    assert_eq!(dealer.markets().len(), 2);

    // The taker buys exactly 1 WETH.
    let quote = dealer
        .quote(request(
            &chain,
            weth,
            usdc,
            Size::MakerSize(U256::from(WETH)),
        ))
        .await
        .unwrap();
    let book = dealer.market_data().book("ETHUSDT").unwrap().clone();
    let ask_usdc = book.best_ask().unwrap() * Decimal::from(USDC);
    assert_eq!(quote.maker_size, U256::from(WETH));
    assert!(
        quote.taker_size > U256::from(u128::try_from(ask_usdc.trunc().mantissa()).unwrap()),
        "pays {} for 1 WETH, best ask {}",
        quote.taker_size,
        book.best_ask().unwrap()
    );
    let signed = quote.order.clone().unwrap();
    let order = &signed.order;
    let hot_wallet = chain.account(HOT_WALLET);
    assert_eq!((order.maker, order.txOrigin), (hot_wallet, hot_wallet));
    assert_eq!(order.taker, chain.account(TAKER));
    assert_eq!((order.makerToken, order.takerToken), (weth, usdc));
    assert_eq!(U256::from(order.takerAmount), quote.taker_size);
    assert_eq!(order.expiry * 1000, quote.expiration_ms);
    assert!(quote.expiration_ms > quote.server_time_ms + 8_000);
    assert_eq!(
        (signed.chain_id, signed.verifying_contract),
        (CHAIN_ID, *chain.settlement.address())
    );
    // Stored before it was served, with what it was priced from.
    let record = store.get(quote.quote_id).await.unwrap().unwrap();
    assert_eq!(record.order, signed);
    assert_eq!(
        (record.maker_size, record.taker_size),
        (quote.maker_size, quote.taker_size)
    );
    assert_eq!(record.requested, Size::MakerSize(U256::from(WETH)));
    assert_eq!(record.priced.inputs.books[0].symbol, "ETHUSDT");
    assert!(record.priced.inputs.books[0].snapshot_id > 0);
    assert_eq!(record.priced.inputs.premium_bps, Decimal::from(5));
    assert!(record.priced.inputs.volatility >= Decimal::ZERO);
    let hash = chain
        .settlement
        .getRfqOrderHash(onchain(order))
        .call()
        .await
        .unwrap();
    assert_eq!(hash, signed.hash);

    // Filled on chain as the hot wallet submits it: the signature is the hot wallet's.
    let approval = RfqFillApproval {
        order: order.clone(),
    };
    let domain = hedgeflow_proto::rfq::domain(CHAIN_ID, *chain.settlement.address());
    let taker_signature = chain.signers[TAKER]
        .sign_hash_sync(&approval.eip712_signing_hash(&domain))
        .unwrap();
    let before = chain.balances(TAKER).await;
    mined!(
        chain
            .settlement
            .fillRfqOrder(
                onchain(order),
                signed.signature.to_vec().into(),
                taker_signature.as_bytes().to_vec().into(),
            )
            .from(hot_wallet)
    );
    let after = chain.balances(TAKER).await;
    assert_eq!(after.0, before.0 + U256::from(WETH));
    assert_eq!(after.1, before.1 - quote.taker_size);

    // The taker sells WETH for exactly 1,000 USDC: it pays WETH, rounded up.
    let quote = dealer
        .quote(request(
            &chain,
            usdc,
            weth,
            Size::MakerSize(U256::from(1_000 * USDC)),
        ))
        .await
        .unwrap();
    let order = &quote.order.as_ref().unwrap().order;
    assert_eq!((order.makerToken, order.takerToken), (usdc, weth));
    assert_eq!(order.makerAmount, 1_000 * USDC);
    let bid = book.best_bid().unwrap();
    assert!(
        quote.taker_size
            > U256::from(WETH) * U256::from(1_000u64)
                / U256::from(bid.trunc().mantissa().unsigned_abs() + 1),
        "pays {} wei of WETH for 1,000 USDC at bid {bid}",
        quote.taker_size
    );

    // An indicative quote is priced but not signed, and reserves nothing.
    let mut indicative = request(&chain, weth, usdc, Size::TakerSize(U256::from(500 * USDC)));
    indicative.include_order = false;
    let quote = dealer.quote(indicative).await.unwrap();
    assert!(quote.order.is_none());
    assert!(store.get(quote.quote_id).await.unwrap().is_none());
    assert!(quote.maker_size > U256::ZERO && quote.taker_size == U256::from(500 * USDC));

    // Refusals keep the spec's codes: above the market maximum, an unknown pair, and the WETH
    // exposure cap (3) with 1 WETH still reserved by the first quote.
    let refuse = |size: u128, maker: Address, taker: Address| {
        dealer.quote(request(
            &chain,
            maker,
            taker,
            Size::MakerSize(U256::from(size)),
        ))
    };
    let too_large = refuse(6 * WETH, weth, usdc).await.unwrap_err();
    assert_eq!(too_large.code(), -42011, "{too_large}");
    assert_eq!(
        refuse(WETH, weth, weth).await.unwrap_err(),
        QuoteError::UnsupportedMarket
    );
    let capped = refuse(5 * WETH / 2, weth, usdc).await.unwrap_err();
    assert_eq!(capped.code(), -42013, "{capped}");
    let within = refuse(WETH, weth, usdc).await.unwrap();
    assert!(within.order.is_some());
    // Three signed quotes served, three stored; refusals and indicative quotes leave no record.
    assert_eq!(store.len(), 3);
    assert_eq!(dealer.pending_exposure("WETH"), Decimal::from(2));
    assert_eq!(dealer.pending_exposure("USDC"), Decimal::from(1_000));

    // A hot wallet that refuses to sign (its horizon is shorter than the quote TTL): the quote is
    // unavailable, its reservation released, nothing stored.
    let strict = chain.quote_signer(Duration::from_secs(5)).await;
    let settings = dealer_config(&chain, &obm, &strict).settings().unwrap();
    let strict_store = Arc::new(MemoryQuoteStore::new());
    let refusing = QuoteService::start(settings, strict_store.clone()).unwrap();
    ready(&refusing).await;
    let refused = refusing
        .quote(request(
            &chain,
            weth,
            usdc,
            Size::MakerSize(U256::from(WETH)),
        ))
        .await
        .unwrap_err();
    assert_eq!(refused, QuoteError::Unavailable("signer".into()));
    assert_eq!(refusing.pending_exposure("WETH"), Decimal::ZERO);
    assert!(strict_store.is_empty());
}
