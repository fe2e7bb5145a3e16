//! The Grafana dashboards (`deploy/grafana/dashboards/`, one per pipeline) against what
//! hedgeflow serves: every panel's query reads metrics we register or the SDK's worker metrics
//! ([`super::TEMPORAL_SDK_METRICS`]), on the data source Grafana is provisioned with, with
//! workflow and activity types that exist, and each dashboard shows what ops need of its
//! pipeline.

use super::rules_test::{PROMETHEUS_METRICS, metrics_in};
use serde::Deserialize;
use std::{collections::BTreeSet, fs, path::PathBuf};

/// Each pipeline's dashboard and the metrics it must read: throughput, time per stage, failures
/// and refusals, RPC health, and the pipeline's own (the hedger's unhedged net, allocation and
/// broker health).
const REQUIRED: [(&str, &[&str]); 3] = [
    (
        "escrow",
        &[
            "hedgeflow_escrow_orders_finished",
            "hedgeflow_escrow_claims_planned",
        ],
    ),
    ("rfq", &["hedgeflow_rfq_fills", "hedgeflow_rfq_hedge_carry"]),
    (
        "intent",
        &[
            "hedgeflow_intent_quotes_finished",
            "hedgeflow_intent_allocation_health",
            "hedgeflow_broker_request_errors",
        ],
    ),
];
/// What every dashboard reads besides its pipeline's own.
const EVERY_DASHBOARD: [&str; 5] = [
    "temporal_workflow_endtoend_latency_bucket",
    "temporal_activity_execution_latency_bucket",
    "temporal_activity_execution_failed",
    "hedgeflow_policy_refusals",
    "hedgeflow_rpc_request_errors",
];

#[derive(Deserialize)]
struct Dashboard {
    uid: String,
    title: String,
    panels: Vec<Panel>,
}

#[derive(Deserialize)]
struct Panel {
    title: String,
    #[serde(default)]
    description: String,
    datasource: DataSource,
    targets: Vec<Target>,
}

#[derive(Deserialize)]
struct Target {
    expr: String,
    datasource: DataSource,
}

#[derive(Deserialize, PartialEq, Debug)]
struct DataSource {
    uid: String,
}

fn grafana_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../deploy/grafana")
}

/// The uid of the one data source Grafana is provisioned with.
fn provisioned_source() -> String {
    let path = grafana_dir().join("provisioning/datasources/prometheus.yml");
    let text = fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
    let file: serde_yaml::Value = serde_yaml::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not YAML: {error}", path.display()));
    let sources = file["datasources"].as_sequence().expect("datasources");
    assert_eq!(sources.len(), 1, "{}: one data source", path.display());
    assert_eq!(sources[0]["url"].as_str(), Some("http://prometheus:9090"));
    sources[0]["uid"].as_str().expect("its uid").to_owned()
}

#[test]
fn every_panel_reads_metrics_hedgeflow_serves_and_each_pipeline_has_its_dashboard() {
    let source = provisioned_source();
    let declared = Declared::read();
    let served: BTreeSet<&str> = super::metric_names()
        .into_iter()
        .chain(super::TEMPORAL_SDK_METRICS)
        .chain(PROMETHEUS_METRICS)
        .collect();
    let dir = grafana_dir().join("dashboards");
    let files: BTreeSet<String> = fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("reading {}: {error}", dir.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let expected: BTreeSet<String> = REQUIRED
        .iter()
        .map(|(name, _)| format!("{name}.json"))
        .collect();
    assert_eq!(
        files,
        expected,
        "one dashboard per pipeline in {}",
        dir.display()
    );
    let mut uids = BTreeSet::new();
    for (name, required) in REQUIRED {
        let path = dir.join(format!("{name}.json"));
        let dashboard: Dashboard = serde_json::from_str(&fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|error| panic!("{} is not a dashboard: {error}", path.display()));
        let title = &dashboard.title;
        assert!(
            uids.insert(dashboard.uid.clone()),
            "{title}: uid used twice"
        );
        assert!(!dashboard.panels.is_empty(), "{title} has no panels");
        let mut read = BTreeSet::new();
        for panel in &dashboard.panels {
            let what = format!("{title} / {}", panel.title);
            assert!(
                !panel.description.trim().is_empty(),
                "{what}: no description"
            );
            assert!(!panel.targets.is_empty(), "{what}: no query");
            for target in &panel.targets {
                for ds in [&panel.datasource, &target.datasource] {
                    assert_eq!(ds.uid, source, "{what}: not the provisioned data source");
                }
                declared.check_label_values(&what, &target.expr);
                let metrics = metrics_in(&target.expr);
                assert!(
                    !metrics.is_empty(),
                    "{what}: `{}` reads no metric",
                    target.expr
                );
                for metric in metrics {
                    assert!(
                        served.contains(metric.as_str()),
                        "{what} reads {metric}, which no hedgeflow process serves"
                    );
                    read.insert(metric);
                }
            }
        }
        for metric in EVERY_DASHBOARD.iter().chain(required) {
            assert!(read.contains(*metric), "{title} must show {metric}");
        }
    }
}

/// The sources that declare activities and workflows, read once for every panel.
struct Declared {
    activities: String,
    workflows: String,
}

impl Declared {
    fn read() -> Self {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        Self {
            activities: fs::read_to_string(root.join("proto/src/activities.rs")).unwrap(),
            workflows: fs::read_to_string(root.join("proto/src/workflows.rs")).unwrap(),
        }
    }

    /// The activities' names as metrics label them (after the `::`): the function's name, or
    /// the name an `#[activity(name = "…")]` keeps for it.
    fn activity_names(&self) -> Vec<&str> {
        self.activities
            .split("#[activity")
            .skip(1)
            .filter_map(|declaration| {
                let kept = declaration
                    .strip_prefix("(name = \"")
                    .and_then(|rest| rest.split('"').next())
                    .and_then(|name| name.rsplit("::").next());
                let function = declaration
                    .split_once("pub fn ")
                    .and_then(|(_, rest)| rest.split('(').next());
                kept.or(function)
            })
            .collect()
    }

    /// The workflow and activity types a query selects exist: `workflow_type="X"` or
    /// `=~"X|Y"` names workflows declared in `proto/src/workflows.rs`, and `activity_type=~".*::(a|b)"` (the SDK
    /// labels an activity `<Trait>::<fn>`) names activities declared in
    /// `proto/src/activities.rs`.
    fn check_label_values(&self, what: &str, expr: &str) {
        let activities = self.activity_names();
        for names in label_values(expr, "activity_type=~\".*::(", ")") {
            for name in names.split('|') {
                assert!(
                    activities.contains(&name),
                    "{what}: no activity {name} in proto/src/activities.rs"
                );
            }
        }
        for prefix in ["workflow_type=\"", "workflow_type=~\""] {
            for names in label_values(expr, prefix, "\"") {
                for name in names.split('|') {
                    assert!(
                        self.declares_workflow(name),
                        "{what}: no workflow {name} in proto/src/workflows.rs"
                    );
                }
            }
        }
    }

    /// `<name>(Input) -> Output` stands in a `workflow!` declaration.
    fn declares_workflow(&self, name: &str) -> bool {
        self.workflows.contains(&format!("\n    {name}("))
    }
}

/// Every text between `open` and the next `close` in `expr`.
fn label_values<'a>(expr: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    expr.match_indices(open)
        .filter_map(|(at, _)| {
            let rest = &expr[at + open.len()..];
            rest.find(close).map(|end| &rest[..end])
        })
        .collect()
}
