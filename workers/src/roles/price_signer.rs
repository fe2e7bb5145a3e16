//! The price signer: the `IntentBook`'s oracle stand-in, the only process with its key. Task
//! queue `price-signer`, where intent workflows ask for the broker's mark price signed; it
//! registers no workflow and never connects to the database. It reads the book's chain (no key)
//! for the time it stamps prices with.

use crate::{config::Config, telemetry, temporal};
use anyhow::{Context, bail};
use hedgeflow_activities::{
    chain::{Chains, signer::load_signer},
    intent::price_signer::PriceSigner,
};
use hedgeflow_exchange::{Config as BrokerConfig, Credentials, FuturesClient};
use hedgeflow_proto::queues;
use std::sync::Arc;
use temporalio_sdk::{Worker, WorkerOptions};
use tracing::info;

pub const ROLE: &str = "price-signer";

pub async fn run(config: Config) -> anyhow::Result<()> {
    let section = config
        .price_signer
        .as_ref()
        .context("the price signer needs a [price-signer] section")?;
    let intents = config
        .intents
        .as_ref()
        .context("the price signer reads the broker named by [intents] broker-rest")?;
    let signer = load_signer(&section.signer).context("price signer key")?;
    if signer.address() != section.address {
        bail!(
            "the configured key belongs to {}, but price-signer.address is {}; refusing to start",
            signer.address(),
            section.address
        );
    }
    let broker = Arc::new(public_broker(&intents.broker_rest)?);
    let runtime = telemetry::runtime(config.metrics_addr(ROLE))?;
    let client = temporal::connect(&config.temporal, ROLE).await?;
    // Read-only, for the chain's time that prices are stamped with.
    let chains = Chains::connect(&config.chains).await.context("chains")?;
    let signer = PriceSigner::new(signer, broker, chains);
    info!(address = %signer.address(), task_queue = queues::PRICE_SIGNER, "price signer ready");
    let mut options = WorkerOptions::new(queues::PRICE_SIGNER)
        .register_activities(signer)
        .build();
    temporal::tune(&config.temporal, &mut options);
    let worker = Worker::new(&runtime, client, options)?;
    super::run_until_signalled(worker, ROLE).await
}

/// A futures client for the broker's public endpoints (mark prices, rules): no keys.
pub fn public_broker(rest: &url::Url) -> anyhow::Result<FuturesClient> {
    FuturesClient::new(BrokerConfig::paper(rest.clone(), Credentials::new("", "")))
        .context("broker client")
}
