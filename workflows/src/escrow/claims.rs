//! `EscrowClaimsWorkflow` (`escrow-claims-<chainId>`): the claim batcher of one L2.
//!
//! Order workflows queue their claims here (signal-with-start). A claim waits at most `window`
//! for others to join it, or less when `max_batch` claims are ready; the batch is checked against
//! the registry, sent as one `claimPaymentBatch` (or `claimPayment` when alone), confirmed, and
//! every order is answered with `claim_done`. Claims that arrive while a batch is in flight have
//! already waited, so they go out as soon as it lands. The workflow continues as new with what is
//! still pending, so its history stays short.

use super::{STEP_ATTEMPTS, order::EscrowOrderWorkflow, step};
use crate::options::{self, Retries};
use hedgeflow_proto::{
    activities::{EscrowActivities, HotWalletActivities},
    escrow::{ClaimBatch, ClaimBatcherInput, ClaimOutcome, ClaimRequest, FoundTx},
    search,
};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{
    ContinueAsNewOptions, SignalWorkflowOptions, SyncWorkflowContext, WorkflowContext,
    WorkflowContextView, WorkflowResult,
    workflows::{join_all, select},
};

/// Batches per run before continuing as new.
const BATCHES_PER_RUN: u64 = 200;

#[workflow]
pub struct EscrowClaimsWorkflow {
    settings: ClaimBatcherInput,
}

#[workflow_methods]
impl EscrowClaimsWorkflow {
    #[init]
    pub fn new(_ctx: &WorkflowContextView, settings: ClaimBatcherInput) -> Self {
        Self { settings }
    }

    #[run]
    pub async fn run(ctx: &mut WorkflowContext<Self>) -> WorkflowResult<()> {
        let settings = ctx.state(|s| s.settings.clone());
        ctx.upsert_search_attributes([
            search::PIPELINE.value_set("escrow-claims".into()),
            search::CHAIN_ID.value_set(settings.chain_id as i64),
        ]);
        let max = settings.max_batch.max(1) as usize;
        let first_batch = settings.next_batch;
        let mut batch_number = first_batch;
        loop {
            let waited = ctx.state(|s| !s.settings.pending.is_empty());
            ctx.upsert_search_attributes([search::STAGE.value_set("waiting".into())]);
            ctx.wait_condition(|s| !s.settings.pending.is_empty())
                .await?;
            if !waited {
                select! {
                    _ = ctx.timer(settings.window) => {},
                    _ = ctx.wait_condition(|s| s.settings.pending.len() >= max) => {},
                }
            }
            let batch: Vec<ClaimRequest> = ctx.state_mut(|s| {
                let take = s.settings.pending.len().min(max);
                s.settings.pending.drain(..take).collect()
            });
            ctx.upsert_search_attributes([search::STAGE.value_set("claiming".into())]);
            let answers = claim(ctx, &settings, batch_number, batch).await;
            answer(ctx, answers).await;
            batch_number += 1;
            if batch_number - first_batch >= BATCHES_PER_RUN || ctx.continue_as_new_suggested() {
                let next = ctx.state(|s| ClaimBatcherInput {
                    next_batch: batch_number,
                    ..s.settings.clone()
                });
                ctx.continue_as_new(next, ContinueAsNewOptions::default())?;
            }
        }
    }

    /// An order's claim. A claim already queued is not queued twice.
    #[signal]
    pub fn claim(&mut self, _ctx: &mut SyncWorkflowContext<Self>, request: ClaimRequest) {
        let pending = &mut self.settings.pending;
        if !pending.iter().any(|p| p.workflow_id == request.workflow_id) {
            pending.push(request);
        }
    }
}

/// Claims one batch and says what happened to each order.
async fn claim(
    ctx: &WorkflowContext<EscrowClaimsWorkflow>,
    settings: &ClaimBatcherInput,
    batch_number: u64,
    batch: Vec<ClaimRequest>,
) -> Vec<(String, ClaimOutcome)> {
    let failed = |claims: &[ClaimRequest], reason: &str| -> Vec<(String, ClaimOutcome)> {
        claims
            .iter()
            .map(|c| {
                let reason = reason.to_owned();
                (c.workflow_id.clone(), ClaimOutcome::Failed { reason })
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
    let mut answers: Vec<(String, ClaimOutcome)> = plan
        .invalid
        .into_iter()
        .map(|(id, reason)| (id, ClaimOutcome::Failed { reason }))
        .chain(plan.already_claimed.into_iter().map(|(id, claim)| {
            let outcome = ClaimOutcome::Claimed {
                claim,
                batch_size: 1,
            };
            (id, outcome)
        }))
        .collect();
    if plan.to_claim.is_empty() {
        return answers;
    }
    let claims = plan.to_claim;
    // Scoped by run: a batch number is never reused within a run, and a new batcher (after a
    // terminate) has a new run id, so an intent key can never name a different batch.
    let intent = settings.claim_intent(ctx.run_id(), batch_number, &claims);
    match send_and_confirm(ctx, settings, intent).await {
        Ok(claim) => {
            let batch_size = claims.len() as u32;
            answers.extend(claims.into_iter().map(|c| {
                let outcome = ClaimOutcome::Claimed {
                    claim: claim.clone(),
                    batch_size,
                };
                (c.workflow_id, outcome)
            }));
        }
        Err(reason) => answers.extend(failed(&claims, &reason)),
    }
    answers
}

async fn send_and_confirm(
    ctx: &WorkflowContext<EscrowClaimsWorkflow>,
    settings: &ClaimBatcherInput,
    intent: hedgeflow_proto::chain::TxIntent,
) -> Result<FoundTx, String> {
    for _ in 0..=super::MAX_REORG_RESUBMITS {
        let sent = step(ctx.execute_activity(
            HotWalletActivities::submit_transaction,
            intent.clone(),
            options::submit_transaction(Retries::Attempts(STEP_ATTEMPTS)),
        ))
        .await?;
        let sent = FoundTx {
            tx_hash: sent.tx_hash,
            block_number: sent.block_number,
        };
        let confirmed = super::confirm(ctx, settings.l1_chain_id, sent, settings.confirmations);
        if let Some(confirmed) = confirmed.await? {
            return Ok(confirmed);
        }
    }
    Err(super::reorged_too_often())
}

/// Signals every order its outcome, all at once. An order that no longer runs (terminated by
/// ops) cannot be answered; its claim is on chain either way.
async fn answer(ctx: &WorkflowContext<EscrowClaimsWorkflow>, answers: Vec<(String, ClaimOutcome)>) {
    let handles: Vec<_> = answers
        .into_iter()
        .map(|(workflow_id, outcome)| (ctx.external_workflow(workflow_id, None), outcome))
        .collect();
    let signals = handles.iter().map(|(handle, outcome)| {
        handle.signal(
            EscrowOrderWorkflow::claim_done,
            outcome.clone(),
            SignalWorkflowOptions::default(),
        )
    });
    let _ = join_all(signals).await;
}
