//! `IntentValidatorWorkflow`: the position validator, run by the Temporal Schedule
//! `intent-validate-<chainId>`. Every position lives in three places (the broker, the chain,
//! our DB); this compares them and reports every mismatch (stored, logged, counted, and sent to
//! the optional webhook). It never fixes anything: a mismatch is for ops to look at.

use crate::options::{self, Retries};
use hedgeflow_proto::{
    activities::{ExchangeActivities, IntentActivities},
    intent::{ValidationReport, ValidationRequest},
    search,
};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{WorkflowContext, WorkflowResult};

/// Attempts of each read before the run fails (the next scheduled run tries again).
const ATTEMPTS: u32 = 3;
/// Attempts to post the mismatches to the webhook (about a minute of retries); the next run
/// that finds them posts again.
const WEBHOOK_ATTEMPTS: u32 = 5;

#[workflow]
#[derive(Default)]
pub struct IntentValidatorWorkflow;

#[workflow_methods]
impl IntentValidatorWorkflow {
    #[run]
    pub async fn run(
        ctx: &mut WorkflowContext<Self>,
        request: ValidationRequest,
    ) -> WorkflowResult<ValidationReport> {
        ctx.upsert_search_attributes([
            search::PIPELINE.value_set("intent-validator".into()),
            search::CHAIN_ID.value_set(request.chain_id as i64),
        ]);
        let positions = ctx
            .execute_activity(
                ExchangeActivities::broker_positions,
                request.symbols.clone(),
                options::exchange(Retries::Attempts(ATTEMPTS)),
            )
            .await?;
        let report = ctx
            .execute_activity(
                IntentActivities::validate_positions,
                (request.clone(), positions),
                options::quick(Retries::Attempts(ATTEMPTS)),
            )
            .await?;
        let mut stage = match report.mismatches.len() {
            0 => "consistent".to_owned(),
            n => format!("{n} mismatches"),
        };
        if !report.mismatches.is_empty() {
            // The mismatches are stored, logged and counted already: a webhook that stays down
            // marks the run, but does not fail it.
            let notified = ctx
                .execute_activity(
                    IntentActivities::notify_mismatches,
                    (request, report.clone()),
                    options::quick(Retries::Attempts(WEBHOOK_ATTEMPTS)),
                )
                .await;
            if notified.is_err() {
                stage.push_str(", webhook failed");
            }
        }
        ctx.upsert_search_attributes([search::STAGE.value_set(stage)]);
        Ok(report)
    }
}
