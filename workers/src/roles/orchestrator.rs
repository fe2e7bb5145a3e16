//! The orchestrator: runs every workflow, plus the activities that need the DB or only public
//! chain data. Task queue `orchestrator`. Holds the DB credentials and no signing key.

use crate::{config::Config, telemetry, temporal};
use anyhow::Context;
use hedgeflow_activities::{
    chain::{Chains, receipt::ReceiptWatcher},
    escrow::{self, EscrowChains, EscrowDesk, starters::OrderStarter},
    intent::{self, IntentDesk, webhook::MismatchNotifier},
    rfq::{self, hedger::HedgeHandoff},
    schedule::Scheduled,
    store::{Store, writer::StoreWriter},
    treasury::Treasury,
};
use hedgeflow_proto::queues;
use hedgeflow_workflows::register_all;
use std::time::Duration;
use temporalio_client::Client;
use temporalio_sdk::{Worker, WorkerOptions};
use tracing::info;

pub const ROLE: &str = "orchestrator";

pub async fn run(config: Config) -> anyhow::Result<()> {
    let runtime = telemetry::runtime(config.metrics_addr(ROLE))?;
    let store = Store::connect(&config.database.url)
        .await
        .context("database")?;
    let chains = Chains::connect(&config.chains).await.context("chains")?;
    let client = temporal::connect(&config.temporal, ROLE).await?;
    let mut options = WorkerOptions::new(queues::ORCHESTRATOR)
        .register_activities(StoreWriter::new(store.clone()))
        .register_activities(HedgeHandoff::new(
            client.clone(),
            store.clone(),
            config.hedger.clone(),
        ))
        .register_activities(ReceiptWatcher::new(chains.clone()))
        .register_activities(Treasury::new(chains.clone(), config.hot_wallet.address));
    if config.settlement.is_some() {
        let every = config.hedger.sweep_every;
        ensure(&client, rfq::starters::hedge_sweep_schedule(), every).await?;
    }
    if let Some(intents) = &config.intents {
        let chain = chains
            .by_name(&intents.chain)
            .with_context(|| format!("[intents] chain {}", intents.chain))?
            .clone();
        let chain_id = chain.config.chain_id;
        let validator = intent::starters::validator_schedule(intents, chain_id);
        ensure(&client, validator, intents.validate_every).await?;
        if let Some(balance) = &intents.balance {
            let schedule = intent::starters::balance_schedule(chain_id);
            ensure(&client, schedule, balance.every).await?;
        }
        let broker = super::price_signer::public_broker(&intents.broker_rest)?;
        options = options.register_activities(IntentDesk::new(
            chain,
            intents.clone(),
            config.hot_wallet.address,
            std::sync::Arc::new(broker),
            store.clone(),
        ));
        let webhook = MismatchNotifier::new(intents.mismatch_webhook.clone());
        options = options.register_activities(webhook.context("[intents] mismatch-webhook")?);
    }
    if let Some(escrow) = &config.escrow {
        let escrow = EscrowChains::new(chains, escrow.clone()).context("[escrow]")?;
        for (name, chain_id) in escrow.l2_chain_ids() {
            let scan = escrow::starters::scan_schedule(chain_id, name);
            ensure(&client, scan, escrow.config.scan_interval).await?;
        }
        options = options.register_activities(EscrowDesk::new(
            escrow,
            store,
            OrderStarter::new(client.clone()),
            config.hot_wallet.address,
        ));
    }
    let mut options = options.build();
    register_all(&mut options)?;
    temporal::tune(&config.temporal, &mut options);
    let worker = Worker::new(&runtime, client, options)?;
    info!(task_queue = queues::ORCHESTRATOR, "orchestrator ready");
    super::run_until_signalled(worker, ROLE).await
}

/// Creates the Schedule, or brings its interval in line with the config.
async fn ensure(client: &Client, schedule: Scheduled, every: Duration) -> anyhow::Result<()> {
    let id = schedule.id.clone();
    schedule
        .ensure(client, every)
        .await
        .with_context(|| format!("schedule {id}"))
}
