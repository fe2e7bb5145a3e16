//! What a lifecycle costs the workflow engine: its recorded history (every run, when it continued
//! as new) counted by event type, and the actions Temporal Cloud would bill for it, counted from
//! the events by [`RULES`]. Also the report section that shows them.

use std::collections::BTreeMap;
use temporalio_client::{
    Client, NamespacedClient, WorkflowExecutionInfo, WorkflowFetchHistoryOptions,
};
use temporalio_common::protos::temporal::api::{
    enums::v1::EventType,
    history::v1::{HistoryEvent, history_event::Attributes},
};

/// How [`count`] turns a history into actions, for the reports.
pub const RULES: &str = "Actions are counted from the recorded histories the way Temporal Cloud \
bills them (docs.temporal.io/cloud/actions): each run's start is one (a client start, a \
signal-with-start with its signal, a continue-as-new; a child's start is two, counted at the \
parent, and not again in the child); each activity attempt is one (an `ActivityTaskScheduled` \
counts the attempts its `ActivityTaskStarted` reports, so retries are in); each timer started; \
each signal received (`WorkflowExecutionSignaled`, except the one a signal-with-start delivered \
with the start, and one sent by another workflow, counted at the sender as \
`SignalExternalWorkflowExecutionInitiated`); each `UpsertWorkflowSearchAttributes` (several \
attributes in one upsert are one; one setting only `TemporalChangeVersion` is free); each \
update accepted; each marker but the SDK's patch markers (local activities: one per workflow \
task). Not in a history, so not counted: queries (our pipelines make none), rejected updates and \
activity heartbeats. The heartbeat column is an upper-bound estimate, not in the actions: every \
activity with a heartbeat timeout sends its first heartbeat at once and at most one more per \
0.8 × the timeout (the SDK's throttle) while it runs. Workflow tasks are not billed.";

/// Billed action kinds, in the reports' column order.
const KINDS: [&str; 8] = [
    "starts",
    "activity attempts",
    "timers",
    "signals",
    "search-attribute upserts",
    "updates",
    "child workflows",
    "markers",
];

/// The events and actions of one or more workflow runs, summed.
#[derive(Clone, Debug, Default)]
pub struct Cost {
    pub runs: u64,
    /// Events by type (`ActivityTaskScheduled`, ...).
    pub events: BTreeMap<String, u64>,
    /// Billed actions by kind (see [`KINDS`]).
    pub actions: BTreeMap<&'static str, u64>,
    /// Heartbeats that may have reached the server (an upper bound; see [`RULES`]).
    pub heartbeats: u64,
}

impl Cost {
    pub fn event_count(&self) -> u64 {
        self.events.values().sum()
    }

    pub fn action_count(&self) -> u64 {
        self.actions.values().sum()
    }

    pub fn add(&mut self, other: &Cost) {
        self.runs += other.runs;
        for (kind, n) in &other.events {
            *self.events.entry(kind.clone()).or_default() += n;
        }
        for (kind, n) in &other.actions {
            *self.actions.entry(kind).or_default() += n;
        }
        self.heartbeats += other.heartbeats;
    }

    fn action(&mut self, kind: &'static str, n: u64) {
        debug_assert!(KINDS.contains(&kind));
        *self.actions.entry(kind).or_default() += n;
    }
}

/// Every run of `workflow_id`, oldest first: the latest run, then the runs it continued from.
pub async fn runs(client: &Client, workflow_id: &str) -> Vec<Vec<HistoryEvent>> {
    let mut runs = Vec::new();
    let mut run_id: Option<String> = None;
    loop {
        let info = WorkflowExecutionInfo::builder()
            .namespace(client.namespace())
            .workflow_id(workflow_id)
            .maybe_run_id(run_id.take())
            .build();
        let handle = info.bind_untyped(client.clone());
        // A few tries: a bench's report hangs on this after a long run.
        let mut tries = 0;
        let events = loop {
            let fetched = handle
                .fetch_history(WorkflowFetchHistoryOptions::default())
                .into_events()
                .await;
            match fetched {
                Ok(events) => break events,
                Err(e) if tries < 3 => {
                    eprintln!("the history of {workflow_id}: {e}; trying again");
                    tries += 1;
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
                Err(e) => panic!("the history of {workflow_id}: {e}"),
            }
        };
        let previous = match events.first().and_then(|e| e.attributes.as_ref()) {
            Some(Attributes::WorkflowExecutionStartedEventAttributes(started)) => {
                started.continued_execution_run_id.clone()
            }
            _ => String::new(),
        };
        runs.push(events);
        if previous.is_empty() {
            break;
        }
        run_id = Some(previous);
    }
    runs.reverse();
    runs
}

/// The cost of every run of `workflow_id`.
pub async fn of(client: &Client, workflow_id: &str) -> Cost {
    let mut cost = Cost::default();
    for run in runs(client, workflow_id).await {
        cost.add(&count(&run));
    }
    cost
}

/// The events of a run up to the step that recorded `stage`: through the first activity to
/// complete after the `Stage` search attribute was set to it (the step's write of its row). The
/// whole run when it never reached `stage`.
// Only the intents bench counts a lifecycle to a stage its workflow goes on from.
#[allow(dead_code)]
pub fn until_stage<'a>(events: &'a [HistoryEvent], stage: &str) -> &'a [HistoryEvent] {
    let value = serde_json::to_vec(stage).expect("a string");
    let set = events.iter().position(|e| match &e.attributes {
        Some(Attributes::UpsertWorkflowSearchAttributesEventAttributes(upsert)) => upsert
            .search_attributes
            .as_ref()
            .and_then(|s| s.indexed_fields.get("Stage"))
            .is_some_and(|payload| payload.data == value),
        _ => false,
    });
    let Some(set) = set else {
        return events;
    };
    let recorded = events[set..].iter().position(|e| {
        matches!(
            e.attributes,
            Some(Attributes::ActivityTaskCompletedEventAttributes(_))
        )
    });
    match recorded {
        Some(offset) => &events[..=set + offset],
        None => events,
    }
}

/// The cost of one run's `events` (see [`RULES`]).
pub fn count(events: &[HistoryEvent]) -> Cost {
    let mut cost = Cost {
        runs: 1,
        ..Cost::default()
    };
    // Activity attempts and heartbeat timeouts by their scheduled event, start times by theirs.
    let mut scheduled: BTreeMap<i64, f64> = BTreeMap::new();
    let mut started: BTreeMap<i64, (i32, f64)> = BTreeMap::new();
    let mut local_activity_tasks = std::collections::BTreeSet::new();
    for event in events {
        let name = EventType::try_from(event.event_type)
            .map(|t| camel_case(t.as_str_name()))
            .unwrap_or_else(|_| format!("event type {}", event.event_type));
        *cost.events.entry(name).or_default() += 1;
        let at = event
            .event_time
            .as_ref()
            .map_or(0.0, |t| t.seconds as f64 + f64::from(t.nanos) / 1e9);
        match &event.attributes {
            // A child's start is counted at its parent.
            Some(Attributes::WorkflowExecutionStartedEventAttributes(a))
                if a.parent_workflow_execution.is_none() =>
            {
                cost.action("starts", 1)
            }
            Some(Attributes::StartChildWorkflowExecutionInitiatedEventAttributes(_)) => {
                cost.action("child workflows", 2)
            }
            Some(Attributes::ActivityTaskScheduledEventAttributes(a)) => {
                let timeout = a
                    .heartbeat_timeout
                    .as_ref()
                    .map_or(0.0, |d| d.seconds as f64 + f64::from(d.nanos) / 1e9);
                scheduled.insert(event.event_id, timeout);
            }
            Some(Attributes::ActivityTaskStartedEventAttributes(a)) => {
                started.insert(a.scheduled_event_id, (a.attempt.max(1), at));
            }
            Some(
                Attributes::ActivityTaskCompletedEventAttributes(_)
                | Attributes::ActivityTaskFailedEventAttributes(_)
                | Attributes::ActivityTaskTimedOutEventAttributes(_)
                | Attributes::ActivityTaskCanceledEventAttributes(_),
            ) => {
                let scheduled_id = closed_activity(event);
                if let (Some(timeout), Some((_, from))) =
                    (scheduled.get(&scheduled_id), started.get(&scheduled_id))
                    && *timeout > 0.0
                {
                    cost.heartbeats += 1 + ((at - from).max(0.0) / (0.8 * timeout)) as u64;
                }
            }
            Some(Attributes::TimerStartedEventAttributes(_)) => cost.action("timers", 1),
            // Event 2 is the signal of a signal-with-start: one action with the start.
            Some(Attributes::WorkflowExecutionSignaledEventAttributes(a))
                if event.event_id != 2 && a.external_workflow_execution.is_none() =>
            {
                cost.action("signals", 1)
            }
            Some(Attributes::SignalExternalWorkflowExecutionInitiatedEventAttributes(_)) => {
                cost.action("signals", 1)
            }
            Some(Attributes::UpsertWorkflowSearchAttributesEventAttributes(a)) => {
                let only_versioning = a.search_attributes.as_ref().is_some_and(|s| {
                    s.indexed_fields
                        .keys()
                        .all(|k| k == "TemporalChangeVersion")
                });
                if !only_versioning {
                    cost.action("search-attribute upserts", 1);
                }
            }
            Some(Attributes::WorkflowExecutionUpdateAcceptedEventAttributes(_)) => {
                cost.action("updates", 1)
            }
            Some(Attributes::MarkerRecordedEventAttributes(a)) => match a.marker_name.as_str() {
                "core_patch" => {}
                "core_local_activity" => {
                    local_activity_tasks.insert(a.workflow_task_completed_event_id);
                }
                _ => cost.action("markers", 1),
            },
            _ => {}
        }
    }
    let attempts: u64 = scheduled
        .keys()
        .map(|id| started.get(id).map_or(1, |(attempt, _)| *attempt as u64))
        .sum();
    cost.action("activity attempts", attempts);
    cost.action("markers", local_activity_tasks.len() as u64);
    cost
}

/// The scheduled event id of an activity's closing event.
fn closed_activity(event: &HistoryEvent) -> i64 {
    match &event.attributes {
        Some(Attributes::ActivityTaskCompletedEventAttributes(a)) => a.scheduled_event_id,
        Some(Attributes::ActivityTaskFailedEventAttributes(a)) => a.scheduled_event_id,
        Some(Attributes::ActivityTaskTimedOutEventAttributes(a)) => a.scheduled_event_id,
        Some(Attributes::ActivityTaskCanceledEventAttributes(a)) => a.scheduled_event_id,
        _ => 0,
    }
}

/// `EVENT_TYPE_ACTIVITY_TASK_SCHEDULED` → `ActivityTaskScheduled`.
fn camel_case(name: &str) -> String {
    name.trim_start_matches("EVENT_TYPE_")
        .split('_')
        .map(|word| {
            let lower = word.to_lowercase();
            let mut chars = lower.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect()
            })
        })
        .collect()
}

/// One row of the report: a lifecycle's cost as the sum of parts, each a total spread over the
/// lifecycles it served (a workflow of its own per lifecycle; a shared workflow's runs over every
/// lifecycle that used them).
pub struct Lifecycle {
    pub name: String,
    parts: Vec<(Cost, f64)>,
    /// Lifecycles measured, for the table.
    pub measured: u64,
}

impl Lifecycle {
    pub fn new(name: impl Into<String>, measured: u64) -> Self {
        Self {
            name: name.into(),
            parts: Vec::new(),
            measured,
        }
    }

    /// Adds `total`, spread over `lifecycles`.
    pub fn part(mut self, total: Cost, lifecycles: u64) -> Self {
        self.parts.push((total, lifecycles.max(1) as f64));
        self
    }

    fn mean(&self, of: impl Fn(&Cost) -> u64) -> f64 {
        self.parts.iter().map(|(c, n)| of(c) as f64 / n).sum()
    }
}

/// The "Engine cost per lifecycle" section: a row per lifecycle (mean per lifecycle: runs,
/// events, actions by kind, the heartbeat estimate), the events by type, and [`RULES`].
pub fn section(lifecycles: &[Lifecycle]) -> String {
    let mut out = String::from("## Engine cost per lifecycle\n\n");
    out.push_str(
        "Means per lifecycle, from the histories the Temporal server recorded in this run.\n\n",
    );
    out.push_str("| lifecycle | measured | runs | history events | actions |");
    for kind in KINDS {
        out.push_str(&format!(" {kind} |"));
    }
    out.push_str(" heartbeats (estimate, not in actions) |\n|---|---|---|---|---|");
    out.push_str(&"---|".repeat(KINDS.len() + 1));
    out.push('\n');
    for row in lifecycles {
        out.push_str(&format!(
            "| {} | {} | {:.2} | {:.1} | **{:.1}** |",
            row.name,
            row.measured,
            row.mean(|c| c.runs),
            row.mean(Cost::event_count),
            row.mean(Cost::action_count),
        ));
        for kind in KINDS {
            out.push_str(&format!(
                " {:.1} |",
                row.mean(|c| c.actions.get(kind).copied().unwrap_or(0))
            ));
        }
        out.push_str(&format!(" {:.1} |\n", row.mean(|c| c.heartbeats)));
    }
    let mut types: Vec<&String> = lifecycles
        .iter()
        .flat_map(|l| l.parts.iter().flat_map(|(c, _)| c.events.keys()))
        .collect();
    types.sort();
    types.dedup();
    out.push_str("\nHistory events by type (mean per lifecycle):\n\n| event |");
    for row in lifecycles {
        out.push_str(&format!(" {} |", row.name));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(lifecycles.len()));
    out.push('\n');
    for event in types {
        out.push_str(&format!("| {event} |"));
        for row in lifecycles {
            out.push_str(&format!(
                " {:.1} |",
                row.mean(|c| c.events.get(event).copied().unwrap_or(0))
            ));
        }
        out.push('\n');
    }
    out.push_str(&format!("\n{RULES}\n"));
    out
}
