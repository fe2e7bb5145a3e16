//! Housekeeping workflows run by Temporal Schedules: what each pipeline schedules is declared
//! in its `starters` module as a [`Scheduled`]; [`Scheduled::ensure`] creates it once and keeps
//! its interval in line with the config on every start.

use hedgeflow_proto::queues;
use std::time::Duration;
use temporalio_client::{
    Client,
    schedules::{
        CreateScheduleOptions, ScheduleAction, ScheduleError, ScheduleOverlapPolicy, ScheduleSpec,
    },
    tonic::Code,
};
use temporalio_common::{HasWorkflowDefinition, data_converters::TemporalSerializable};
use tracing::info;

/// A workflow started on the orchestrator's queue at an interval, under a fixed Schedule id.
pub struct Scheduled {
    pub id: String,
    action: ScheduleAction,
    /// Shown with the Schedule in the Temporal UI.
    note: String,
}

impl Scheduled {
    pub fn new<W>(id: String, workflow: W, input: W::Input, note: String) -> Self
    where
        W: HasWorkflowDefinition,
        W::Input: TemporalSerializable + Send + Sync + 'static,
    {
        let action =
            ScheduleAction::start_workflow(workflow, input, queues::ORCHESTRATOR, id.clone());
        Self { id, action, note }
    }

    /// Creates the Schedule once, running every `every` and skipping a run while the last one
    /// still runs; on later starts brings its interval in line with `every`.
    pub async fn ensure(self, client: &Client, every: Duration) -> Result<(), ScheduleError> {
        let Scheduled { id, action, note } = self;
        let options = CreateScheduleOptions::builder()
            .action(action)
            .spec(ScheduleSpec::from_interval(every))
            .overlap_policy(ScheduleOverlapPolicy::Skip)
            .note(note)
            .build();
        match client.create_schedule(id.clone(), options).await {
            Ok(_) => info!(schedule_id = id, ?every, "schedule created"),
            Err(ScheduleError::Rpc(status)) if status.code() == Code::AlreadyExists => {
                client
                    .get_schedule_handle(id)
                    .update(
                        move |update| {
                            update.set_spec(ScheduleSpec::from_interval(every));
                        },
                        Default::default(),
                    )
                    .await?;
            }
            Err(error) => return Err(error),
        }
        Ok(())
    }
}
