//! What the benches share: the bare Temporal baseline (a workflow of no-op activities, run on a
//! worker in the bench process), the shape it copies from a real run (activities, search-attribute
//! updates), the CPU each process used, and the percentiles, windows and workflow times the
//! reports are made of; [`engine`] counts what each lifecycle cost the workflow engine.

pub mod cpu;
pub mod engine;

use crate::support::Stack;
use chrono::{DateTime, Utc};
use futures::future::join_all;
use hedgeflow_proto::search;
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant, SystemTime};
use temporalio_client::{
    Client, WorkflowDescribeOptions, WorkflowFetchHistoryOptions, WorkflowGetResultOptions,
    WorkflowStartOptions,
};
use temporalio_common::HasWorkflowDefinition;
use temporalio_macros::{activities, workflow, workflow_methods};
use temporalio_sdk::{
    ActivityOptions, Worker, WorkerOptions, WorkflowContext, WorkflowResult,
    activities::{ActivityContext, ActivityError},
};

const BARE_QUEUE: &str = "bench-bare";

#[workflow]
#[derive(Default)]
pub struct BareWorkflow;

#[workflow_methods]
impl BareWorkflow {
    /// `shape.activities` no-op activities, one after the other, like a pipeline's steps; the
    /// first `shape.upserts` steps each set the `Stage` search attribute first, as a pipeline
    /// step does.
    #[run]
    pub async fn run(ctx: &mut WorkflowContext<Self>, shape: Shape) -> WorkflowResult<u32> {
        for step in 0..shape.activities {
            if step < shape.upserts {
                ctx.upsert_search_attributes([search::STAGE.value_set(format!("step {step}"))]);
            }
            ctx.execute_activity(
                Noop::noop,
                step,
                ActivityOptions::start_to_close_timeout(Duration::from_secs(30)),
            )
            .await?;
        }
        Ok(shape.activities)
    }
}

/// What a bare workflow does: the activities a pipeline's workflow ran and, optionally, its
/// search-attribute updates.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct Shape {
    pub activities: u32,
    pub upserts: u32,
}

pub struct Noop;

#[activities]
impl Noop {
    #[activity]
    pub async fn noop(_ctx: ActivityContext, step: u32) -> Result<u32, ActivityError> {
        Ok(step)
    }
}

pub struct Run {
    /// Seconds from the pipeline's start to its goal (pipeline) or start to close (bare).
    pub latencies: Vec<f64>,
    /// Seconds each item spent in each status, by status (pipeline only).
    pub phases: Vec<(String, Vec<f64>)>,
    /// Completed per second, first start to last close.
    pub throughput: f64,
    pub wall: Duration,
    /// CPU each process group used during the run, largest first.
    pub cpu: cpu::Used,
}

/// `name` from the environment, parsed, else `default`.
pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// p50 and p99, sorting in place.
pub fn p50_p99(values: &mut [f64]) -> (f64, f64) {
    values.sort_by(f64::total_cmp);
    (percentile(values, 0.50), percentile(values, 0.99))
}

/// Markdown rows: time spent in each status, in the order the statuses came.
pub fn phase_rows(phases: &mut [(String, Vec<f64>)]) -> String {
    phases
        .iter_mut()
        .map(|(status, spent)| {
            let (p50, p99) = p50_p99(spent);
            format!("| {status} | {p50:.2} s | {p99:.2} s |\n")
        })
        .collect()
}

/// Adds the time from each status to the next (the last: to `close`) to `phases`, by status.
pub fn add_phases(
    phases: &mut Vec<(String, Vec<f64>)>,
    entries: &[(String, SystemTime)],
    close: SystemTime,
) {
    let ends = entries.iter().skip(1).map(|(_, at)| *at).chain([close]);
    for ((status, at), end) in entries.iter().zip(ends) {
        add_phase(phases, status, [seconds(*at, end)]);
    }
}

/// Adds times spent in `status` to `phases`, keeping the statuses in the order they came.
pub fn add_phase(
    phases: &mut Vec<(String, Vec<f64>)>,
    status: &str,
    spent: impl IntoIterator<Item = f64>,
) {
    match phases.iter_mut().find(|(s, _)| s == status) {
        Some((_, spent_in)) => spent_in.extend(spent),
        None => phases.push((status.to_owned(), spent.into_iter().collect())),
    }
}

/// A stored `status_history` (`[{"status", "at"}, ...]`) as (status, time) pairs, oldest first.
pub fn status_history(history: &serde_json::Value) -> Vec<(String, SystemTime)> {
    history
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let at = e["at"].as_str()?.parse::<DateTime<Utc>>().ok()?;
            Some((e["status"].as_str()?.to_owned(), SystemTime::from(at)))
        })
        .collect()
}

pub fn seconds(from: SystemTime, to: SystemTime) -> f64 {
    to.duration_since(from).unwrap_or_default().as_secs_f64()
}

/// From the earliest start to the latest close of a run's workflows.
#[derive(Default)]
pub struct Window {
    first: Option<SystemTime>,
    last: Option<SystemTime>,
}

impl Window {
    pub fn add(&mut self, start: SystemTime, close: SystemTime) {
        self.first = Some(self.first.map_or(start, |f| f.min(start)));
        self.last = Some(self.last.map_or(close, |l| l.max(close)));
    }

    pub fn seconds(&self) -> f64 {
        seconds(self.first.expect("a start"), self.last.expect("a close"))
    }
}

/// A closed workflow's start and close times, as the server recorded them.
pub async fn times<W: HasWorkflowDefinition>(
    client: &Client,
    workflow_id: &str,
) -> (SystemTime, SystemTime) {
    let description = client
        .get_workflow_handle::<W>(workflow_id)
        .describe(WorkflowDescribeOptions::default())
        .await
        .expect("describe");
    (
        description.start_time().expect("started"),
        description.close_time().expect("closed"),
    )
}

/// How many activities a workflow scheduled (its `ActivityTaskScheduled` events) and how many
/// times it set search attributes, for a like-for-like baseline.
pub async fn shape_of<W: HasWorkflowDefinition>(client: &Client, workflow_id: &str) -> Shape {
    let history = client
        .get_workflow_handle::<W>(workflow_id)
        .fetch_history(WorkflowFetchHistoryOptions::default())
        .to_json()
        .await
        .expect("history");
    let history = String::from_utf8_lossy(&history);
    Shape {
        activities: history.matches("\"activity_type\"").count() as u32,
        upserts: history
            .matches("\"UpsertWorkflowSearchAttributesEventAttributes\"")
            .count() as u32,
    }
}

/// `workflows` bare workflows of `shape` each, started at once on a worker in this process, on
/// `stack`'s Temporal server.
pub async fn bare(stack: &Stack, workflows: u32, shape: Shape) -> Run {
    let client = stack.client.clone();
    let runtime = temporalio_sdk::Runtime::from_current_tokio(Default::default()).unwrap();
    let mut options = WorkerOptions::new(BARE_QUEUE)
        .register_workflow::<BareWorkflow>()
        .unwrap()
        .register_activities(Noop)
        .build();
    // Tuned like the roles' workers, so only the work differs.
    hedgeflow::temporal::tune(&stack.config.temporal, &mut options);
    let mut worker = Worker::new(&runtime, client.clone(), options).unwrap();
    let shutdown = worker.shutdown_handle();
    let run_id = uuid::Uuid::new_v4();
    let driver = async move {
        let cpu_before = cpu::by_group();
        let started = Instant::now();
        let ids: Vec<String> = (0..workflows)
            .map(|i| format!("bench-bare-{run_id}-{i}"))
            .collect();
        join_all(ids.iter().map(|id| {
            let client = client.clone();
            async move {
                client
                    .start_workflow(
                        BareWorkflow::run,
                        shape,
                        WorkflowStartOptions::new(BARE_QUEUE, id.clone()).build(),
                    )
                    .await
                    .expect("start")
                    .get_result(WorkflowGetResultOptions::default())
                    .await
                    .expect("bare result")
            }
        }))
        .await;
        let wall = started.elapsed();
        let cpu = cpu::used(&cpu_before, &cpu::by_group());
        let mut latencies = Vec::new();
        let mut window = Window::default();
        for id in &ids {
            let (start, close) = times::<BareWorkflow>(&client, id).await;
            window.add(start, close);
            latencies.push(seconds(start, close));
        }
        shutdown();
        Run {
            latencies,
            phases: Vec::new(),
            throughput: workflows as f64 / window.seconds(),
            wall,
            cpu,
        }
    };
    let (worker_result, run) = tokio::join!(worker.run(), driver);
    worker_result.expect("bare worker");
    run
}

/// Writes `report` to `bench/<name>/REPORT.md` and prints it.
pub fn write_report(name: &str, report: &str) {
    println!("{report}");
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../bench/{name}/REPORT.md"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, report).unwrap();
    println!("written to {}", path.display());
}

/// The bench's runtime. The stack's child processes die with the thread that spawned them:
/// everything runs in this thread's `block_on`.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}
