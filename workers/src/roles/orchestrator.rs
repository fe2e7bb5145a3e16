//! The orchestrator: runs every workflow, plus the activities that need the DB or only public
//! chain data. Task queue `orchestrator`. Holds the DB credentials and no signing key.

use crate::{config::Config, telemetry, temporal};
use anyhow::Context;
use hedgeflow_activities::{
    chain::{Chains, receipt::ReceiptWatcher},
    escrow::{EscrowChains, EscrowDesk, orders::OrderStarter},
    intent::{IntentDesk, IntentsConfig, webhook::MismatchNotifier},
    rfq::hedger::HedgeHandoff,
    store::{Store, writer::StoreWriter},
    treasury::Treasury,
};
use hedgeflow_proto::{
    balance::BalanceRequest,
    escrow::ScanRequest,
    ids,
    intent::ValidationRequest,
    queues,
    workflows::{
        EscrowScanWorkflow, HedgeSweepWorkflow, IntentBalanceWorkflow, IntentValidatorWorkflow,
    },
};
use hedgeflow_workflows::register_all;
use std::time::Duration;
use temporalio_client::tonic::Code;
use temporalio_client::{
    Client,
    schedules::{CreateScheduleOptions, ScheduleAction, ScheduleOverlapPolicy, ScheduleSpec},
};
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
        ensure_sweep_schedule(&client, config.hedger.sweep_every).await?;
    }
    if let Some(intents) = &config.intents {
        let chain = chains
            .by_name(&intents.chain)
            .with_context(|| format!("[intents] chain {}", intents.chain))?
            .clone();
        ensure_validator_schedule(&client, intents, chain.config.chain_id).await?;
        if let Some(balance) = &intents.balance {
            ensure_balance_schedule(&client, balance.every, chain.config.chain_id).await?;
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
        ensure_scan_schedules(&client, &escrow).await?;
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

/// One Temporal Schedule per L2 (`escrow-scan-<chainId>`) running the accepted-blocks scan.
async fn ensure_scan_schedules(client: &Client, escrow: &EscrowChains) -> anyhow::Result<()> {
    for name in escrow.config.l2.keys() {
        let chain_id = escrow
            .chains
            .by_name(name)
            .context("checked by EscrowChains")?
            .config
            .chain_id;
        let schedule_id = ids::escrow_scan_schedule(chain_id);
        let action = ScheduleAction::start_workflow(
            EscrowScanWorkflow::run,
            ScanRequest { chain_id },
            queues::ORCHESTRATOR,
            schedule_id.clone(),
        );
        let note = format!("accepted-blocks scan of chain {name}");
        ensure_schedule(
            client,
            schedule_id,
            action,
            escrow.config.scan_interval,
            note,
        )
        .await?;
    }
    Ok(())
}

/// The intent book's position validator (`intent-validate-<chainId>`).
async fn ensure_validator_schedule(
    client: &Client,
    intents: &IntentsConfig,
    chain_id: u64,
) -> anyhow::Result<()> {
    let schedule_id = ids::intent_validator_schedule(chain_id);
    let request = ValidationRequest {
        chain_id,
        symbols: intents
            .symbols
            .iter()
            .map(|s| s.broker_symbol.clone())
            .collect(),
    };
    let action = ScheduleAction::start_workflow(
        IntentValidatorWorkflow::run,
        request,
        queues::ORCHESTRATOR,
        schedule_id.clone(),
    );
    let note = format!("position validator of the IntentBook on chain {chain_id}");
    ensure_schedule(client, schedule_id, action, intents.validate_every, note).await
}

/// The intent book's balance manager (`intent-balance-<chainId>`).
async fn ensure_balance_schedule(
    client: &Client,
    every: Duration,
    chain_id: u64,
) -> anyhow::Result<()> {
    let schedule_id = ids::intent_balance_schedule(chain_id);
    let action = ScheduleAction::start_workflow(
        IntentBalanceWorkflow::run,
        BalanceRequest { chain_id },
        queues::ORCHESTRATOR,
        schedule_id.clone(),
    );
    let note = format!("balance manager of the IntentBook on chain {chain_id}");
    ensure_schedule(client, schedule_id, action, every, note).await
}

/// The RFQ hedgers' unhedged-fills sweep (`rfq-hedge-sweep`).
async fn ensure_sweep_schedule(client: &Client, every: Duration) -> anyhow::Result<()> {
    let schedule_id = ids::HEDGE_SWEEP_SCHEDULE.to_owned();
    let action = ScheduleAction::start_workflow(
        HedgeSweepWorkflow::run,
        (),
        queues::ORCHESTRATOR,
        schedule_id.clone(),
    );
    let note = "hands fills left unhedged to their market's hedger again".to_owned();
    ensure_schedule(client, schedule_id, action, every, note).await
}

/// Creates the Schedule once, and brings its interval in line with the config on every start.
async fn ensure_schedule(
    client: &Client,
    schedule_id: String,
    action: ScheduleAction,
    every: Duration,
    note: String,
) -> anyhow::Result<()> {
    let options = CreateScheduleOptions::builder()
        .action(action)
        .spec(ScheduleSpec::from_interval(every))
        .overlap_policy(ScheduleOverlapPolicy::Skip)
        .note(note)
        .build();
    match client.create_schedule(schedule_id.clone(), options).await {
        Ok(_) => info!(schedule_id, ?every, "schedule created"),
        Err(temporalio_client::schedules::ScheduleError::Rpc(status))
            if status.code() == Code::AlreadyExists =>
        {
            client
                .get_schedule_handle(schedule_id.clone())
                .update(
                    move |update| {
                        update.set_spec(ScheduleSpec::from_interval(every));
                    },
                    Default::default(),
                )
                .await
                .with_context(|| format!("updating schedule {schedule_id}"))?;
        }
        Err(error) => {
            return Err(error).with_context(|| format!("creating schedule {schedule_id}"));
        }
    }
    Ok(())
}
