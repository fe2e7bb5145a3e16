//! How RFQ workflows begin: a fill's `fill-<quoteId>` with its `submit` update in one call
//! (update-with-start), so `dealer_submitFill` replies with the workflow's own answer and a
//! repeat joins the same run; a market's hedger `hedge-<market>` by signal-with-start, each
//! settled fill its `filled` signal; and the unhedged-fills sweep's Schedule.

use crate::schedule::Scheduled;
use hedgeflow_dealer::service::{FillSettlement, SettleError};
use hedgeflow_proto::workflows::{FillWorkflow, HedgeSweepWorkflow, HedgeWorkflow};
use hedgeflow_proto::{
    ids, queues,
    rfq::fill::{FillAnswer, FillOrder},
    rfq::hedge::{FilledTrade, HedgerInput},
    search,
};
use temporalio_client::{
    Client, WorkflowGetResultOptions, WorkflowIdConflictPolicy, WorkflowIdReusePolicy,
    WorkflowStartOptions, WorkflowUpdateWithStartOptions,
    errors::{WorkflowStartError, WorkflowUpdateWithStartError},
};
use temporalio_common::search_attributes::SearchAttributes;
use tracing::Instrument;

/// The `submit` update's id: one per workflow, so the engine answers a repeated submit from
/// the first.
const SUBMIT_UPDATE_ID: &str = "submit-fill";

/// The dealer's [`FillSettlement`]: starts a fill's workflow, or joins the one running, and
/// returns its answer to the taker. A fill whose workflow has closed is never started again: its
/// answer is read from the result.
pub struct TemporalFills {
    client: Client,
}

impl TemporalFills {
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

#[async_trait::async_trait]
impl FillSettlement for TemporalFills {
    async fn settle(&self, fill: FillOrder) -> Result<FillAnswer, SettleError> {
        let workflow_id = fill.workflow_id();
        let span = tracing::info_span!("settle_fill", quote_id = %fill.quote_id, %workflow_id);
        let options = WorkflowUpdateWithStartOptions::new(
            queues::ORCHESTRATOR,
            workflow_id.clone(),
            WorkflowIdConflictPolicy::UseExisting,
        )
        .id_reuse_policy(WorkflowIdReusePolicy::RejectDuplicate)
        .update_id(SUBMIT_UPDATE_ID)
        .build();
        let client = &self.client;
        let outcome = client
            .execute_update_with_start_workflow(
                FillWorkflow::run,
                fill,
                FillWorkflow::submit,
                (),
                options,
            )
            .instrument(span.clone())
            .await;
        match outcome {
            Ok(answer) => Ok(answer),
            Err(WorkflowUpdateWithStartError::Start(WorkflowStartError::AlreadyStarted {
                ..
            })) => {
                let result = client
                    .get_workflow_handle::<FillWorkflow>(workflow_id.as_str())
                    .get_result(WorkflowGetResultOptions::default())
                    .instrument(span)
                    .await
                    .map_err(|error| {
                        SettleError(format!("reading {workflow_id}'s result: {error}"))
                    })?;
                Ok(result.answer)
            }
            Err(error) => Err(SettleError(error.to_string())),
        }
    }
}

/// Hands `trade` to its market's hedger, starting the hedger with `input` if it is not running.
pub async fn hand_to_hedger(
    client: &Client,
    input: HedgerInput,
    trade: FilledTrade,
) -> Result<(), String> {
    let attributes = SearchAttributes::new([
        search::PIPELINE.value_set("rfq-hedge".into()),
        search::MARKET.value_set(trade.market.clone()),
    ]);
    let options = WorkflowStartOptions::new(queues::ORCHESTRATOR, input.workflow_id())
        .search_attributes(attributes)
        .build();
    client
        .signal_with_start_workflow(
            HedgeWorkflow::run,
            input,
            HedgeWorkflow::filled,
            trade,
            options,
        )
        .await
        .map(drop)
        .map_err(|error| error.to_string())
}

/// The sweep of fills left unhedged (`rfq-hedge-sweep`).
pub fn hedge_sweep_schedule() -> Scheduled {
    Scheduled::new(
        ids::HEDGE_SWEEP_SCHEDULE.to_owned(),
        HedgeSweepWorkflow::run,
        (),
        "hands fills left unhedged to their market's hedger again".to_owned(),
    )
}
