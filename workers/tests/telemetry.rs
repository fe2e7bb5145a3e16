//! With `observability.otlp-endpoint` set, spans are exported over OTLP/gRPC: a local listener
//! standing in for the collector receives an HTTP/2 connection carrying the export.

use hedgeflow::{config::ObservabilityConfig, telemetry};
use std::time::Duration;
use tokio::{io::AsyncReadExt, net::TcpListener};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spans_are_exported_to_the_configured_collector() {
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
