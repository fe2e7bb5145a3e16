//! The shared stack of the end-to-end tests: one Temporal dev server, two anvil chains (each RPC
//! provider a proxy that tests can stop: l1 behind two, l2's primary behind one; the escrow stack
//! adds a second L2, `l2b`, with its own escrow and relayer route), the test tokens
//! and escrow contracts, and the orchestrator, hot-wallet, indexer and relayer roles as real child
//! processes of the test binary (the indexer reaches Temporal through a stoppable proxy too).
//! Tests isolate themselves by workflow id, token and recipient, and run on one static runtime so
//! the stack outlives each test; the modules of the test binary that share a stack take turns
//! ([`run_as`]).

// Each test module and bench uses its own part of the shared stack.
#![allow(dead_code)]

pub mod party_a;
pub mod proxy;
pub mod rogue;
pub mod saved_views;
pub mod taker;
pub mod tls_proxy;
pub mod webhook;
pub mod worker;

use alloy::{
    primitives::{Address, B256, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
};
use anyhow::Context;
use hedgeflow::{
    config::Config,
    dev::{
        anvil,
        deploy::{self, INTENT_HOT_WALLET_FLOAT},
        process::{self, Supervised},
        temporal_server,
    },
};
use hedgeflow_activities::{
    chain::signer::{SecretRef, SignerSource, load_signer},
    store::local_postgres::{self, Postgres},
};
use std::{
    collections::BTreeMap,
    future::Future,
    path::PathBuf,
    sync::{LazyLock, PoisonError},
    time::Duration,
};
use temporalio_client::Client;
use tokio::sync::{Mutex, Notify, OnceCell};

pub const HOT_WALLET: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
pub const L1_ID: u64 = 31337;
pub const L2_ID: u64 = 31338;
/// The escrow stack's second L2 (the RFQ stacks run one).
pub const L2B_ID: u64 = 31339;

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("test runtime")
});
static STACK: OnceCell<Stack> = OnceCell::const_new();
static RFQ_STACK: OnceCell<Stack> = OnceCell::const_new();
static CHAOS_STACK: OnceCell<Stack> = OnceCell::const_new();

/// What the stack keeps its state in.
#[derive(Clone, Copy, PartialEq)]
enum Persistence {
    /// Temporal's history in memory and our data in SQLite: the fastest, and enough while the
    /// Temporal server itself never dies.
    Light,
    /// As in production: Temporal's history in a file (the server can be SIGKILLed and
    /// restarted on it), our data in a PostgreSQL of the stack's own, read by the hedger API and
    /// the CLI's reads as the read-only user of `deploy/postgres/reader.sql`.
    Production,
}

/// Runs a test body on the shared runtime's worker threads (children spawned there live as long
/// as the runtime: they are tied to the spawning thread's life).
pub fn run<F>(body: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match RUNTIME.block_on(RUNTIME.spawn(body)) {
        Ok(output) => output,
        Err(error) => std::panic::resume_unwind(error.into_panic()),
    }
}

/// The module whose tests hold the shared stacks, and how many of its tests do (see [`run_as`]).
static TENANT: std::sync::Mutex<(Option<&'static str>, usize)> = std::sync::Mutex::new((None, 0));
/// Wakes the tests waiting for [`TENANT`] when a module's last test lets go.
static TENANT_LEFT: LazyLock<Notify> = LazyLock::new(Notify::new);

/// [`run`] for a test of `module` on the shared stacks: it first waits until no test of another
/// module holds them, then holds them until it ends (passed or failed), alongside the tests of its
/// own module.
///
/// One test binary holds every end-to-end test, and the modules that were binaries of their own
/// share its stacks: `transfer` and `escrow` the escrow stack, `rfq_fill` and `intent_hedger` the
/// RFQ stack. Their tests kill roles, hold and reorg chains, stop providers and check the shared
/// hot wallet's balances, each written for a stack only its own module's tests touch; so the
/// modules take turns, one at a time on all the stacks (`chaos`, on its own stack, also runs
/// alone, as its thresholds assume).
pub fn run_as<F>(module: &'static str, body: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    run(async move {
        let _turn = Tenancy::take(module).await;
        body.await
    })
}

/// A test's hold on the shared stacks for its module.
struct Tenancy;

impl Tenancy {
    async fn take(module: &'static str) -> Tenancy {
        loop {
            // Made before looking, so a release between the look and the wait still wakes us.
            let left = TENANT_LEFT.notified();
            {
                let mut tenant = TENANT.lock().unwrap_or_else(PoisonError::into_inner);
                if tenant.0.is_none_or(|holder| holder == module) {
                    *tenant = (Some(module), tenant.1 + 1);
                    return Tenancy;
                }
            }
            left.await;
        }
    }
}

impl Drop for Tenancy {
    fn drop(&mut self) {
        let mut tenant = TENANT.lock().unwrap_or_else(PoisonError::into_inner);
        tenant.1 -= 1;
        if tenant.1 == 0 {
            tenant.0 = None;
            TENANT_LEFT.notify_waiters();
        }
    }
}

pub struct Stack {
    pub dir: PathBuf,
    pub config_path: PathBuf,
    pub config: Config,
    pub client: Client,
    pub l1: DynProvider,
    pub l2: DynProvider,
    /// The second L2, `l2b`, in the escrow stack only.
    pub l2b: Option<DynProvider>,
    /// The chains' own endpoints, behind no proxy: for test drivers no fault should reach.
    l1_rpc: reqwest::Url,
    l2_rpc: reqwest::Url,
    l2b_rpc: Option<reqwest::Url>,
    /// The l2 primary endpoint; stopping it is the failover test.
    pub l2_primary: proxy::Proxy,
    /// l1's two providers; the stack's roles reach l1 only through them.
    pub l1_primary: proxy::Proxy,
    pub l1_secondary: proxy::Proxy,
    /// The indexer's way to Temporal.
    pub indexer_temporal: proxy::Proxy,
    /// The dealer's own database user's URL, as production gives it (PostgreSQL stacks only).
    dealer_database: Option<String>,
    roles: Mutex<BTreeMap<&'static str, Supervised>>,
    /// Where the RFQ stack's position validator posts its mismatches.
    pub webhook: webhook::Webhook,
    /// The Temporal dev server; history on disk only in the chaos stack (see [`Persistence`]).
    temporal: Mutex<Supervised>,
    persistence: Persistence,
    _postgres: Option<Postgres>,
    /// The anvil chains.
    _servers: Vec<Supervised>,
    _dir: tempfile::TempDir,
}

pub async fn stack() -> &'static Stack {
    shared(&STACK, false, Persistence::Light).await
}

/// The stack plus the RFQ dealer's side: `RfqSettlement` on l1 (the settlement chain), a paper
/// exchange, the order book manager and the dealer role, and the hot wallet's quote signer and
/// fill check. The dealer's front door is at [`Stack::dealer_url`].
pub async fn rfq_stack() -> &'static Stack {
    shared(&RFQ_STACK, true, Persistence::Light).await
}

/// The RFQ stack with production's persistence ([`Persistence::Production`]): the Temporal
/// server survives [`Stack::crash_temporal`], and the pipelines run on PostgreSQL (the chaos run).
pub async fn chaos_stack() -> &'static Stack {
    shared(&CHAOS_STACK, true, Persistence::Production).await
}

/// The stack `cell` holds, started on first use.
async fn shared(
    cell: &'static OnceCell<Stack>,
    rfq: bool,
    persistence: Persistence,
) -> &'static Stack {
    cell.get_or_init(|| async {
        start(rfq, persistence)
            .await
            .expect("starting the test stack")
    })
    .await
}

async fn start(rfq: bool, persistence: Persistence) -> anyhow::Result<Stack> {
    let temp = process_dir()?;
    let dir = temp.path().to_owned();
    let (postgres, database, dealer_database) = database(&dir, persistence).await;
    let temporal_port = process::free_port();
    let temporal = temporal_server::start(&temporal_server::Options {
        port: temporal_port,
        ui_port: None,
        db_file: (persistence == Persistence::Production).then(|| dir.join("temporal.db")),
        log: dir.join("temporal.log"),
    })
    .await?;
    let mut servers = Vec::new();
    // The chains' ports only once the dev server is up: its internal services bind ports the
    // system picks, and one of them once took a port chosen for anvil before anvil bound it (the
    // stack's RPC calls then reached Temporal and got 404).
    let (l1_port, l2_port) = (process::free_port(), process::free_port());
    // The escrow stack's second L2: orders on two chains at once, each claimed on its own.
    let l2b_port = (!rfq).then(process::free_port);
    let chains = [("l1", l1_port, L1_ID), ("l2", l2_port, L2_ID)]
        .into_iter()
        .chain(l2b_port.map(|port| ("l2b", port, L2B_ID)));
    for (name, port, chain_id) in chains {
        servers.push(
            anvil::start(&anvil::Options {
                name: name.into(),
                port,
                chain_id,
                block_time: 1,
                state: None,
                log: dir.join(format!("anvil-{name}.log")),
            })
            .await?,
        );
    }
    let l2_primary = proxy::Proxy::start(l2_port).await?;
    let l1_primary = proxy::Proxy::start(l1_port).await?;
    let l1_secondary = proxy::Proxy::start(l1_port).await?;
    let indexer_temporal = proxy::Proxy::start(temporal_port).await?;
    let l2s = if l2b_port.is_some() { 2 } else { 1 };
    let contracts = deploy::EscrowContracts::of(DEPLOYER.parse()?, 0, l2s);

    let mnemonic = dir.join("mnemonic");
    std::fs::write(&mnemonic, hedgeflow::dev::DEV_MNEMONIC)?;
    let mut config_text = format!(
        r#"
[temporal]
address = "http://127.0.0.1:{temporal_port}"
ui-url = "http://127.0.0.1:8233"
grpc-compression = "none"

{database}

[metrics]
orchestrator = "127.0.0.1:{orchestrator_metrics}"
hot-wallet = "127.0.0.1:{hot_wallet_metrics}"

[escrow]
l1 = "l1"
payment-registry = "{registry}"
max-order = "5"
gas-reserve = "10"
min-time-left = "1h"
confirmation-tiers = [{{ above = "1", confirmations = 3 }}]
claim-window = "1s"
claim-max-batch = 20
# Triggered by the tests that need it.
scan-interval = "1h"
indexer-dir = "{dir}/indexer"

[escrow.l2.l2]
escrow = "{escrow}"
confirmations = 1
confirmation-tiers = [{{ above = "0.5", confirmations = 4 }}]
finality-depth = 3
max-unfinal-value = "3"

[relayer]
signer = {{ kind = "mnemonic", phrase = {{ file = "{mnemonic}" }}, index = 8 }}

[[relayer.routes]]
from = "l1"
l1-messenger = "{l1_messenger}"
to = "l2"
l2-messenger = "{l2_messenger}"

[dev]
data-dir = "{dir}"
temporal-port = {temporal_port}
temporal-ui-port = 8233
deployer = {{ kind = "mnemonic", phrase = {{ file = "{mnemonic}" }}, index = 9 }}
anvil = {{}}

[hot-wallet]
address = "{HOT_WALLET}"
journal = "{dir}/hot-wallet/journal.jsonl"
signer = {{ kind = "mnemonic", phrase = {{ file = "{mnemonic}" }} }}

# The tests' payees and the paper broker's deposit address; limits the tests stay within, but
# for the one that goes beyond USDC's per-transaction limit.
[hot-wallet.policy]
recipients = [{recipients}]
limits = [
  {{ chain = "l1", asset = "ETH", per-tx = "50", per-day = "100000" }},
  {{ chain = "l1", asset = "USDC", per-tx = "{USDC_PER_TX_LIMIT}", per-day = "1000000" }},
  {{ chain = "l2", asset = "USDC", per-tx = "{USDC_PER_TX_LIMIT}", per-day = "1000000" }},
]

[chains.l1]
chain-id = {L1_ID}
confirmations = 2
poll-interval = "200ms"
rpc = [
  {{ http = "http://127.0.0.1:{l1a}", ws = "ws://127.0.0.1:{l1a}" }},
  {{ http = "http://127.0.0.1:{l1b}", ws = "ws://127.0.0.1:{l1b}" }},
]
tokens = {{ WETH = {{ address = "{weth}", decimals = 18 }}, USDC = {{ address = "{usdc}", decimals = 6 }} }}

[chains.l2]
chain-id = {L2_ID}
confirmations = 2
poll-interval = "200ms"
rpc = [
  {{ http = "http://127.0.0.1:{proxy}", ws = "ws://127.0.0.1:{proxy}" }},
  {{ http = "http://127.0.0.1:{l2_port}", ws = "ws://127.0.0.1:{l2_port}" }},
]
tokens = {{ WETH = {{ address = "{weth}", decimals = 18 }}, USDC = {{ address = "{usdc}", decimals = 6 }} }}
"#,
        dir = dir.display(),
        mnemonic = mnemonic.display(),
        database = database,
        orchestrator_metrics = process::free_port(),
        hot_wallet_metrics = process::free_port(),
        proxy = l2_primary.port(),
        l1a = l1_primary.port(),
        l1b = l1_secondary.port(),
        registry = contracts.payment_registry,
        escrow = contracts.escrow,
        l1_messenger = contracts.l1_messenger,
        l2_messenger = contracts.l2_messenger,
        weth = deployer_token("WETH"),
        usdc = deployer_token("USDC"),
        recipients = policy_recipients()
            .iter()
            .map(|a| format!("\"{a}\""))
            .collect::<Vec<_>>()
            .join(", "),
    );
    if let Some(port) = l2b_port {
        config_text.push_str(&l2b_config(port, 1, l2s)?);
    }
    // The position validator's mismatch webhook (the RFQ stack's `[intents]`).
    let webhook = webhook::Webhook::start().await?;
    if rfq {
        config_text.push_str(&rfq_config(&dir, l2_port, l2s, webhook.port, persistence)?);
    }
    let config_path = dir.join("hedgeflow.toml");
    std::fs::write(&config_path, &config_text)?;
    let config = Config::parse(&config_text, [])?;
    let deployer = SignerSource::Mnemonic {
        phrase: SecretRef::File(mnemonic.clone()),
        index: 9,
    };
    deploy::ensure_tokens(&config.chains, config.hot_wallet.address, &deployer).await?;
    let relayer = SignerSource::Mnemonic {
        phrase: SecretRef::File(mnemonic.clone()),
        index: 8,
    };
    deploy::ensure_escrow(
        &config.chains["l1"],
        &deploy::escrow_l2s(&config),
        config.hot_wallet.address,
        load_signer(&relayer)?.address(),
        24 * 3600,
        &deployer,
    )
    .await?;

    if let Some(settlement) = &config.settlement {
        let l1 = &config.chains["l1"];
        deploy::ensure_settlement(l1, settlement.contract, &deployer).await?;
        let hot_wallet = [config.hot_wallet.signer.clone()];
        deploy::ensure_settlement_allowances(l1, settlement.contract, &hot_wallet).await?;
    }
    if let (Some(intents), Some(price_signer)) = (&config.intents, &config.price_signer) {
        let chain = &config.chains[&intents.chain];
        let hot_wallet = &config.hot_wallet.signer;
        let exchange_wallet = config.paper_exchange_wallet()?;
        deploy::ensure_intent_book(
            chain,
            intents,
            price_signer.address,
            hot_wallet,
            &deployer,
            exchange_wallet,
        )
        .await?;
    }
    let client = hedgeflow::temporal::connect(&config.temporal, "e2e-test").await?;
    let l1_rpc: reqwest::Url = format!("http://127.0.0.1:{l1_port}").parse()?;
    let l2_rpc: reqwest::Url = format!("http://127.0.0.1:{l2_port}").parse()?;
    let l2b_rpc: Option<reqwest::Url> =
        l2b_port.map(|port| format!("http://127.0.0.1:{port}").parse().unwrap());
    let stack = Stack {
        l1: ProviderBuilder::new().connect_http(l1_rpc.clone()).erased(),
        l2: ProviderBuilder::new().connect_http(l2_rpc.clone()).erased(),
        l2b: l2b_rpc
            .clone()
            .map(|url| ProviderBuilder::new().connect_http(url).erased()),
        l1_rpc,
        l2_rpc,
        l2b_rpc,
        dir,
        config_path,
        config,
        client,
        l2_primary,
        l1_primary,
        l1_secondary,
        indexer_temporal,
        dealer_database,
        roles: Mutex::new(BTreeMap::new()),
        webhook,
        temporal: Mutex::new(temporal),
        persistence,
        _postgres: postgres,
        _servers: servers,
        _dir: temp,
    };
    for role in ["orchestrator", "hot-wallet", "indexer", "relayer"] {
        stack.start_role(role).await?;
    }
    if rfq {
        for role in [
            "paper-exchange",
            "obm",
            "exchange",
            "dealer",
            "price-signer",
            "hedger-api",
        ] {
            stack.start_role(role).await?;
        }
    }
    Ok(stack)
}

/// The second L2 of the escrow stack: its chain, its escrow (the `index`-th of `l2s`) and its
/// relayer route (new tables, and one more `[[relayer.routes]]`).
fn l2b_config(port: u16, index: usize, l2s: usize) -> anyhow::Result<String> {
    let contracts = deploy::EscrowContracts::of(DEPLOYER.parse()?, index, l2s);
    Ok(format!(
        r#"
[chains.l2b]
chain-id = {L2B_ID}
confirmations = 2
poll-interval = "200ms"
rpc = [{{ http = "http://127.0.0.1:{port}", ws = "ws://127.0.0.1:{port}" }}]
tokens = {{ WETH = {{ address = "{weth}", decimals = 18 }}, USDC = {{ address = "{usdc}", decimals = 6 }} }}

[escrow.l2.l2b]
escrow = "{escrow}"
confirmations = 1
finality-depth = 3
max-unfinal-value = "3"

[[relayer.routes]]
from = "l1"
l1-messenger = "{l1_messenger}"
to = "l2b"
l2-messenger = "{l2_messenger}"
"#,
        weth = deployer_token("WETH"),
        usdc = deployer_token("USDC"),
        escrow = contracts.escrow,
        l1_messenger = contracts.l1_messenger,
        l2_messenger = contracts.l2_messenger,
    ))
}

/// The RFQ sections: l1 settles, WETH/USDC quoted from the paper exchange's ETHUSDT.
fn rfq_config(
    dir: &std::path::Path,
    l2_port: u16,
    l2s: usize,
    webhook: u16,
    persistence: Persistence,
) -> anyhow::Result<String> {
    // The tests run the sweep themselves; the chaos run lets it find what a crash lost, as in
    // production.
    let sweep_every = match persistence {
        Persistence::Light => "1h",
        Persistence::Production => "15s",
    };
    let token = dir.join("dealer-admin-token");
    std::fs::write(&token, "e2e-dealer-admin-token")?;
    let signer_token = dir.join("quote-signer-token");
    std::fs::write(&signer_token, "e2e-quote-signer-token")?;
    let (api_key, secret_key) = (
        dir.join("exchange-api-key"),
        dir.join("exchange-secret-key"),
    );
    std::fs::write(&api_key, hedgeflow_paper_exchange::DEV_API_KEY)?;
    std::fs::write(&secret_key, hedgeflow_paper_exchange::DEV_SECRET_KEY)?;
    Ok(format!(
        r#"
[settlement]
chain = "l1"
contract = "{settlement}"
max-order-ttl = "2m"
signer-listen = "127.0.0.1:{signer}"
signer-token = {{ file = "{signer_token}" }}
fill-margin = "5s"

[exchanges.binance]
rest = "http://127.0.0.1:{paper}"
websocket = "ws://127.0.0.1:{paper}"

[obm]
listen = "127.0.0.1:{obm}"
books = [{{ exchange = "binance", symbol = "ETHUSDT" }}]
snapshot-limit = 1000
stale-after = "5s"
sample-interval = "1s"
volatility-window = "60s"

[paper-exchange]
listen = "127.0.0.1:{paper}"
# The crash tests' orders are placed, then answered late: the hedges of market CRASH/USDC, and
# the intent hedger's orders of {HANG_QUANTITY} (the client order id holds the quote id, which a
# test cannot know before it sends the quote).
# The broker account's on-chain wallet on l2 is for the balance manager's moves: withdrawals
# from mnemonic account {BROKER_WALLET_INDEX} (funded by the deploy), deposits to addresses
# derived from index 100.
market = {{ faults = {{ hang-client-order-prefix = "{HANG_PREFIX}", hang-quantity = "{HANG_QUANTITY}", hang-for = "20s" }}, accounts = [{accounts}], wallet = {{ rpc-url = "http://127.0.0.1:{l2_port}", network = "L2", chain-id = {L2_ID}, poll-interval = "500ms", start-block = 0, withdraw-signer = {{ kind = "mnemonic", phrase = {{ file = "{dir}/mnemonic" }}, index = {BROKER_WALLET_INDEX} }}, deposit-addresses = {{ mnemonic = {{ file = "{dir}/mnemonic" }}, first-index = 100 }}, coins = {{ USDT = {{ token = "{intent_collateral}", decimals = 18 }} }} }} }}

[exchange]
venue = {{ kind = "paper", rest = "http://127.0.0.1:{paper}" }}
api-key = {{ file = "{api_key}" }}
secret-key = {{ file = "{secret_key}" }}
listen = "127.0.0.1:{exchange_account}"
poll-interval = "500ms"

[hedger]
epoch = "{HEDGE_EPOCH_MS}ms"
max-slippage-bps = "100"
sweep-every = "{sweep_every}"
sweep-after = "1s"

[intents]
chain = "l2"
book = "{intent_book}"
broker-rest = "http://127.0.0.1:{paper}"
open-interest-cap = "10000000"
price-range-bps = "300"
min-time-left = "5s"
limit-wait = "{INTENT_LIMIT_WAIT_SECS}s"
indexer-dir = "{dir}/indexer"
mismatch-webhook = "http://127.0.0.1:{webhook}/hooks/validator"
symbols = [
    {{ id = 1, name = "ETHUSDT", broker-symbol = "ETHUSDT", notional-cap = "5000000" }},
    {{ id = 2, name = "BTCUSDT", broker-symbol = "BTCUSDT", notional-cap = "5000000" }},
]

# Tests start balance runs themselves; nothing is released while other tests' quotes run. The
# broker's floor is above the paper account's 1,000,000 USDT, so a run sends it collateral.
[intents.balance]
every = "1h"
min-health = "1.5"
target-health = "2"
release-above = "6"
release-after = "1h"
chain-reserve = "{BALANCE_CHAIN_RESERVE}"
wallet-float = "{INTENT_HOT_WALLET_FLOAT}"
broker = {{ asset = "USDT", network = "L2", min-available = "{BROKER_MIN_AVAILABLE}", target-available = "{BROKER_TARGET_AVAILABLE}" }}

[hedger-api]
listen = "127.0.0.1:{hedger_api}"
# Every test and the chaos run's checks call from loopback.
rate-limit = {{ per-second = 1000, burst = 1000 }}

[price-signer]
address = "{price_signer}"
signer = {{ kind = "mnemonic", phrase = {{ file = "{dir}/mnemonic" }}, index = {PRICE_SIGNER_INDEX} }}

[dealer]
gas-limit = 300000
gas-price = 1000000000

[dealer.front-door]
listen = "127.0.0.1:{front_door}"
admin-listen = "127.0.0.1:{admin}"
admin-token = {{ file = "{token}" }}
rate-limit = {{ per-second = 100, burst = 100 }}
# Every taker of the tests and benches calls from loopback.
per-source = {{ per-second = 1000, burst = 1000 }}

[dealer.quotes]
obm = {{ endpoint = "http://127.0.0.1:{obm}", exchange = "binance" }}
hot-wallet = {{ endpoint = "http://127.0.0.1:{signer}" }}
exposure-caps = {{ WETH = "50", USDC = "150000" }}
exchange = {{ endpoint = "http://127.0.0.1:{exchange_account}", assets = {{ WETH = "ETH", USDC = "USDT" }} }}

[[dealer.quotes.markets]]
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
max-base = "10"
max-deviation-bps = "200"
quote-ttl = "60s"
max-book-age = "3s"
soft-cancel-bps = "100"
"#,
        settlement = deploy::settlement_address(DEPLOYER.parse()?, l2s),
        intent_book = deploy::intent_book_address(DEPLOYER.parse()?),
        intent_collateral = deploy::intent_collateral_address(DEPLOYER.parse()?),
        price_signer = PRICE_SIGNER,
        hedger_api = process::free_port(),
        dir = dir.display(),
        signer = process::free_port(),
        paper = process::free_port(),
        obm = process::free_port(),
        front_door = process::free_port(),
        admin = process::free_port(),
        token = token.display(),
        signer_token = signer_token.display(),
        exchange_account = process::free_port(),
        api_key = api_key.display(),
        secret_key = secret_key.display(),
        accounts = paper_accounts(),
    ))
}

/// The paper exchange's accounts: the dev account as by default, and [`RIVAL_API_KEY`]'s.
fn paper_accounts() -> String {
    let mut accounts = hedgeflow_paper_exchange::Config::default().accounts;
    let mut rival = accounts[0].clone();
    (rival.api_key, rival.secret_key) = (RIVAL_API_KEY.into(), RIVAL_SECRET_KEY.into());
    accounts.push(rival);
    let toml = accounts.iter().map(|account| {
        let balances: Vec<String> = account
            .balances
            .iter()
            .map(|(asset, amount)| format!(r#"{asset} = "{amount}""#))
            .collect();
        format!(
            r#"{{ api-key = "{}", secret-key = "{}", futures-usdt = "{}", balances = {{ {} }} }}"#,
            account.api_key,
            account.secret_key,
            account.futures_usdt,
            balances.join(", ")
        )
    });
    toml.collect::<Vec<_>>().join(", ")
}

/// A second paper exchange account, another market participant than the stack's own: its
/// orders trade with the exchange role's.
pub const RIVAL_API_KEY: &str = "hedgeflowTestRivalParticipantApiKey00000000000000000000000000001";
pub const RIVAL_SECRET_KEY: &str =
    "hedgeflowTestRivalParticipantSecretKey0000000000000000000000001";

/// How long a LIMIT intent's broker order rests in the RFQ stack.
pub const INTENT_LIMIT_WAIT_SECS: u64 = 6;
/// The dev mnemonic's account 7 signs the `IntentBook`'s prices.
pub const PRICE_SIGNER_INDEX: u32 = 7;
pub const PRICE_SIGNER: &str = "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955";

/// The dev mnemonic's account the paper exchange sends withdrawals from.
pub const BROKER_WALLET_INDEX: u32 = 29;
/// The balance manager's broker floor and target, above the paper account's 1,000,000 USDT.
pub const BROKER_MIN_AVAILABLE: u64 = 1_100_000;
pub const BROKER_TARGET_AVAILABLE: u64 = 1_150_000;
/// What the balance manager keeps in the book, under the hot wallet's 1,000,000 less what the
/// tests allocate: a run sends the broker only what exceeds it, and leaves the book at it, so
/// the next allocation takes it below.
pub const BALANCE_CHAIN_RESERVE: u64 = 900_000;

/// The RFQ stack's hedger epoch.
pub const HEDGE_EPOCH_MS: u64 = 2_000;
/// Hedge orders whose client order id starts with this are answered only after 20 s.
pub const HANG_PREFIX: &str = "hedge-CRASH-";
/// Orders of exactly this quantity are answered only after 20 s.
pub const HANG_QUANTITY: &str = "0.4321";

const STACK_PREFIX: &str = "hedgeflow-e2e-";

/// The `[database]` section, the PostgreSQL server behind it when there is one, and then the
/// dealer's own user's URL (the other roles connect as the owner or the reader, as in
/// production).
async fn database(
    dir: &std::path::Path,
    persistence: Persistence,
) -> (Option<Postgres>, String, Option<String>) {
    match persistence {
        Persistence::Light => (
            None,
            format!(
                "[database]\nurl = \"sqlite://{}/hedgeflow.db?mode=rwc\"",
                dir.display()
            ),
            None,
        ),
        Persistence::Production => {
            let server = Postgres::start().await;
            let url = server.create_database("hedgeflow").await;
            let read_url = server.create_reader("hedgeflow", "chaos-reader");
            let dealer_url = server.create_dealer("hedgeflow", "chaos-dealer");
            let section = format!("[database]\nurl = \"{url}\"\nread-url = \"{read_url}\"");
            (Some(server), section, Some(dealer_url))
        }
    }
}

/// A directory for what lives as long as this test process: its shared stacks and servers are
/// static and never dropped, so the directory carries our pid and the next run removes it once
/// we are gone.
pub fn process_dir() -> std::io::Result<tempfile::TempDir> {
    remove_stale_stacks();
    tempfile::Builder::new()
        .prefix(&format!("{STACK_PREFIX}{}-", std::process::id()))
        .tempdir()
}

/// Deletes the directories of earlier test processes that have exited.
fn remove_stale_stacks() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let pid = [STACK_PREFIX, local_postgres::DIR_PREFIX]
            .iter()
            .find_map(|prefix| name.strip_prefix(prefix))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok());
        if let Some(pid) = pid
            && !std::path::Path::new(&format!("/proc/{pid}")).exists()
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// anvil's account 9, the dev deployer.
pub const DEPLOYER: &str = "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720";

fn deployer_token(symbol: &str) -> Address {
    deploy::token_address(DEPLOYER.parse().expect("address"), symbol).expect("a test token")
}

impl Stack {
    /// The dealer's public JSON-RPC (the RFQ stack only).
    pub fn dealer_url(&self) -> String {
        let dealer = self.config.dealer.as_ref().expect("the RFQ stack");
        format!("http://{}", dealer.front_door.listen)
    }

    /// The paper exchange's spot API as the exchange role sees it (the dev account).
    pub fn paper_spot(&self) -> hedgeflow_exchange::Client {
        use hedgeflow_exchange::{Client, Config, Credentials};
        let credentials = Credentials::new(
            hedgeflow_paper_exchange::DEV_API_KEY,
            hedgeflow_paper_exchange::DEV_SECRET_KEY,
        );
        Client::new(Config::paper(self.paper_url(), credentials)).unwrap()
    }

    /// The paper exchange's futures API with an account's keys.
    pub fn paper_futures(
        &self,
        api_key: &str,
        secret_key: &str,
    ) -> hedgeflow_exchange::FuturesClient {
        use hedgeflow_exchange::{Config, Credentials, FuturesClient};
        let credentials = Credentials::new(api_key, secret_key);
        FuturesClient::new(Config::paper(self.paper_url(), credentials)).unwrap()
    }

    fn paper_url(&self) -> reqwest::Url {
        let paper = self.config.paper_exchange.as_ref().expect("the RFQ stack");
        format!("http://{}", paper.listen).parse().unwrap()
    }

    pub fn hedger_api_url(&self) -> String {
        let api = self.config.hedger_api.as_ref().expect("the RFQ stack");
        format!("http://{}", api.listen)
    }

    /// The escrow L2 with `chain_id`: its name in the config and a provider on it.
    pub fn escrow_l2(&self, chain_id: u64) -> (&str, &DynProvider) {
        let name = match chain_id {
            L2_ID => "l2",
            L2B_ID => "l2b",
            other => panic!("no escrow L2 with chain id {other}"),
        };
        (name, self.provider(chain_id))
    }

    pub fn log(&self, role: &str) -> PathBuf {
        self.dir.join(format!("{role}.log"))
    }

    pub async fn start_role(&self, role: &'static str) -> anyhow::Result<()> {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_hedgeflow"));
        command
            .arg("--config")
            .arg(&self.config_path)
            .arg(role)
            .env(
                "RUST_LOG",
                "info,hedgeflow_activities::escrow::indexer=debug",
            );
        if role == "indexer" {
            let temporal = format!("http://127.0.0.1:{}", self.indexer_temporal.port());
            command.env("HEDGEFLOW__TEMPORAL__ADDRESS", temporal);
        }
        if let (hedgeflow::roles::dealer::ROLE, Some(url)) = (role, &self.dealer_database) {
            command.env("HEDGEFLOW__DATABASE__URL", url);
        }
        let child = Supervised::spawn(role, command, Some(&self.log(role)), false)?;
        self.roles.lock().await.insert(role, child);
        Ok(())
    }

    /// The hot wallet's journal entries for `intent`, oldest first.
    pub fn journal_entries(&self, intent: &str) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.config.hot_wallet.journal)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|e| e["intent_key"] == intent)
            .collect()
    }

    /// Sets L1's block interval; 0 holds blocks, so a transaction sits broadcast but unmined.
    pub async fn mine_l1_every(&self, seconds: u64) {
        self.mine_every(L1_ID, seconds).await
    }

    /// Sets the block interval of the chain `chain_id`; 0 holds its blocks.
    pub async fn mine_every(&self, chain_id: u64, seconds: u64) {
        self.provider(chain_id)
            .raw_request::<_, ()>("evm_setIntervalMining".into(), (seconds,))
            .await
            .unwrap();
    }

    /// The first transaction the hot wallet journaled for `intent`, once the L1 node has it.
    pub async fn broadcast_of(&self, intent: &str, within: Duration) -> B256 {
        self.broadcast_on(L1_ID, intent, within).await
    }

    /// The first transaction the hot wallet journaled for `intent`, once `chain_id`'s node has it.
    pub async fn broadcast_on(&self, chain_id: u64, intent: &str, within: Duration) -> B256 {
        let hash = eventually("the transaction to be journaled", within, || async {
            let entries = self.journal_entries(intent);
            entries.first()?["tx_hash"].as_str()?.parse().ok()
        })
        .await;
        eventually("the transaction to reach the node", within, || async {
            self.provider(chain_id)
                .get_transaction_by_hash(hash)
                .await
                .ok()
                .flatten()
                .map(|_| ())
        })
        .await;
        hash
    }

    /// SIGKILL, as a crash would.
    pub async fn kill_role(&self, role: &'static str) {
        if let Some(mut child) = self.roles.lock().await.remove(role) {
            child.kill().await;
        }
    }

    /// SIGKILL `role` and start it again, as a supervisor would after a crash.
    pub async fn crash_role(&self, role: &'static str) -> anyhow::Result<()> {
        self.kill_role(role).await;
        self.start_role(role).await
    }

    /// SIGKILL the Temporal server, leave it down for `down`, and start it again on the same
    /// port and history file; returns once it accepts connections.
    pub async fn crash_temporal(&self, down: Duration) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.persistence == Persistence::Production,
            "the Temporal server of this stack keeps its history in memory; a crash would lose it"
        );
        let mut temporal = self.temporal.lock().await;
        temporal.kill().await;
        tokio::time::sleep(down).await;
        temporal.restart()?;
        let port = self
            .config
            .temporal
            .address
            .port()
            .context("Temporal's port")?;
        Ok(temporal
            .wait_for_port(port, Duration::from_secs(60))
            .await?)
    }

    /// What `role` serves on its Prometheus endpoint.
    pub async fn metrics(&self, role: &str) -> String {
        let addr = self
            .config
            .metrics_addr(role)
            .expect("the role serves metrics");
        reqwest::get(format!("http://{addr}/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub fn token(&self, symbol: &str) -> Address {
        deployer_token(symbol)
    }

    /// `chain_id`'s own endpoint, behind no proxy.
    pub fn direct_rpc(&self, chain_id: u64) -> reqwest::Url {
        match chain_id {
            L1_ID => self.l1_rpc.clone(),
            L2_ID => self.l2_rpc.clone(),
            L2B_ID => self.l2b_rpc.clone().expect("the escrow stack's l2b"),
            other => panic!("the stack runs no chain {other}"),
        }
    }

    /// The stack's configuration with each chain's RPC its own endpoint only, for drivers
    /// (`demo::place_orders`) that read it.
    pub fn direct_config(&self) -> Config {
        let mut config = self.config.clone();
        for chain in config.chains.values_mut() {
            let mut direct = chain.rpc[0].clone();
            direct.http = self.direct_rpc(chain.chain_id);
            direct.ws = None;
            chain.rpc = vec![direct];
        }
        config
    }

    pub fn provider(&self, chain_id: u64) -> &DynProvider {
        match chain_id {
            L1_ID => &self.l1,
            L2_ID => &self.l2,
            L2B_ID => self.l2b.as_ref().expect("the escrow stack's l2b"),
            other => panic!("the stack runs no chain {other}"),
        }
    }

    /// ERC-20 (or native, for `None`) balance.
    pub async fn balance(&self, chain_id: u64, token: Option<Address>, owner: Address) -> U256 {
        let provider = self.provider(chain_id);
        match token {
            None => provider.get_balance(owner).await.expect("balance"),
            Some(token) => {
                alloy::sol! {
                    #[sol(rpc)]
                    interface IBalance { function balanceOf(address) external view returns (uint256); }
                }
                IBalance::new(token, provider)
                    .balanceOf(owner)
                    .call()
                    .await
                    .expect("balanceOf")
            }
        }
    }

    /// Runs `hedgeflow <args>` against this stack; returns (success, stdout, stderr).
    pub async fn cli(&self, args: &[&str]) -> (bool, String, String) {
        let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_hedgeflow"))
            .arg("--config")
            .arg(&self.config_path)
            .args(args)
            .env("RUST_LOG", "warn")
            .env("RUST_BACKTRACE", "0")
            .output()
            .await
            .expect("running the CLI");
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }
}

/// Replays a workflow run's history against today's code; with `HEDGEFLOW_RECORD_HISTORIES`
/// set to a directory, also writes it there as `fixture`, for `workflows/tests/replay.rs`.
pub async fn replay_history<W>(handle: temporalio_client::WorkflowHandle<Client, W>, fixture: &str)
where
    W: temporalio_common::HasWorkflowDefinition,
{
    let history = handle
        .fetch_history(temporalio_client::WorkflowFetchHistoryOptions::default())
        .to_json()
        .await
        .expect("history");
    if let Some(dir) = std::env::var_os("HEDGEFLOW_RECORD_HISTORIES") {
        let pretty: serde_json::Value = serde_json::from_slice(&history).unwrap();
        let path = std::path::Path::new(&dir).join(fixture);
        std::fs::write(path, serde_json::to_string_pretty(&pretty).unwrap()).unwrap();
    }
    // The replayer is not `Send`: it runs on a thread and runtime of its own.
    std::thread::spawn(move || {
        let parsed = temporalio_client::WorkflowHistory::from_json(&history).unwrap();
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(
                hedgeflow_workflows::replayer()
                    .unwrap()
                    .replay_workflow(parsed),
            )
    })
    .join()
    .unwrap()
    .expect("replay without nondeterminism");
}

/// USDC the hot wallet's policy lets one transaction move (on either chain).
pub const USDC_PER_TX_LIMIT: u64 = 1000;

/// How many payees the test stack's hot wallet may pay.
const PAYEES: usize = 32;

/// The `n`th payee of the test stack's policy.
fn payee_number(n: usize) -> Address {
    Address::from_word(alloy::primitives::keccak256(format!(
        "hedgeflow-test-payee-{n}"
    )))
}

/// A payee of the hot wallet's policy that no test has used yet: a treasury recipient whose
/// balance is exactly what we paid it.
pub fn payee() -> Address {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    assert!(n < PAYEES, "the test stack's policy names {PAYEES} payees");
    payee_number(n)
}

/// Account `index` of the dev mnemonic.
pub fn dev_account(index: u32) -> alloy::signers::local::PrivateKeySigner {
    alloy::signers::local::MnemonicBuilder::<alloy::signers::local::coins_bip39::English>::default()
        .phrase(hedgeflow::dev::DEV_MNEMONIC)
        .index(index)
        .unwrap()
        .build()
        .unwrap()
}

/// Who the hot wallet may pay: the payees, and the paper broker's deposit address (its first
/// account's, mnemonic index 100) that the balance manager sends collateral to.
fn policy_recipients() -> Vec<Address> {
    let broker_deposit = dev_account(100).address();
    (0..PAYEES)
        .map(payee_number)
        .chain([broker_deposit])
        .collect()
}

/// A fresh address nobody has used: a recipient whose balance is exactly what we paid it.
pub fn fresh_address() -> Address {
    Address::from_slice(&uuid::Uuid::new_v4().as_bytes().repeat(2)[..20])
}

/// Polls `check` every 50 ms until it returns `Some`, or panics after `within`.
pub async fn eventually<T, F, Fut>(what: &str, within: Duration, check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    eventually_every(what, within, Duration::from_millis(50), check).await
}

/// [`eventually`], polling every `every`: for checks that would load what they watch.
pub async fn eventually_every<T, F, Fut>(
    what: &str,
    within: Duration,
    every: Duration,
    mut check: F,
) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(every).await;
    }
}
