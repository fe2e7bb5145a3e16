//! Logs, traces and metrics for one process.
//!
//! Logs are `tracing` events (text or JSON); spans carry workflow and order ids. When an OTLP
//! endpoint is configured, spans are exported as traces too. Metrics are served by the Temporal
//! runtime's Prometheus exporter, so one `/metrics` endpoint per role carries the SDK's worker
//! metrics and hedgeflow's own (`hedgeflow_*`).

use crate::config::{LogFormat, ObservabilityConfig};
use anyhow::Context;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::{Resource, trace::SdkTracerProvider};
use std::io::IsTerminal;
use std::{net::SocketAddr, sync::Arc};
use temporalio_common::telemetry::{
    PrometheusExporterOptions, TelemetryOptions, start_prometheus_metric_exporter,
};
use temporalio_sdk::{Runtime, runtime::RuntimeOptions};
use tracing_subscriber::{EnvFilter, Layer, layer::SubscriberExt, util::SubscriberInitExt};

/// Flushes traces on drop.
pub struct Telemetry {
    tracer: Option<SdkTracerProvider>,
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        if let Some(tracer) = self.tracer.take() {
            let _ = tracer.shutdown();
        }
    }
}

/// Colour only for a person at a terminal: logs redirected to a file or a pipe (`hedgeflow
/// dev`'s `data/logs/`, a supervisor's capture) stay plain text. `NO_COLOR` turns it off too.
fn colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Installs the global subscriber. `RUST_LOG` filters (default `info`).
pub fn init(service: &str, config: &ObservabilityConfig) -> anyhow::Result<Telemetry> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let fmt = match config.log_format {
        LogFormat::Text => tracing_subscriber::fmt::layer()
            .with_target(false)
            .with_ansi(colour())
            .boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .boxed(),
    };
    let tracer = match &config.otlp_endpoint {
        Some(endpoint) => {
            let exporter = opentelemetry_otlp::SpanExporter::builder()
                .with_tonic()
                .with_endpoint(endpoint.as_str())
                .build()
                .context("OTLP exporter")?;
            Some(
                SdkTracerProvider::builder()
                    .with_batch_exporter(exporter)
                    .with_resource(
                        Resource::builder()
                            .with_service_name(format!("hedgeflow-{service}"))
                            .build(),
                    )
                    .build(),
            )
        }
        None => None,
    };
    let otel = tracer
        .as_ref()
        .map(|provider| tracing_opentelemetry::layer().with_tracer(provider.tracer("hedgeflow")));
    tracing_subscriber::registry()
        .with(filter)
        .with(fmt)
        .with(otel)
        .try_init()
        .ok();
    Ok(Telemetry { tracer })
}

/// A Temporal runtime whose metrics (and hedgeflow's) are served at `metrics` as `/metrics`.
pub fn runtime(metrics: Option<SocketAddr>) -> anyhow::Result<Runtime> {
    let mut telemetry = TelemetryOptions::builder().build();
    if let Some(socket_addr) = metrics {
        let server = start_prometheus_metric_exporter(
            PrometheusExporterOptions::builder()
                .socket_addr(socket_addr)
                .build(),
        )
        .with_context(|| format!("serving metrics on {socket_addr}"))?;
        hedgeflow_activities::observe::install_metrics(server.meter.clone());
        tracing::info!(addr = %server.bound_addr, "metrics at /metrics");
        telemetry.metrics = Some(server.meter as Arc<_>);
    }
    let options = RuntimeOptions::builder()
        .telemetry_options(telemetry)
        .build()
        .map_err(anyhow::Error::msg)?;
    Ok(Runtime::from_current_tokio(options)?)
}
