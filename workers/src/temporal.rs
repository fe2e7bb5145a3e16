//! Connecting to the Temporal frontend.

use crate::config::{GrpcCompression, TemporalConfig, TemporalTls};
use anyhow::Context;
use temporalio_client::{
    Client, ClientOptions, ClientTlsOptions, Connection, ConnectionOptions, TlsOptions,
};
use temporalio_sdk::{
    WorkerOptions,
    runtime::{
        AutoscalingOptions, PollerBehavior,
        worker_tuner::{FixedSizeSlotSupplier, TunerHolder},
    },
};

/// Slots for every task kind but activities (the SDK's default): workflow tasks and local
/// activities are CPU work, unlike our activities, which mostly wait.
const DEFAULT_SLOTS: usize = 100;

pub async fn connect(config: &TemporalConfig, identity: &str) -> anyhow::Result<Client> {
    let options = ConnectionOptions::new(config.address.clone())
        .identity(format!("{identity}@{}", std::process::id()))
        .grpc_compression(match config.grpc_compression {
            GrpcCompression::Gzip => temporalio_client::GrpcCompression::Gzip,
            GrpcCompression::None => temporalio_client::GrpcCompression::None,
        })
        .maybe_tls_options(config.tls.as_ref().map(tls_options).transpose()?)
        .build();
    let connection = Connection::connect(options)
        .await
        .with_context(|| format!("connecting to Temporal at {}", config.address))?;
    Ok(Client::new(
        connection,
        ClientOptions::new(config.namespace.clone()).build(),
    )?)
}

/// The client side of mutual TLS, from the configured PEM files.
fn tls_options(tls: &TemporalTls) -> anyhow::Result<TlsOptions> {
    let read = |what: &str, path: &std::path::Path| {
        std::fs::read(path).with_context(|| format!("temporal.tls.{what}: {}", path.display()))
    };
    let ca = read("ca", &tls.ca)?;
    let client = ClientTlsOptions::builder()
        .client_cert(read("cert", &tls.cert)?)
        .client_private_key(read("key", &tls.key)?)
        .build();
    Ok(TlsOptions::builder()
        .server_root_ca_cert(ca)
        .maybe_domain(tls.domain.clone())
        .client_tls_options(client)
        .build())
}

/// A link to the workflow in the Temporal UI.
pub fn workflow_url(config: &TemporalConfig, workflow_id: &str) -> String {
    let base = config.ui_url.as_str().trim_end_matches('/');
    format!(
        "{base}/namespaces/{}/workflows/{workflow_id}",
        config.namespace
    )
}

/// Applies the configured concurrency to a role's worker: activity slots sized for activities
/// that mostly wait, and pollers that scale with the backlog instead of a fixed handful.
pub fn tune(config: &TemporalConfig, options: &mut WorkerOptions) {
    options.tuner = TunerHolder::builder()
        .workflow_task_slot_supplier(FixedSizeSlotSupplier::new(DEFAULT_SLOTS))
        .activity_task_slot_supplier(FixedSizeSlotSupplier::new(config.max_concurrent_activities))
        .local_activity_task_slot_supplier(FixedSizeSlotSupplier::new(DEFAULT_SLOTS))
        .nexus_task_slot_supplier(FixedSizeSlotSupplier::new(DEFAULT_SLOTS))
        .build()
        .into();
    let pollers = PollerBehavior::Autoscaling(
        AutoscalingOptions::builder()
            .minimum(1)
            .maximum(config.max_pollers.max(2))
            .initial(2)
            .build(),
    );
    options.workflow_task_poller_behavior = Some(pollers);
    options.activity_task_poller_behavior = Some(pollers);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use temporalio_sdk::runtime::worker_tuner::{SlotSupplier, WorkerTuner};

    fn tuned(env: Vec<(String, String)>) -> WorkerOptions {
        let config = Config::parse(include_str!("../../config/dev.toml"), env).unwrap();
        let mut options = WorkerOptions::new("q").build();
        tune(&config.temporal, &mut options);
        options
    }

    fn activity_slots(options: &WorkerOptions) -> usize {
        match &options.tuner {
            WorkerTuner::TunerHolder(holder) => match &holder.activity_task_slot_supplier {
                SlotSupplier::FixedSize(fixed) => fixed.num_slots,
                other => panic!("unexpected activity slots {other:?}"),
            },
            other => panic!("unexpected tuner {other:?}"),
        }
    }

    #[test]
    fn workers_take_their_concurrency_from_the_config() {
        let options = tuned(vec![
            (
                "HEDGEFLOW__TEMPORAL__MAX_CONCURRENT_ACTIVITIES".into(),
                "7".into(),
            ),
            ("HEDGEFLOW__TEMPORAL__MAX_POLLERS".into(), "3".into()),
        ]);
        assert_eq!(activity_slots(&options), 7);
        let Some(PollerBehavior::Autoscaling(polls)) = options.activity_task_poller_behavior else {
            panic!("activity polls should autoscale");
        };
        assert_eq!((polls.minimum, polls.maximum), (1, 3));
        assert_eq!(
            options.workflow_task_poller_behavior,
            options.activity_task_poller_behavior
        );
    }

    #[test]
    fn without_the_keys_workers_get_room_for_waiting_activities() {
        let text = include_str!("../../config/dev.toml")
            .lines()
            .filter(|l| {
                !l.starts_with("max-concurrent-activities") && !l.starts_with("max-pollers")
            })
            .collect::<Vec<_>>()
            .join("\n");
        let config = Config::parse(&text, []).unwrap();
        assert_eq!(config.temporal.max_concurrent_activities, 2000);
        assert_eq!(config.temporal.max_pollers, 20);
    }

    #[test]
    fn the_local_stack_sends_plain_grpc_and_other_servers_get_gzip() {
        let dev = include_str!("../../config/dev.toml");
        let config = Config::parse(dev, []).unwrap();
        assert_eq!(config.temporal.grpc_compression, GrpcCompression::None);
        let without: Vec<&str> = dev
            .lines()
            .filter(|l| !l.starts_with("grpc-compression"))
            .collect();
        let config = Config::parse(&without.join("\n"), []).unwrap();
        assert_eq!(config.temporal.grpc_compression, GrpcCompression::Gzip);
        let bad = dev.replace("grpc-compression = \"none\"", "grpc-compression = \"zstd\"");
        assert!(
            Config::parse(&bad, []).is_err(),
            "an unknown compression is refused"
        );
    }
}
