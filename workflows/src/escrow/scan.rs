//! `EscrowScanWorkflow`: one run of the accepted-blocks scan of an L2, started by the Temporal
//! Schedule `escrow-scan-<chainId>`, so every run (and the orders it saved) is visible in the UI.

use crate::options::{self, Retries};
use hedgeflow_proto::{
    activities::EscrowActivities,
    escrow::{ScanReport, ScanRequest},
    search,
};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{WorkflowContext, WorkflowResult};

#[workflow]
#[derive(Default)]
pub struct EscrowScanWorkflow;

#[workflow_methods]
impl EscrowScanWorkflow {
    #[run]
    pub async fn run(
        ctx: &mut WorkflowContext<Self>,
        request: ScanRequest,
    ) -> WorkflowResult<ScanReport> {
        ctx.upsert_search_attributes([
            search::PIPELINE.value_set("escrow-scan".into()),
            search::CHAIN_ID.value_set(request.chain_id as i64),
        ]);
        // A failed run is retried by the next scheduled one, from the same stored cursor.
        let report = ctx
            .execute_activity(
                EscrowActivities::scan_escrow_orders,
                request,
                options::watch_chain(Retries::Attempts(3)),
            )
            .await?;
        Ok(report)
    }
}
