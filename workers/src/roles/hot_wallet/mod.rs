//! The hot wallet: the only process that loads the signing key. Task queue `hot-wallet` for
//! transaction activities, and, when `[settlement]` is configured, the gRPC quote signer the
//! dealer calls and the fill check the fill workflow asks before sending a settlement; it
//! registers no workflow and never connects to the database. Whatever a workflow asks, it signs
//! only what its transaction policy (`policy`) allows.

use crate::{config::Config, telemetry, temporal};
use alloy::signers::local::PrivateKeySigner;
use anyhow::{Context, bail};
use hedgeflow_activities::{
    chain::{ChainClient, Chains, journal::TxJournal, signer::load_signer, submit::HotWallet},
    rfq::{FillChecker, QuoteSigner, SettlementConfig},
};
use hedgeflow_proto::{grpc::auth::RequireToken, queues};
use temporalio_sdk::{Worker, WorkerOptions};
use tracing::info;

mod policy;

pub const ROLE: &str = "hot-wallet";

pub async fn run(config: Config) -> anyhow::Result<()> {
    let signer = load_signer(&config.hot_wallet.signer).context("hot-wallet signer")?;
    if signer.address() != config.hot_wallet.address {
        bail!(
            "the configured key belongs to {}, but hot-wallet.address is {}; refusing to start",
            signer.address(),
            config.hot_wallet.address
        );
    }
    let journal = TxJournal::open(&config.hot_wallet.journal).with_context(|| {
        format!(
            "opening the journal {}",
            config.hot_wallet.journal.display()
        )
    })?;
    let runtime = telemetry::runtime(config.metrics_addr(ROLE))?;
    let chains = Chains::connect(&config.chains).await.context("chains")?;
    let mut signer_server = None;
    let mut fill_checker = None;
    if let Some(settlement) = &config.settlement {
        let chain = chains
            .by_name(&settlement.chain)
            .context("settlement.chain")?
            .clone();
        fill_checker = Some(FillChecker::new(
            chain.clone(),
            signer.address(),
            settlement.fill_margin,
        ));
        signer_server = Some(quote_signer(settlement, chain, &signer).await?);
    }
    let client = temporal::connect(&config.temporal, ROLE).await?;
    let policy = policy::from_config(&config, &chains)
        .await
        .context("[hot-wallet.policy]")?;
    info!(
        rules = policy.rules.len(),
        limits = policy.limits.len(),
        "transaction policy loaded"
    );
    let wallet = HotWallet::new(chains, signer, journal, policy);
    info!(address = %wallet.address(), task_queue = queues::HOT_WALLET, "hot wallet ready");
    let mut options = WorkerOptions::new(queues::HOT_WALLET).register_activities(wallet);
    if let Some(checker) = fill_checker {
        options = options.register_activities(checker);
    }
    let mut options = options.build();
    temporal::tune(&config.temporal, &mut options);
    let worker = Worker::new(&runtime, client, options)?;
    // The process stops when either service does: a hot wallet that can sign quotes but not
    // send transactions (or the reverse) must not look healthy.
    match signer_server {
        None => super::run_until_signalled(worker, ROLE).await,
        Some(server) => tokio::select! {
            done = super::run_until_signalled(worker, ROLE) => done,
            served = server => served.context("quote signer stopped"),
        },
    }
}

/// The gRPC quote signer the dealer calls, bound on `[settlement] signer-listen`: the future
/// that serves it.
async fn quote_signer(
    settlement: &SettlementConfig,
    chain: ChainClient,
    signer: &PrivateKeySigner,
) -> anyhow::Result<impl Future<Output = Result<(), tonic::transport::Error>> + use<>> {
    let quotes = QuoteSigner::new(
        signer.clone(),
        chain,
        settlement.contract,
        settlement.max_order_ttl,
    );
    let listen = settlement.signer_listen;
    let token = settlement
        .signer_token()
        .context("[settlement] signer-token")?;
    if token.is_none() && !listen.ip().is_loopback() {
        bail!(
            "[settlement] signer-listen {listen} is not a loopback address and no \
             signer-token is set: anyone reaching it could have orders signed; set a token \
             or listen on 127.0.0.1"
        );
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding the quote signer on {listen}"))?;
    info!(%listen, "quote signer listening");
    Ok(tonic::transport::Server::builder()
        .add_service(quotes.server(RequireToken(token)))
        .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)))
}
