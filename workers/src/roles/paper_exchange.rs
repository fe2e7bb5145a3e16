//! The paper exchange: the dev stack's Binance-compatible stand-in (no real exchange is
//! reachable there). Never part of a production deployment.

use crate::config::Config;
use anyhow::Context;

pub const ROLE: &str = "paper-exchange";

pub async fn run(config: Config) -> anyhow::Result<()> {
    let section = config
        .paper_exchange
        .context("the paper-exchange role needs a [paper-exchange] section in the config")?;
    let listener = tokio::net::TcpListener::bind(section.listen)
        .await
        .with_context(|| format!("binding the paper exchange on {}", section.listen))?;
    tokio::select! {
        served = hedgeflow_paper_exchange::serve(section.market, listener) => {
            served.context("paper exchange")
        }
        stop = super::shutdown_requested(ROLE) => stop,
    }
}
