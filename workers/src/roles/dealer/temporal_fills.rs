//! [`TemporalFills`]: the dealer's [`FillSettlement`], the `fill-<quoteId>` workflow started with
//! its `submit` update in one call (update-with-start), so `dealer_submitFill` replies with the
//! workflow's own answer and a repeat joins the same run.

use hedgeflow_dealer::service::{FillSettlement, SettleError};
use hedgeflow_proto::workflows::FillWorkflow;
use hedgeflow_proto::{
    queues,
    rfq::fill::{FillAnswer, FillOrder},
};
use temporalio_client::{
    Client, WorkflowGetResultOptions, WorkflowIdConflictPolicy, WorkflowIdReusePolicy,
    WorkflowUpdateWithStartOptions,
    errors::{WorkflowStartError, WorkflowUpdateWithStartError},
};
use tracing::Instrument;

/// The update's id: one per workflow, so the engine answers a repeated submit from the first.
const SUBMIT_UPDATE_ID: &str = "submit-fill";

pub struct TemporalFills {
    client: Client,
}

impl TemporalFills {
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    /// The answer of a fill workflow that has closed: it is in the run's result.
    async fn closed_answer(&self, workflow_id: &str) -> Result<FillAnswer, SettleError> {
        let result = self
            .client
            .get_workflow_handle::<FillWorkflow>(workflow_id)
            .get_result(WorkflowGetResultOptions::default())
            .await
            .map_err(|error| SettleError(format!("reading {workflow_id}'s result: {error}")))?;
        Ok(result.answer)
    }
}

#[async_trait::async_trait]
impl FillSettlement for TemporalFills {
    async fn settle(&self, fill: FillOrder) -> Result<FillAnswer, SettleError> {
        let workflow_id = fill.workflow_id();
        let span = tracing::info_span!("settle_fill", quote_id = %fill.quote_id, %workflow_id);
        async {
            // Join a running fill; never start a second one after it closed.
            let options = WorkflowUpdateWithStartOptions::new(
                queues::ORCHESTRATOR,
                workflow_id.clone(),
                WorkflowIdConflictPolicy::UseExisting,
            )
            .id_reuse_policy(WorkflowIdReusePolicy::RejectDuplicate)
            .update_id(SUBMIT_UPDATE_ID)
            .build();
            let outcome = self
                .client
                .execute_update_with_start_workflow(
                    FillWorkflow::run,
                    fill,
                    FillWorkflow::submit,
                    (),
                    options,
                )
                .await;
            match outcome {
                Ok(answer) => Ok(answer),
                Err(WorkflowUpdateWithStartError::Start(WorkflowStartError::AlreadyStarted {
                    ..
                })) => self.closed_answer(&workflow_id).await,
                Err(error) => Err(SettleError(error.to_string())),
            }
        }
        .instrument(span)
        .await
    }
}
