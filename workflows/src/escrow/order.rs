//! One escrow order, `escrow-<chainId>-<orderId>-<tx>`: store (PENDING) → evaluate (PROCESSING, or
//! DROPPED) → pay the user on L1 (TRANSFERRING) → confirmations (FULFILLED) → claim through the
//! chain's batcher (CLAIMING) → the release on L2 (COMPLETED).
//!
//! A step that exhausts its retries stores its error, leaves the order FAILED and waits, durably,
//! for ops to send `retry` (`hedgeflow orders retry`); the step then runs again from its start.
//! Each step looks at the chain before acting, so running one again never pays twice.

use super::{STEP_ATTEMPTS, step};
use crate::{
    options::{self, Retries},
    steps,
};
use hedgeflow_proto::{
    activities::{EscrowActivities, StoreActivities},
    escrow::{
        Accepted, ClaimOutcome, ClaimRequest, Decision, EscrowOrder, EscrowRecord, EscrowResult,
        EscrowStatus, FoundTx, OrderError, Released,
    },
    search,
};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{SyncWorkflowContext, WorkflowContext, WorkflowResult};

/// The patch that re-evaluates an order before a retried transfer; runs recorded before it
/// went straight to the transfer.
const RECHECK_BEFORE_RETRY_PATCH: &str = "recheck-before-retried-transfer";

#[workflow]
#[derive(Default)]
pub struct EscrowOrderWorkflow {
    /// Set while the order is FAILED and waiting for ops.
    failed: bool,
    retry_requested: bool,
    /// The claim batcher's answer.
    claim: Option<ClaimOutcome>,
}

#[workflow_methods]
impl EscrowOrderWorkflow {
    #[run]
    pub async fn run(
        ctx: &mut WorkflowContext<Self>,
        order: EscrowOrder,
    ) -> WorkflowResult<EscrowResult> {
        ctx.upsert_search_attributes([
            search::PIPELINE.value_set("escrow".into()),
            search::ORDER_ID.value_set(order.order_id.to_string()),
            search::CHAIN_ID.value_set(order.chain_id as i64),
        ]);
        let mut run = OrderRun::new(ctx, order);
        run.save(EscrowStatus::Pending).await?;

        run.save(EscrowStatus::Processing).await?;
        let accepted = loop {
            match run.evaluate().await {
                Ok(Decision::Accept(accepted)) => break accepted,
                Ok(Decision::Drop { reason }) => return run.drop_order(reason).await,
                Err(reason) => {
                    run.fail("evaluate", reason, EscrowStatus::Processing)
                        .await?
                }
            }
        };

        run.save(EscrowStatus::Transferring).await?;
        let mut accepted = accepted;
        let mut retried = false;
        let transfer = loop {
            // A retry may come hours after the evaluation: the order must still be on L2, with
            // time left before its user may reclaim it, unless our transfer already happened.
            if retried && run.ctx.patched(RECHECK_BEFORE_RETRY_PATCH) {
                match run.recheck().await {
                    Ok(Some(Decision::Accept(again))) => accepted = again,
                    Ok(Some(Decision::Drop { reason })) => return run.drop_order(reason).await,
                    Ok(None) => {}
                    Err(reason) => {
                        run.fail("transfer", reason, EscrowStatus::Transferring)
                            .await?;
                        continue;
                    }
                }
            }
            retried = true;
            match run.transfer_on_l1(&accepted).await {
                Ok(transfer) => break transfer,
                Err(reason) => {
                    run.fail("transfer", reason, EscrowStatus::Transferring)
                        .await?
                }
            }
        };
        run.record.transfer = Some(transfer);
        run.save(EscrowStatus::Fulfilled).await?;

        run.save(EscrowStatus::Claiming).await?;
        let claim = loop {
            match run.queue_claim().await {
                Ok(claim) => break claim,
                Err(reason) => run.fail("claim", reason, EscrowStatus::Claiming).await?,
            }
        };
        run.record.claim = Some(claim);
        run.save(EscrowStatus::Claiming).await?;

        let release = loop {
            match run.await_release().await {
                Ok(release) => break release,
                Err(reason) => run.fail("release", reason, EscrowStatus::Claiming).await?,
            }
        };
        run.record.release = Some(release);
        run.save(EscrowStatus::Completed).await?;
        Ok(run.result(None))
    }

    /// Ops: run the failed step again (`hedgeflow orders retry <id>`). Ignored unless the order
    /// is FAILED, so a stray retry cannot skip a future failure.
    #[signal]
    pub fn retry(&mut self, _ctx: &mut SyncWorkflowContext<Self>, _requested_by: String) {
        if self.failed {
            self.retry_requested = true;
        }
    }

    /// The claim batcher's answer to this order's claim.
    #[signal]
    pub fn claim_done(&mut self, _ctx: &mut SyncWorkflowContext<Self>, outcome: ClaimOutcome) {
        self.claim = Some(outcome);
    }
}

/// The order's record and the context that advances it.
struct OrderRun<'a> {
    ctx: &'a WorkflowContext<EscrowOrderWorkflow>,
    record: EscrowRecord,
    errors: u32,
}

impl<'a> OrderRun<'a> {
    fn new(ctx: &'a WorkflowContext<EscrowOrderWorkflow>, order: EscrowOrder) -> Self {
        let record = EscrowRecord {
            workflow_id: ctx.workflow_id().to_owned(),
            order,
            status: EscrowStatus::Pending,
            detail: None,
            transfer: None,
            claim: None,
            release: None,
            error: None,
        };
        Self {
            ctx,
            record,
            errors: 0,
        }
    }

    fn order(&self) -> &EscrowOrder {
        &self.record.order
    }

    /// Writes the status to the DB and the `Stage` search attribute.
    async fn save(&mut self, status: EscrowStatus) -> WorkflowResult<()> {
        self.record.status = status;
        self.ctx
            .upsert_search_attributes([search::STAGE.value_set(status.as_str().to_owned())]);
        self.ctx
            .execute_activity(
                StoreActivities::record_escrow_order,
                self.record.clone(),
                options::quick(Retries::UntilDone),
            )
            .await?;
        self.record.detail = None;
        self.record.error = None;
        Ok(())
    }

    async fn evaluate(&self) -> Result<Decision, String> {
        step(self.ctx.execute_activity(
            EscrowActivities::evaluate_escrow_order,
            self.order().clone(),
            options::quick(Retries::Attempts(STEP_ATTEMPTS)),
        ))
        .await
    }

    /// Before a retried transfer: `None` when our transfer is already on L1 (only its
    /// confirmations are left), else the order evaluated again against L2 and the clock.
    async fn recheck(&self) -> Result<Option<Decision>, String> {
        if self.find_transfer().await?.is_some() {
            return Ok(None);
        }
        self.evaluate().await.map(Some)
    }

    async fn drop_order(&mut self, reason: String) -> WorkflowResult<EscrowResult> {
        self.record.detail = Some(reason.clone());
        self.save(EscrowStatus::Dropped).await?;
        Ok(self.result(Some(reason)))
    }

    /// The L1 transfer to the recipient, confirmed. Asks the registry first, so a transfer sent
    /// before a crash (or by a retry whose journal was lost) is found and never sent again.
    async fn transfer_on_l1(&self, accepted: &Accepted) -> Result<FoundTx, String> {
        for _ in 0..=super::MAX_REORG_RESUBMITS {
            let sent = match self.find_transfer().await? {
                Some(found) => found,
                None => self.send_l1_transfer(accepted).await?,
            };
            let retries = Retries::Attempts(STEP_ATTEMPTS);
            let confirmed = super::confirm(
                self.ctx,
                accepted.l1_chain_id,
                &sent,
                accepted.confirmations,
                retries,
            );
            if let Some(receipt) = confirmed.await? {
                return Ok(FoundTx::from(&receipt));
            }
        }
        Err(super::reorged_too_often())
    }

    async fn send_l1_transfer(&self, accepted: &Accepted) -> Result<FoundTx, String> {
        let intent = accepted.transfer_intent(self.order());
        match steps::submit(self.ctx, &intent, Retries::Attempts(STEP_ATTEMPTS)).await {
            Ok(tx) => Ok(FoundTx::from(&tx)),
            // Refused (e.g. the simulation reverted): maybe because it already happened.
            Err(refused) => self.find_transfer().await?.ok_or(refused.reason),
        }
    }

    async fn find_transfer(&self) -> Result<Option<FoundTx>, String> {
        step(self.ctx.execute_activity(
            EscrowActivities::find_escrow_transfer,
            self.order().clone(),
            options::quick(Retries::Attempts(STEP_ATTEMPTS)),
        ))
        .await
    }

    /// Queues the claim with the chain's batcher and waits for its answer.
    async fn queue_claim(&self) -> Result<FoundTx, String> {
        self.ctx.state_mut(|s| s.claim = None);
        let request = ClaimRequest {
            workflow_id: self.record.workflow_id.clone(),
            order: self.order().clone(),
        };
        step(self.ctx.execute_activity(
            EscrowActivities::enqueue_escrow_claim,
            request,
            options::quick(Retries::Attempts(STEP_ATTEMPTS)),
        ))
        .await?;
        self.ctx
            .wait_condition(|s| s.claim.is_some())
            .await
            .map_err(|e| e.to_string())?;
        match self.ctx.state(|s| s.claim.clone()) {
            Some(ClaimOutcome::Claimed { claim, .. }) => Ok(claim),
            Some(ClaimOutcome::Failed { reason }) => Err(reason),
            None => Err("claim outcome missing".into()),
        }
    }

    async fn await_release(&self) -> Result<Released, String> {
        step(self.ctx.execute_activity(
            EscrowActivities::await_escrow_release,
            self.order().clone(),
            options::watch_chain(Retries::Attempts(STEP_ATTEMPTS)),
        ))
        .await
    }

    /// Stores the error with the order, leaves it FAILED, and waits for ops' retry; then puts
    /// the order back in `resume` so the step can run again.
    async fn fail(
        &mut self,
        step: &str,
        reason: String,
        resume: EscrowStatus,
    ) -> WorkflowResult<()> {
        self.errors += 1;
        self.record.error = Some(OrderError {
            seq: self.errors,
            step: step.to_owned(),
            message: reason.clone(),
        });
        self.record.detail = Some(reason);
        self.ctx.state_mut(|s| {
            s.failed = true;
            s.retry_requested = false;
        });
        self.save(EscrowStatus::Failed).await?;
        self.ctx.wait_condition(|s| s.retry_requested).await?;
        self.ctx.state_mut(|s| {
            s.failed = false;
            s.retry_requested = false;
        });
        self.record.detail = Some(format!("retrying {step} (requested by ops)"));
        self.save(resume).await
    }

    fn result(&self, reason: Option<String>) -> EscrowResult {
        EscrowResult {
            status: self.record.status,
            reason,
            transfer: self.record.transfer.clone(),
            claim: self.record.claim.clone(),
            release: self.record.release.clone(),
        }
    }
}
