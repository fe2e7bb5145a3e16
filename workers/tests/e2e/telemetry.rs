//! With `observability.otlp-endpoint` set, spans are exported over OTLP/gRPC: a local listener
//! standing in for the collector receives an HTTP/2 connection carrying the export.
//!
//! `telemetry::init` installs the process's global tracing subscriber and tracer provider, once.
//! In this binary's process that would take every other test's in-process logs, and a subscriber
//! set first would leave nothing for this test to see; so the test runs in a process of its own:
//! this binary again, filtered to this test, with [`CHILD`] set.

use hedgeflow::{config::ObservabilityConfig, telemetry};
use std::{process::Command, time::Duration};
use tokio::{io::AsyncReadExt, net::TcpListener};

/// Set in the child process that runs the test's body.
const CHILD: &str = "HEDGEFLOW_TELEMETRY_TEST_CHILD";

#[test]
fn spans_are_exported_to_the_configured_collector() {
    if std::env::var_os(CHILD).is_some() {
        return export_to_a_local_collector();
    }
    let name = "telemetry::spans_are_exported_to_the_configured_collector";
    let child = Command::new(std::env::current_exe().expect("the test binary"))
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .expect("the test binary runs again");
    let stdout = String::from_utf8_lossy(&child.stdout);
    assert!(
        child.status.success() && stdout.contains("test result: ok. 1 passed"),
        "the test's own process:\n{stdout}\n{}",
        String::from_utf8_lossy(&child.stderr)
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn export_to_a_local_collector() {
    let collector = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", collector.local_addr().unwrap());
    let config = ObservabilityConfig {
        log_format: Default::default(),
        otlp_endpoint: Some(endpoint.parse().unwrap()),
    };
    let guard = telemetry::init("test", &config).unwrap();
    tracing::info_span!("transfer", workflow_id = "transfer-1-otlp")
        .in_scope(|| tracing::info!("inside a span"));

    // Dropping the guard flushes the batch; the exporter must connect and speak HTTP/2.
    let flush = tokio::task::spawn_blocking(move || drop(guard));
    let (mut connection, _) = tokio::time::timeout(Duration::from_secs(20), collector.accept())
        .await
        .expect("the exporter connected to the collector")
        .unwrap();
    let mut preface = [0u8; 24];
    tokio::time::timeout(Duration::from_secs(20), connection.read_exact(&mut preface))
        .await
        .expect("the exporter sent a request")
        .unwrap();
    assert_eq!(
        &preface, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        "an HTTP/2 (gRPC) client preface"
    );
    drop(connection);
    let _ = tokio::time::timeout(Duration::from_secs(20), flush).await;
}
