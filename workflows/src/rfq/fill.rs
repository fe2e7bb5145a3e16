//! One fill, `fill-<quoteId>`, started by `dealer_submitFill` with its `submit` update
//! (update-with-start), so the taker's call returns the workflow's own answer:
//!
//! fill requested → the order has not expired → the hot wallet's checks on chain (taker balance
//! and allowance, not filled, cannot expire before it is mined, simulates) → the settlement
//! transaction, sent by the hot wallet once (keyed `fill-<quoteId>/settle`) → answer the taker
//! (fill submitted) → confirmations → filled, unhedged → handed to the market's hedger
//! (`hedge-<market>`, which nets it into its epoch and marks it hedged). A refusal answers with
//! its spec code and sends nothing ("fill rejected"); a revert on chain ends "fill failed".
//!
//! A second `dealer_submitFill` of the same quote sends the update again: it joins this run and
//! gets the same answer; no second workflow, no second transaction.

use crate::{
    options::{self, Retries},
    steps::{
        self, MAX_REORG_RESUBMITS, STEP_ATTEMPTS, TxFailure, confirm, reorged_too_often, step,
    },
};
use hedgeflow_proto::{
    activities::{HedgerActivities, HotWalletActivities, StoreActivities},
    chain::{ConfirmedReceipt, FoundTx, SubmittedTx},
    rfq::fill::{
        FillAnswer, FillCheck, FillOrder, FillRecord, FillRefusal, FillResult, FillStatus,
    },
    search,
};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{WorkflowContext, WorkflowResult};

/// Confirmations a settlement waits for before it counts as filled.
pub const CONFIRMATIONS: u64 = 2;

#[workflow]
#[derive(Default)]
pub struct FillWorkflow {
    /// What `dealer_submitFill` answers; set once, before the settlement is confirmed.
    answer: Option<FillAnswer>,
}

#[workflow_methods]
impl FillWorkflow {
    #[run]
    pub async fn run(
        ctx: &mut WorkflowContext<Self>,
        fill: FillOrder,
    ) -> WorkflowResult<FillResult> {
        ctx.upsert_search_attributes([
            search::PIPELINE.value_set("rfq-fill".into()),
            search::QUOTE_ID.value_set(fill.quote_id.clone()),
            search::MARKET.value_set(fill.market.clone()),
            search::CHAIN_ID.value_set(fill.chain_id as i64),
        ]);
        let run = FillRun { ctx, fill };
        let result = run.process().await?;
        // The answer is set on every path; let waiting `submit` updates return it before the
        // run closes (an update still running when it does would fail).
        let handlers = ctx.clone();
        ctx.wait_condition(move |_| handlers.all_handlers_finished())
            .await?;
        Ok(result)
    }

    /// `dealer_submitFill`'s answer: waits until the fill is refused or its settlement is in a
    /// block. Every call gets the same answer, so a taker's retry is harmless.
    #[update]
    pub async fn submit(
        ctx: &mut WorkflowContext<Self>,
    ) -> Result<FillAnswer, Box<dyn std::error::Error + Send + Sync>> {
        ctx.wait_condition(|s| s.answer.is_some()).await?;
        ctx.state(|s| s.answer.clone())
            .ok_or_else(|| "the fill has no answer".into())
    }
}

struct FillRun<'a> {
    ctx: &'a WorkflowContext<FillWorkflow>,
    fill: FillOrder,
}

impl FillRun<'_> {
    async fn process(&self) -> WorkflowResult<FillResult> {
        self.save(FillStatus::Requested, None, None).await?;
        if let Some(refusal) = self.expired() {
            let reason = "the order expired before the fill was checked".to_owned();
            return self.refuse(refusal, reason).await;
        }
        if let FillCheck::Refused { refusal, reason } = self.check().await {
            return self.refuse(refusal, reason).await;
        }
        let sent = match self.settle_fill().await {
            Ok(sent) => sent,
            // Mined and reverted: the taker learns its transaction, and the fill failed.
            Err(TxFailure {
                reason,
                reverted: Some(mined),
            }) => {
                let answer = self.answer(FillAnswer::Submitted {
                    tx_hash: mined.tx_hash,
                    submitted_at_ms: self.now_ms(),
                });
                self.save(FillStatus::Submitted, Some(mined.clone()), None)
                    .await?;
                return self.fail(answer, reason, Some(mined)).await;
            }
            // Refused before anything was mined; the chain's state may have changed since the
            // check: ask again for the reason.
            Err(TxFailure { reason, .. }) => {
                return match self.check().await {
                    FillCheck::Refused { refusal, reason } => self.refuse(refusal, reason).await,
                    FillCheck::Fillable => {
                        let answer = FillAnswer::Failed {
                            reason: reason.clone(),
                        };
                        self.fail(answer, reason, None).await
                    }
                };
            }
        };
        let answer = self.answer(FillAnswer::Submitted {
            tx_hash: sent.tx_hash,
            submitted_at_ms: self.now_ms(),
        });
        let mined = FoundTx::from(&sent);
        self.save(FillStatus::Submitted, Some(mined.clone()), None)
            .await?;
        match self.confirm(mined.clone()).await {
            Ok(receipt) => {
                let mined = FoundTx::from(&receipt);
                self.save(FillStatus::FilledUnhedged, Some(mined), None)
                    .await?;
                self.hand_to_hedger().await?;
                Ok(FillResult {
                    status: FillStatus::FilledUnhedged,
                    answer,
                    receipt: Some(receipt),
                    reason: None,
                })
            }
            Err(reason) => self.fail(answer, reason, Some(mined)).await,
        }
    }

    /// Workflow time past the order's expiry: the spec's -42014.
    fn expired(&self) -> Option<FillRefusal> {
        (self.now_ms() > self.fill.expiry_ms()).then_some(FillRefusal::Expired)
    }

    async fn check(&self) -> FillCheck {
        let checked = step(self.ctx.execute_activity(
            HotWalletActivities::check_rfq_fill,
            self.fill.clone(),
            options::hot_wallet_read(Retries::Attempts(STEP_ATTEMPTS)),
        ))
        .await;
        checked.unwrap_or_else(|reason| FillCheck::Refused {
            refusal: FillRefusal::ValidationFailed,
            reason: format!("the fill could not be checked: {reason}"),
        })
    }

    /// The settlement, sent once by the hot wallet (it journals the intent's transaction before
    /// broadcasting, so a retry after a crash finds it and never signs another). Retried until
    /// it is in a block or refused for good (it would revert, the wallet cannot pay: nothing
    /// signed): giving up on a transient error could call a fill failed whose signed
    /// transaction is still to be mined.
    async fn settle_fill(&self) -> Result<SubmittedTx, TxFailure> {
        steps::submit(self.ctx, &self.fill.settle_intent(), Retries::UntilDone).await
    }

    /// The settlement's confirmations. The transaction is in a block, so waiting never gives up
    /// on a flaky provider; a revert fails the watch for good. A reorg rebroadcasts the same
    /// signed transaction.
    async fn confirm(&self, mut sent: FoundTx) -> Result<ConfirmedReceipt, String> {
        let chain_id = self.fill.chain_id;
        for _ in 0..=MAX_REORG_RESUBMITS {
            let confirmed = confirm(self.ctx, chain_id, &sent, CONFIRMATIONS, Retries::UntilDone);
            match confirmed.await? {
                Some(receipt) => return Ok(receipt),
                None => sent = FoundTx::from(&self.settle_fill().await?),
            }
        }
        Err(reorged_too_often())
    }

    /// The market's hedger takes the settled fill into its epoch. Retried until it does: a
    /// settled fill left unhedged is an open position.
    async fn hand_to_hedger(&self) -> WorkflowResult<()> {
        self.ctx
            .execute_activity(
                HedgerActivities::hedge_fill,
                self.fill.filled_trade(),
                options::quick(Retries::UntilDone),
            )
            .await?;
        Ok(())
    }

    async fn refuse(&self, refusal: FillRefusal, reason: String) -> WorkflowResult<FillResult> {
        let answer = self.answer(FillAnswer::Refused {
            refusal,
            reason: reason.clone(),
        });
        self.save(FillStatus::Rejected, None, Some(reason.clone()))
            .await?;
        Ok(FillResult {
            status: FillStatus::Rejected,
            answer,
            receipt: None,
            reason: Some(reason),
        })
    }

    /// "fill failed": nothing was sent that could still fill, or the settlement reverted.
    async fn fail(
        &self,
        answer: FillAnswer,
        reason: String,
        mined: Option<FoundTx>,
    ) -> WorkflowResult<FillResult> {
        let answer = self.answer(answer);
        self.save(FillStatus::Failed, mined, Some(reason.clone()))
            .await?;
        Ok(FillResult {
            status: FillStatus::Failed,
            answer,
            receipt: None,
            reason: Some(reason),
        })
    }

    /// Sets the answer unless one is set (a fill answers its taker once) and returns the one set.
    fn answer(&self, answer: FillAnswer) -> FillAnswer {
        self.ctx
            .state_mut(|s| s.answer.get_or_insert(answer).clone())
    }

    /// Writes the status to the quote's row and the `Stage` search attribute.
    async fn save(
        &self,
        status: FillStatus,
        mined: Option<FoundTx>,
        detail: Option<String>,
    ) -> WorkflowResult<()> {
        self.ctx
            .upsert_search_attributes([search::STAGE.value_set(status.as_str().to_owned())]);
        let record = FillRecord {
            quote_id: self.fill.quote_id.clone(),
            status,
            tx_hash: mined.as_ref().map(|tx| tx.tx_hash),
            block_number: mined.map(|tx| tx.block_number),
            detail,
            trade: (status == FillStatus::FilledUnhedged).then(|| self.fill.filled_trade()),
        };
        self.ctx
            .execute_activity(
                StoreActivities::record_rfq_fill,
                record,
                options::quick(Retries::UntilDone),
            )
            .await?;
        Ok(())
    }

    fn now_ms(&self) -> u64 {
        steps::now_ms(self.ctx)
    }
}
