//! The Temporal CLI's dev server (`temporal server start-dev`), with hedgeflow's search
//! attributes registered at start.

use super::{
    process::{self, Supervised},
    tools,
};
use anyhow::Context;
use hedgeflow_proto::search;
use std::{path::PathBuf, time::Duration};
use temporalio_client::{Connection, ConnectionOptions};

/// How long the dev server may take to listen, then to be healthy.
const STARTUP: Duration = Duration::from_secs(60);

pub struct Options {
    pub port: u16,
    /// `None` runs headless (tests).
    pub ui_port: Option<u16>,
    /// `None` keeps history in memory (tests).
    pub db_file: Option<PathBuf>,
    pub log: PathBuf,
}

pub async fn start(options: &Options) -> anyhow::Result<Supervised> {
    let mut command = std::process::Command::new(tools::find("temporal"));
    command
        .args([
            "server",
            "start-dev",
            "--ip",
            "127.0.0.1",
            "--log-level",
            "warn",
        ])
        .args(["--port", &options.port.to_string()])
        .args(["--http-port", &process::free_port().to_string()])
        .args(["--metrics-port", &process::free_port().to_string()])
        .arg("--ui-disable-news-fetch");
    match options.ui_port {
        Some(port) => command.args(["--ui-port", &port.to_string()]),
        None => command.arg("--headless"),
    };
    if let Some(db) = &options.db_file {
        command.arg("--db-filename").arg(db);
    }
    for (name, kind) in search::ALL {
        command.args(["--search-attribute", &format!("{name}={kind}")]);
    }
    let child = Supervised::spawn("temporal", command, Some(&options.log), true)?;
    process::wait_for_port("Temporal dev server", options.port, STARTUP)
        .await
        .with_context(|| format!("see {}", options.log.display()))?;
    wait_until_healthy(options.port)
        .await
        .with_context(|| format!("see {}", options.log.display()))?;
    Ok(child)
}

/// Waits until the frontend answers a client's first call: it listens a moment before it is
/// healthy, and a client connecting then is refused ("Frontend is not healthy yet").
async fn wait_until_healthy(port: u16) -> anyhow::Result<()> {
    let url: url::Url = format!("http://127.0.0.1:{port}").parse()?;
    let deadline = tokio::time::Instant::now() + STARTUP;
    loop {
        match Connection::connect(ConnectionOptions::new(url.clone()).build()).await {
            Ok(_) => return Ok(()),
            Err(error) if tokio::time::Instant::now() > deadline => {
                return Err(anyhow::anyhow!(error).context("Temporal dev server not healthy"));
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}
