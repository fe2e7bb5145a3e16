//! The indexer: follows every configured L2 escrow and starts a workflow per order. Holds no
//! secret and no DB credentials; its cursors are files (`escrow.indexer-dir`).

use crate::{config::Config, telemetry, temporal};
use anyhow::Context;
use hedgeflow_activities::{
    chain::Chains,
    escrow::{indexer::Indexer, orders::OrderStarter},
};
use tokio::task::JoinSet;
use tracing::info;

pub const ROLE: &str = "indexer";

pub async fn run(config: Config) -> anyhow::Result<()> {
    let escrow = config
        .escrow
        .clone()
        .context("the indexer needs an [escrow] section in the config")?;
    let _runtime = telemetry::runtime(config.metrics_addr(ROLE))?;
    let chains = Chains::connect(&config.chains).await.context("chains")?;
    let starter = OrderStarter::new(temporal::connect(&config.temporal, ROLE).await?);
    let mut indexers = JoinSet::new();
    for (name, l2) in escrow.l2 {
        let chain = chains
            .by_name(&name)
            .with_context(|| format!("escrow chain {name}"))?
            .clone();
        info!(chain = name, escrow = %l2.escrow, "indexing escrow orders");
        let indexer = Indexer::new(chain, l2, starter.clone(), &escrow.indexer_dir);
        indexers.spawn(async move { (name, indexer.run().await) });
    }
    tokio::select! {
        stop = super::shutdown_requested(ROLE) => stop,
        Some(done) = indexers.join_next() => {
            let (name, result) = done?;
            result.with_context(|| format!("indexer of {name} stopped"))
        }
    }
}
