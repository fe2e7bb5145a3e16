//! The relayer of the local stack: delivers every `MessageSent` of an `L1Messenger` to its
//! `L2Messenger`, the way a rollup's native bridge would. Development only; it signs with its own
//! key (never the hot wallet's), and delivery is idempotent because the L2 messenger records
//! each relayed nonce. Each round reads the last [`REDELIVERY_WINDOW`] L1 blocks again, so a
//! delivery an L2 reorg took away is made again, as a rollup re-derives its deposits.

use crate::config::{Config, RelayRoute};
use alloy::{
    network::EthereumWallet,
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::Filter,
    sol_types::SolEvent,
};
use anyhow::Context;
use hedgeflow_activities::{
    chain::{ChainClient, Chains, signer::load_signer},
    escrow::contracts::{L1Messenger, L2Messenger},
};
use tokio::task::JoinSet;
use tracing::{info, warn};

pub const ROLE: &str = "relayer";

/// L1 blocks re-read every round for messages whose delivery disappeared in an L2 reorg.
const REDELIVERY_WINDOW: u64 = 64;

/// How long a delivery may take to be mined before the round gives up on it (a reorg may have
/// dropped it; the next round sends it again).
const DELIVERY_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

pub async fn run(config: Config) -> anyhow::Result<()> {
    let relayer = config
        .relayer
        .clone()
        .context("the relayer needs a [relayer] section in the config")?;
    let signer = load_signer(&relayer.signer).context("relayer signer")?;
    info!(address = %signer.address(), "relayer key loaded");
    let wallet = EthereumWallet::from(signer);
    let chains = Chains::connect(&config.chains).await.context("chains")?;
    let mut routes = JoinSet::new();
    for route in relayer.routes {
        let l1 = chains.by_name(&route.from).context("route.from")?.clone();
        let l2 = chains.by_name(&route.to).context("route.to")?;
        // One sending provider per endpoint, tried in order. Nonces are read from the chain for
        // every send: a cached nonce would be burnt by a relay whose estimate reverts, and every
        // later message would wait behind the gap.
        let senders: Vec<DynProvider> = l2
            .config
            .rpc
            .iter()
            .map(|e| {
                ProviderBuilder::new()
                    .disable_recommended_fillers()
                    .with_gas_estimation()
                    .with_simple_nonce_management()
                    .with_chain_id(l2.config.chain_id)
                    .wallet(wallet.clone())
                    .connect_http(e.http.clone())
                    .erased()
            })
            .collect();
        routes.spawn(relay(route, l1, senders));
    }
    tokio::select! {
        stop = super::shutdown_requested(ROLE) => stop,
        Some(done) = routes.join_next() => done?,
    }
}

/// Follows one messenger pair from block 0: every message is checked against the L2 messenger
/// before it is sent, so a restart (or a round re-reading its window) sends nothing twice.
async fn relay(
    route: RelayRoute,
    l1: ChainClient,
    senders: Vec<DynProvider>,
) -> anyhow::Result<()> {
    let mut next_block = 0;
    let mut interval = tokio::time::interval(l1.config.poll_interval);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        match relay_new(&route, &l1, &senders, next_block).await {
            Ok(done) => next_block = (done + 1).saturating_sub(REDELIVERY_WINDOW),
            Err(error) => {
                warn!(
                    from = route.from,
                    to = route.to,
                    error = format!("{error:#}"),
                    "relay round failed; retrying"
                )
            }
        }
    }
}

/// Delivers the messages sent in `from..=head`; returns the head.
async fn relay_new(
    route: &RelayRoute,
    l1: &ChainClient,
    senders: &[DynProvider],
    from: u64,
) -> anyhow::Result<u64> {
    let head = l1.provider.get_block_number().await?;
    if head < from {
        return Ok(from.saturating_sub(1));
    }
    let filter = Filter::new()
        .address(route.l1_messenger)
        .event_signature(L1Messenger::MessageSent::SIGNATURE_HASH)
        .from_block(from)
        .to_block(head);
    let logs = l1.provider.get_logs(&filter).await?;
    // A message that cannot be delivered now (its call reverts) keeps the cursor before its
    // block, so it is tried again next round; the others go through meanwhile.
    let mut done = head;
    let mut pending = Vec::new();
    for log in &logs {
        let message = log.log_decode::<L1Messenger::MessageSent>()?.inner.data;
        if relayed(senders, route, &message).await? {
            continue;
        }
        let sent = send_first(senders, |provider| {
            let call = L2Messenger::new(route.l2_messenger, provider)
                .relayMessage(
                    message.nonce,
                    message.sender,
                    message.target,
                    message.data.clone(),
                )
                .into_transaction_request();
            async move { provider.send_transaction(call).await }
        })
        .await;
        match sent {
            Ok(sent) => pending.push((message.nonce, sent)),
            Err(error) => {
                warn!(nonce = %message.nonce, error = format!("{error:#}"), "message not deliverable yet");
                done = done.min(log.block_number.unwrap_or(from).saturating_sub(1));
            }
        }
    }
    for (nonce, sent) in pending {
        let receipt = sent.with_timeout(Some(DELIVERY_WAIT)).get_receipt().await?;
        info!(nonce = %nonce, tx = %receipt.transaction_hash, success = receipt.status(), "message relayed to L2");
    }
    Ok(done)
}

async fn relayed(
    senders: &[DynProvider],
    route: &RelayRoute,
    message: &L1Messenger::MessageSent,
) -> anyhow::Result<bool> {
    for provider in senders {
        match L2Messenger::new(route.l2_messenger, provider)
            .relayed(message.nonce)
            .call()
            .await
        {
            Ok(done) => return Ok(done),
            Err(error) => warn!(%error, "L2 endpoint failed; trying the next"),
        }
    }
    anyhow::bail!("no L2 endpoint answered")
}

/// The first endpoint that accepts the transaction.
async fn send_first<'a, F, Fut, T, E>(senders: &'a [DynProvider], mut send: F) -> anyhow::Result<T>
where
    F: FnMut(&'a DynProvider) -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
    E: std::fmt::Display,
{
    let mut last = None;
    for provider in senders {
        match send(provider).await {
            Ok(value) => return Ok(value),
            Err(error) => last = Some(error.to_string()),
        }
    }
    anyhow::bail!("every L2 endpoint refused: {}", last.unwrap_or_default())
}
