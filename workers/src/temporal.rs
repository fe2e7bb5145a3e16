//! Connecting to the Temporal frontend.

use crate::config::TemporalConfig;
use anyhow::Context;
use temporalio_client::{Client, ClientOptions, Connection, ConnectionOptions};

pub async fn connect(config: &TemporalConfig, identity: &str) -> anyhow::Result<Client> {
    let options = ConnectionOptions::new(config.address.clone())
        .identity(format!("{identity}@{}", std::process::id()))
        .build();
    let connection = Connection::connect(options)
        .await
        .with_context(|| format!("connecting to Temporal at {}", config.address))?;
    Ok(Client::new(
        connection,
        ClientOptions::new(config.namespace.clone()).build(),
    )?)
}

/// A link to the workflow in the Temporal UI.
pub fn workflow_url(config: &TemporalConfig, workflow_id: &str) -> String {
    let base = config.ui_url.as_str().trim_end_matches('/');
    format!(
        "{base}/namespaces/{}/workflows/{workflow_id}",
        config.namespace
    )
}
