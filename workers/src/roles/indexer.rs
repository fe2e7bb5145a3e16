//! The indexer: follows every configured L2 escrow and starts a workflow per order, and the
//! intent hedger's `IntentBook`, signalling each quote's events to its workflow. Holds no
//! secret and no DB credentials; its cursors are files (`escrow.indexer-dir`,
//! `intents.indexer-dir`).

use crate::{config::Config, telemetry, temporal};
use anyhow::{Context, bail};
use hedgeflow_activities::{
    chain::Chains,
    escrow::{indexer::Indexer, starters::OrderStarter},
    intent::{events::IntentIndexer, starters::IntentStarter},
};
use tokio::task::JoinSet;
use tracing::info;

pub const ROLE: &str = "indexer";

pub async fn run(config: Config) -> anyhow::Result<()> {
    if config.escrow.is_none() && config.intents.is_none() {
        bail!("the indexer needs an [escrow] or an [intents] section in the config");
    }
    let _runtime = telemetry::runtime(config.metrics_addr(ROLE))?;
    let chains = Chains::connect(&config.chains).await.context("chains")?;
    let client = temporal::connect(&config.temporal, ROLE).await?;
    let mut indexers = JoinSet::new();
    if let Some(escrow) = config.escrow.clone() {
        let starter = OrderStarter::new(client.clone());
        for (name, l2) in escrow.l2 {
            let chain = chains
                .by_name(&name)
                .with_context(|| format!("escrow chain {name}"))?
                .clone();
            info!(chain = name, escrow = %l2.escrow, "indexing escrow orders");
            let indexer = Indexer::new(chain, l2, starter.clone(), &escrow.indexer_dir);
            let name = format!("escrow on {name}");
            indexers.spawn(async move { (name, indexer.run().await.map_err(anyhow::Error::from)) });
        }
    }
    if let Some(intents) = &config.intents {
        let chain = chains
            .by_name(&intents.chain)
            .with_context(|| format!("[intents] chain {}", intents.chain))?
            .clone();
        let indexer = IntentIndexer::new(
            chain,
            intents.book,
            intents.start_block,
            IntentStarter::new(client),
            &intents.indexer_dir,
        );
        let name = format!("intents on {}", intents.chain);
        indexers.spawn(async move { (name, indexer.run().await.map_err(anyhow::Error::from)) });
    }
    tokio::select! {
        stop = super::shutdown_requested(ROLE) => stop,
        Some(done) = indexers.join_next() => {
            let (name, result) = done?;
            result.with_context(|| format!("indexer of {name} stopped"))
        }
    }
}
