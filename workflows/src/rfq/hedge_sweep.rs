//! `HedgeSweepWorkflow`: one run of the unhedged-fills sweep, started by the Temporal Schedule
//! `rfq-hedge-sweep`. A market's hedger holds its fills in its own state; if it fails or is
//! terminated they are gone from it, and nothing else would hedge them. The sweep hands every
//! fill still `filled, unhedged` well after it settled to its hedger again (a hedger that holds
//! it ignores the repeat).

use crate::options::{self, Retries};
use hedgeflow_proto::{activities::HedgerActivities, search};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{WorkflowContext, WorkflowResult};

#[workflow]
#[derive(Default)]
pub struct HedgeSweepWorkflow;

#[workflow_methods]
impl HedgeSweepWorkflow {
    /// How many fills it handed over.
    #[run]
    pub async fn run(ctx: &mut WorkflowContext<Self>, _request: ()) -> WorkflowResult<u32> {
        ctx.upsert_search_attributes([search::PIPELINE.value_set("rfq-hedge-sweep".into())]);
        // A failed run is made good by the next scheduled one.
        let handed = ctx
            .execute_activity(
                HedgerActivities::sweep_unhedged_fills,
                (),
                options::quick(Retries::Attempts(3)),
            )
            .await?;
        Ok(handed)
    }
}
