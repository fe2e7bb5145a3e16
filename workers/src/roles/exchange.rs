//! The exchange role: the only process that holds the exchange's API keys. Task queue
//! `exchange`, where the hedger's spot orders and the intent hedger's perpetual futures orders
//! are placed (once, by client order id) and followed to their final state, and the broker
//! account's collateral is moved for the balance manager; with `[exchange] listen`, gRPC
//! `ExchangeAccount`, the balances and open orders the inventory manager reads. It registers no workflow and never connects to the
//! database.

use crate::{config::Config, telemetry, temporal};
use anyhow::{Context, anyhow};
use hedgeflow_activities::exchange::{
    HedgeOrders, account::ExchangeAccount, broker_order::BrokerOrders, broker_wallet::BrokerWallet,
};
use hedgeflow_exchange::{Client, FuturesClient};
use hedgeflow_proto::queues;
use std::sync::Arc;
use temporalio_sdk::{Worker, WorkerOptions};
use tracing::info;

pub const ROLE: &str = "exchange";

/// Attempts at the first server time read, a second apart: the exchange may be starting too.
const START_ATTEMPTS: u32 = 30;

pub async fn run(config: Config) -> anyhow::Result<()> {
    let exchange = config
        .exchange
        .as_ref()
        .context("the exchange role needs an [exchange] section")?;
    let client_config = exchange
        .client_config()
        .map_err(|e| anyhow!("[exchange] keys: {e}"))?;
    let rest_url = client_config.rest_url.clone();
    let futures = Arc::new(FuturesClient::new(client_config.clone()).context("futures client")?);
    let client = Arc::new(Client::new(client_config).context("exchange client")?);
    let offset = first_server_time(&client)
        .await
        .with_context(|| format!("reading the server time of {rest_url}"))?;
    let runtime = telemetry::runtime(config.metrics_addr(ROLE))?;
    let account = match exchange.listen {
        Some(listen) => {
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .with_context(|| format!("binding the exchange account service on {listen}"))?;
            info!(%listen, "exchange account service listening");
            let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
            let server = tonic::transport::Server::builder()
                .add_service(ExchangeAccount::new(client.clone()).server())
                .serve_with_incoming(incoming);
            Some(server)
        }
        None => None,
    };
    let wallet = BrokerWallet::new(client.clone(), futures.clone(), exchange.poll_interval);
    let activities = HedgeOrders::new(client, exchange.poll_interval, exchange.order_timeout);
    let broker = BrokerOrders::new(futures, exchange.poll_interval, exchange.order_timeout);
    let temporal_client = temporal::connect(&config.temporal, ROLE).await?;
    let mut options = WorkerOptions::new(queues::EXCHANGE)
        .register_activities(activities)
        .register_activities(broker)
        .register_activities(wallet)
        .build();
    temporal::tune(&config.temporal, &mut options);
    let worker = Worker::new(&runtime, temporal_client, options)?;
    info!(%rest_url, offset_ms = offset, task_queue = queues::EXCHANGE, "exchange role ready");
    // The process stops when either service does, like the hot wallet's.
    match account {
        None => super::run_until_signalled(worker, ROLE).await,
        Some(server) => tokio::select! {
            done = super::run_until_signalled(worker, ROLE) => done,
            served = server => served.context("exchange account service stopped"),
        },
    }
}

/// Measures the server-time offset at start, so a clock too far off for `recvWindow` fails
/// loudly here and not mid-hedge. Retried for a while: in the dev stack the exchange starts
/// alongside this role.
async fn first_server_time(client: &Client) -> Result<i64, hedgeflow_exchange::Error> {
    let mut attempt = 1;
    loop {
        match client.sync_time().await {
            Err(error) if error.is_retryable() && attempt < START_ATTEMPTS => {
                tracing::warn!(%error, attempt, "exchange not reachable yet; retrying");
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
            done => return done,
        }
    }
}
