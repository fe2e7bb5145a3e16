//! `EscrowClaimsWorkflow` (`escrow-claims-<chainId>`): the claim batcher of one L2.
//!
//! Order workflows queue their claims here (signal-with-start). A claim waits at most `window`
//! for others to join it, or less when `max_batch` claims are ready; the batch is checked against
//! the registry, sent as one `claimPaymentBatch` (or `claimPayment` when alone), confirmed, and
//! every order is answered with `claim_done`. Up to `concurrency` batches are in flight at once,
//! each in its own lane, since a batch mostly waits for L1 blocks. Claims that queued while every
//! lane was busy have already waited, so they go out as soon as a lane frees up. The workflow
//! continues as new with what is still pending, so its history stays short.

use super::{STEP_ATTEMPTS, step};
use crate::options::{self, Retries};
use hedgeflow_proto::{
    activities::EscrowActivities,
    escrow::{ClaimAnswer, ClaimBatch, ClaimBatcherInput, ClaimOutcome, ClaimRequest, FoundTx},
    search,
};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{
    ContinueAsNewOptions, SyncWorkflowContext, WorkflowContext, WorkflowContextView,
    WorkflowResult,
    workflows::{join_all, select},
};

/// Batches per run before continuing as new.
const BATCHES_PER_RUN: u64 = 200;

#[workflow]
pub struct EscrowClaimsWorkflow {
    settings: ClaimBatcherInput,
    /// Orders whose batch is being claimed; a claim queued again meanwhile is not queued twice.
    in_flight: Vec<String>,
    /// A lane holds the window open for the next batch; the others wait their turn.
    collecting: bool,
    /// This run has sent its share of batches: lanes finish what they hold and stop.
    draining: bool,
}

#[workflow_methods]
impl EscrowClaimsWorkflow {
    #[init]
    pub fn new(_ctx: &WorkflowContextView, settings: ClaimBatcherInput) -> Self {
        Self {
            settings,
            in_flight: Vec::new(),
            collecting: false,
            draining: false,
        }
    }

    #[run]
    pub async fn run(ctx: &mut WorkflowContext<Self>) -> WorkflowResult<()> {
        let settings = ctx.state(|s| s.settings.clone());
        ctx.upsert_search_attributes([
            search::PIPELINE.value_set("escrow-claims".into()),
            search::CHAIN_ID.value_set(settings.chain_id as i64),
            search::STAGE.value_set("waiting".into()),
        ]);
        let lanes = (0..settings.concurrency.max(1)).map(|_| lane(ctx, &settings));
        for finished in join_all(lanes).await {
            finished?;
        }
        let next = ctx.state(|s| s.settings.clone());
        ctx.continue_as_new(next, ContinueAsNewOptions::default())?;
        Ok(())
    }

    /// An order's claim. A claim already queued or being claimed is not queued twice.
    #[signal]
    pub fn claim(&mut self, _ctx: &mut SyncWorkflowContext<Self>, request: ClaimRequest) {
        let known = self.in_flight.contains(&request.workflow_id)
            || self
                .settings
                .pending
                .iter()
                .any(|p| p.workflow_id == request.workflow_id);
        if !known {
            self.settings.pending.push(request);
        }
    }
}

/// One batch at a time: take the next batch, claim it, answer its orders; until the run drains.
async fn lane(
    ctx: &WorkflowContext<EscrowClaimsWorkflow>,
    settings: &ClaimBatcherInput,
) -> WorkflowResult<()> {
    let max = settings.max_batch.max(1) as usize;
    let first_batch = settings.next_batch;
    loop {
        // Claims already queued when this lane frees up have waited for it; a claim that has to
        // be waited for gets the window to gather company.
        let waited = ctx.state(|s| !s.collecting && !s.settings.pending.is_empty());
        ctx.wait_condition(|s| s.draining || (!s.collecting && !s.settings.pending.is_empty()))
            .await?;
        if ctx.state(|s| s.draining) {
            return Ok(());
        }
        ctx.state_mut(|s| s.collecting = true);
        if !waited {
            select! {
                _ = ctx.timer(settings.window) => {},
                _ = ctx.wait_condition(|s| s.settings.pending.len() >= max) => {},
            }
        }
        let suggested = ctx.continue_as_new_suggested();
        let (batch_number, batch) = ctx.state_mut(|s| {
            s.collecting = false;
            let take = s.settings.pending.len().min(max);
            let batch: Vec<ClaimRequest> = s.settings.pending.drain(..take).collect();
            s.in_flight
                .extend(batch.iter().map(|c| c.workflow_id.clone()));
            let number = s.settings.next_batch;
            s.settings.next_batch += 1;
            s.draining |= suggested || s.settings.next_batch - first_batch >= BATCHES_PER_RUN;
            (number, batch)
        });
        ctx.upsert_search_attributes([search::STAGE.value_set("claiming".into())]);
        let answers = claim_on_l1(ctx, settings, batch_number, batch).await;
        let idle = ctx.state_mut(|s| {
            s.in_flight
                .retain(|id| !answers.iter().any(|a| &a.workflow_id == id));
            s.in_flight.is_empty()
        });
        if idle {
            ctx.upsert_search_attributes([search::STAGE.value_set("waiting".into())]);
        }
        answer(ctx, answers).await?;
    }
}

/// Claims one batch and says what happened to each order.
async fn claim_on_l1(
    ctx: &WorkflowContext<EscrowClaimsWorkflow>,
    settings: &ClaimBatcherInput,
    batch_number: u64,
    batch: Vec<ClaimRequest>,
) -> Vec<ClaimAnswer> {
    let answer = |workflow_id: String, outcome| ClaimAnswer {
        workflow_id,
        outcome,
    };
    let failed = |claims: &[ClaimRequest], reason: &str| -> Vec<ClaimAnswer> {
        claims
            .iter()
            .map(|c| {
                let reason = reason.to_owned();
                answer(c.workflow_id.clone(), ClaimOutcome::Failed { reason })
            })
            .collect()
    };
    let plan = step(ctx.execute_activity(
        EscrowActivities::plan_escrow_claims,
        ClaimBatch {
            l1_chain_id: settings.l1_chain_id,
            payment_registry: settings.payment_registry,
            claims: batch.clone(),
        },
        options::quick(Retries::Attempts(STEP_ATTEMPTS)),
    ))
    .await;
    let plan = match plan {
        Ok(plan) => plan,
        Err(reason) => return failed(&batch, &reason),
    };
    let mut answers: Vec<ClaimAnswer> = plan
        .invalid
        .into_iter()
        .map(|(id, reason)| answer(id, ClaimOutcome::Failed { reason }))
        .chain(plan.already_claimed.into_iter().map(|(id, claim)| {
            let outcome = ClaimOutcome::Claimed {
                claim,
                batch_size: 1,
            };
            answer(id, outcome)
        }))
        .collect();
    if plan.to_claim.is_empty() {
        return answers;
    }
    let claims = plan.to_claim;
    // Scoped by run: a batch number is never reused within a run, and a new batcher (after a
    // terminate) has a new run id, so an intent key can never name a different batch.
    let intent = settings.claim_intent(ctx.run_id(), batch_number, &claims);
    let retries = Retries::Attempts(STEP_ATTEMPTS);
    let claimed = crate::steps::transact(ctx, &intent, settings.confirmations, retries).await;
    match claimed.map(|receipt| FoundTx::from(&receipt)) {
        Ok(claim) => {
            let batch_size = claims.len() as u32;
            answers.extend(claims.into_iter().map(|c| {
                let outcome = ClaimOutcome::Claimed {
                    claim: claim.clone(),
                    batch_size,
                };
                answer(c.workflow_id, outcome)
            }));
        }
        Err(reason) => answers.extend(failed(&claims, &reason)),
    }
    answers
}

/// Tells every order of the batch its outcome, retrying until it is delivered: the orders wait
/// for nothing else.
async fn answer(
    ctx: &WorkflowContext<EscrowClaimsWorkflow>,
    answers: Vec<ClaimAnswer>,
) -> WorkflowResult<()> {
    ctx.execute_activity(
        EscrowActivities::answer_escrow_claims,
        answers,
        options::quick(Retries::UntilDone),
    )
    .await?;
    Ok(())
}
