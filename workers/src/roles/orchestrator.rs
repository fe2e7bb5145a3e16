//! The orchestrator: runs every workflow, plus the activities that need the DB or only public
//! chain data. Task queue `orchestrator`. Holds the DB credentials and no signing key.

use crate::{config::Config, telemetry, temporal};
use anyhow::Context;
use hedgeflow_activities::{
    chain::{Chains, receipt::ReceiptWatcher},
    store::{Store, transfers::StoreWriter},
    treasury::Treasury,
};
use hedgeflow_proto::queues;
use hedgeflow_workflows::TransferWorkflow;
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
    let options = WorkerOptions::new(queues::ORCHESTRATOR)
        .register_workflow::<TransferWorkflow>()?
        .register_activities(StoreWriter::new(store))
        .register_activities(ReceiptWatcher::new(chains.clone()))
        .register_activities(Treasury::new(chains, config.hot_wallet.address))
        .build();
    let worker = Worker::new(&runtime, client, options)?;
    info!(task_queue = queues::ORCHESTRATOR, "orchestrator ready");
    super::run_until_signalled(worker, ROLE).await
}
