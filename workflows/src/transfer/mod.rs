//! The treasury transfer: validate → submit (hot wallet) → watch receipt → record.
//!
//! Every stage is written to the store and to the `Stage` search attribute, so both the DB and
//! the Temporal UI tell where a transfer stands. The transaction's idempotency key is derived from
//! the workflow id, so a retried or resubmitted step can never pay twice.

use crate::{
    failure,
    options::{self, Retries},
};
use hedgeflow_proto::{
    activities::{ChainActivities, HotWalletActivities, StoreActivities},
    chain::{ConfirmedReceipt, ReceiptOutcome, SubmittedTx, TxIntent, WatchReceipt},
    ids, search,
    transfer::{TransferPlan, TransferRecord, TransferRequest, TransferResult, TransferStatus},
};
use temporalio_common::error::ApplicationFailure;
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{WorkflowContext, WorkflowResult};

/// How many times a transaction that was reorganised out is resubmitted before the workflow gives
/// up; each resubmission rebroadcasts the same signed transaction.
const MAX_REORG_RESUBMITS: u32 = 5;

#[workflow]
#[derive(Default)]
pub struct TransferWorkflow;

#[workflow_methods]
impl TransferWorkflow {
    #[run]
    pub async fn run(
        ctx: &mut WorkflowContext<Self>,
        request: TransferRequest,
    ) -> WorkflowResult<TransferResult> {
        let record = TransferRecord::new(ctx.workflow_id().to_owned(), request.clone());
        let mut step = Step { ctx, record };
        step.ctx.upsert_search_attributes([
            search::PIPELINE.value_set("transfer".into()),
            search::ORDER_ID.value_set(request.request_id.clone()),
        ]);

        let plan = step.validate(request).await?;
        let intent = tx_intent(&step.record.workflow_id, &plan);
        for _ in 0..=MAX_REORG_RESUBMITS {
            let sent = step.submit(&intent).await?;
            if let Some(receipt) = step.confirm(&plan, &sent).await? {
                return Ok(TransferResult { plan, receipt });
            }
        }
        let reason = format!(
            "transaction reorganised out {} times",
            MAX_REORG_RESUBMITS + 1
        );
        step.fail(TransferStatus::Failed, reason).await
    }
}

/// The transaction that pays the plan, keyed by this workflow so it is sent at most once.
fn tx_intent(workflow_id: &str, plan: &TransferPlan) -> TxIntent {
    let (to, value, data) = plan.call();
    TxIntent {
        intent_key: ids::tx_intent_key(workflow_id, "transfer"),
        chain_id: plan.chain_id,
        to,
        value,
        data,
    }
}

/// The workflow's running record and the context that advances it.
struct Step<'a> {
    ctx: &'a WorkflowContext<TransferWorkflow>,
    record: TransferRecord,
}

impl Step<'_> {
    /// Plans the transfer; a request that cannot be planned fails the workflow as rejected.
    async fn validate(&mut self, request: TransferRequest) -> WorkflowResult<TransferPlan> {
        self.stage("validating");
        let plan = match self
            .ctx
            .execute_activity(
                ChainActivities::plan_transfer,
                request,
                options::quick(Retries::UntilDone),
            )
            .await
        {
            Ok(plan) => plan,
            Err(error) => {
                return self
                    .fail(TransferStatus::Rejected, failure::reason(&error))
                    .await;
            }
        };
        self.ctx
            .upsert_search_attributes([search::CHAIN_ID.value_set(plan.chain_id as i64)]);
        self.record.plan = Some(plan.clone());
        self.save(TransferStatus::Validated).await?;
        Ok(plan)
    }

    /// Has the hot wallet send the transaction (again, after a reorg: the same signed one).
    async fn submit(&mut self, intent: &TxIntent) -> WorkflowResult<SubmittedTx> {
        self.stage("submitting");
        let sent = self
            .ctx
            .execute_activity(
                HotWalletActivities::submit_transaction,
                intent.clone(),
                options::submit_transaction(Retries::UntilDone),
            )
            .await;
        let sent = match sent {
            Ok(sent) => sent,
            Err(error) => {
                return self
                    .fail(TransferStatus::Failed, failure::reason(&error))
                    .await;
            }
        };
        self.record.tx_hash = Some(sent.tx_hash);
        self.save(TransferStatus::Submitted).await?;
        Ok(sent)
    }

    /// Watches the sent transaction's receipt: the confirmed receipt, or `None` when the
    /// transaction was reorganised out and must be resubmitted.
    async fn confirm(
        &mut self,
        plan: &TransferPlan,
        sent: &SubmittedTx,
    ) -> WorkflowResult<Option<ConfirmedReceipt>> {
        self.stage("confirming");
        let watch = WatchReceipt {
            chain_id: plan.chain_id,
            tx_hash: sent.tx_hash,
            confirmations: plan.confirmations,
        };
        let outcome = self
            .ctx
            .execute_activity(
                ChainActivities::watch_receipt,
                watch,
                options::watch_chain(Retries::UntilDone),
            )
            .await;
        match outcome {
            Ok(ReceiptOutcome::Confirmed(receipt)) => {
                self.record.receipt = Some(receipt.clone());
                self.save(TransferStatus::Confirmed).await?;
                self.stage("completed");
                Ok(Some(receipt))
            }
            Ok(ReceiptOutcome::Reorged { .. }) => Ok(None),
            Err(error) => {
                self.fail(TransferStatus::Failed, failure::reason(&error))
                    .await
            }
        }
    }

    fn stage(&self, stage: &str) {
        self.ctx
            .upsert_search_attributes([search::STAGE.value_set(stage.to_owned())]);
    }

    async fn save(&mut self, status: TransferStatus) -> WorkflowResult<()> {
        self.record.status = status;
        self.ctx
            .execute_activity(
                StoreActivities::record_transfer,
                self.record.clone(),
                options::quick(Retries::UntilDone),
            )
            .await?;
        Ok(())
    }

    /// Stores the failure with the transfer, then fails the workflow with the same reason.
    async fn fail<T>(&mut self, status: TransferStatus, reason: String) -> WorkflowResult<T> {
        self.stage(status.as_str());
        self.record.error = Some(reason.clone());
        self.save(status).await?;
        Err(ApplicationFailure::non_retryable(TransferFailed(reason)).into())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("transfer failed: {0}")]
struct TransferFailed(String);
