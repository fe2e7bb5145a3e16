//! The Temporal CLI's dev server (`temporal server start-dev`), with hedgeflow's search
//! attributes registered at start.

use super::{
    process::{self, NotListening, Supervised},
    tools,
};
use anyhow::Context;
use hedgeflow_proto::search;
use std::{path::PathBuf, time::Duration};
use temporalio_client::{Connection, ConnectionOptions};
use tracing::warn;

/// How long the dev server may take to listen, then to be healthy.
const STARTUP: Duration = Duration::from_secs(60);
/// Starts before giving up on a server that exits as it starts.
const ATTEMPTS: u32 = 3;

pub struct Options {
    pub port: u16,
    /// `None` runs headless (tests).
    pub ui_port: Option<u16>,
    /// `None` keeps history in memory (tests).
    pub db_file: Option<PathBuf>,
    pub log: PathBuf,
}

/// Starts the dev server and waits until it is healthy. Its HTTP and metrics ports are chosen
/// free just before it binds them, so another process can take one in between; the server then
/// exits at once, and is started again on fresh ports (up to [`ATTEMPTS`] times).
pub async fn start(options: &Options) -> anyhow::Result<Supervised> {
    let mut attempt = 1;
    let child = loop {
        let mut child = Supervised::spawn("temporal", command(options), Some(&options.log), true)?;
        match child.wait_for_port(options.port, STARTUP).await {
            Ok(()) => break child,
            Err(error @ NotListening::Exited { .. }) if attempt < ATTEMPTS => {
                warn!(attempt, %error, "Temporal dev server exited while starting; again");
                attempt += 1;
            }
            Err(error) => {
                return Err(error).with_context(|| format!("see {}", options.log.display()));
            }
        }
    };
    // On an error the child is dropped, which kills it.
    wait_until_healthy(options.port)
        .await
        .with_context(|| format!("see {}", options.log.display()))?;
    Ok(child)
}

fn command(options: &Options) -> std::process::Command {
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
    command
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
