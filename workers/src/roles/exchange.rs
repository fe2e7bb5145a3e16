//! The exchange role: the only process that holds the exchange's API keys. Task queue
//! `exchange`, where the hedger's orders are placed (once, by client order id) and followed to
//! their final state; it registers no workflow and never connects to the database.

use crate::{config::Config, telemetry, temporal};
use anyhow::{Context, anyhow};
use hedgeflow_activities::exchange::ExchangeActivities;
use hedgeflow_exchange::Client;
use hedgeflow_proto::queues;
use std::sync::Arc;
use temporalio_sdk::{Worker, WorkerOptions};
use tracing::info;

pub const ROLE: &str = "exchange";

pub async fn run(config: Config) -> anyhow::Result<()> {
    let exchange = config
        .exchange
        .as_ref()
        .context("the exchange role needs an [exchange] section")?;
    let client_config = exchange
        .client_config()
        .map_err(|e| anyhow!("[exchange] keys: {e}"))?;
    let rest_url = client_config.rest_url.clone();
    let client = Arc::new(Client::new(client_config).context("exchange client")?);
    // Measured now so a clock off by more than recvWindow fails loudly at start, not mid-hedge.
    let offset = client
        .sync_time()
        .await
        .with_context(|| format!("reading the server time of {rest_url}"))?;
    let runtime = telemetry::runtime(config.metrics_addr(ROLE))?;
    let activities =
        ExchangeActivities::new(client, exchange.poll_interval, exchange.order_timeout);
    let temporal_client = temporal::connect(&config.temporal, ROLE).await?;
    let mut options = WorkerOptions::new(queues::EXCHANGE)
        .register_activities(activities)
        .build();
    temporal::tune(&config.temporal, &mut options);
    let worker = Worker::new(&runtime, temporal_client, options)?;
    info!(%rest_url, offset_ms = offset, task_queue = queues::EXCHANGE, "exchange role ready");
    super::run_until_signalled(worker, ROLE).await
}
