//! The order book manager and market watcher: keeps the configured books in sync with their
//! exchanges' public depth streams and serves them over gRPC. Holds no secret.

use crate::config::Config;
use anyhow::Context;
use hedgeflow_market::{grpc::Service, manager::Books};
use std::sync::Arc;
use tracing::info;

pub const ROLE: &str = "obm";

pub async fn run(config: Config) -> anyhow::Result<()> {
    let obm = config
        .obm
        .as_ref()
        .context("the obm role needs an [obm] section in the config")?;
    let feeds = obm.feeds(&config.exchanges)?;
    info!(books = feeds.len(), listen = %obm.listen, "order book manager starting");
    let books = Arc::new(Books::spawn(feeds, obm.settings()));
    tonic::transport::Server::builder()
        .add_service(Service::new(books).server())
        .serve_with_shutdown(obm.listen, async {
            // A signal handler that cannot be installed stops the server too.
            let _ = super::shutdown_requested(ROLE).await;
        })
        .await
        .context("obm gRPC server")
}
