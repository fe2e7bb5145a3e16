//! `HedgeWorkflow` (`hedge-<market>`): the RFQ dealer's hedger of one market.
//!
//! Fill workflows hand it their settled fills (the `filled` signal, signal-with-start). A run
//! waits, without timers, for something to hedge; the first fill opens the epoch it falls in
//! (epochs are fixed slices of Unix time, `epoch_ms` long). At the epoch's end every fill
//! received is netted with the carry, and the net is hedged with **one** IOC limit order through
//! the exchange role, client order id `hedge-<market>-<epoch>`, so a retried placement finds the
//! order instead of placing another. Fills that arrive while it hedges wait for the next epoch.
//!
//! Unfilled remainder policy:
//! - the order executed something, or there was nothing to place (the net netted out, or is
//!   below the symbol's minimum): every fill of the epoch is marked at the execution's average
//!   (the book's mid when nothing executed) and recorded `hedged` with its P&L; what the order
//!   left unfilled is carried, as a quantity, into the next epoch's net (a remainder an order
//!   left gets an epoch of its own; one below the minimum waits for the next fill);
//! - the order executed nothing (the book moved past the limit): the fills stay unhedged and
//!   join the next epoch, hedged then under that epoch's id.
//!
//! Each epoch ends by continuing as new with the carry and the fills still pending, so the
//! history stays a few dozen events. The `unhedged` query is the net the maker leans against.

use crate::{
    options::{self, Retries},
    steps,
};
use hedgeflow_proto::{
    activities::{ExchangeActivities, StoreActivities},
    rfq::hedge::{FilledTrade, HedgeExecution, HedgeOrder, HedgeRecord, HedgerInput, Unhedged},
    rfq::hedge::{NOT_PLACED, realized_pnl},
    search,
};
use rust_decimal::Decimal;
use std::time::Duration;
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{
    ContinueAsNewOptions, SyncWorkflowContext, WorkflowContext, WorkflowContextView, WorkflowResult,
};

#[workflow]
pub struct HedgeWorkflow {
    input: HedgerInput,
    /// The fills of the epoch being hedged: a repeated hand-off of one of them is ignored.
    hedging: Vec<FilledTrade>,
}

#[workflow_methods]
impl HedgeWorkflow {
    #[init]
    pub fn new(_ctx: &WorkflowContextView, input: HedgerInput) -> Self {
        Self {
            input,
            hedging: Vec::new(),
        }
    }

    #[run]
    pub async fn run(ctx: &mut WorkflowContext<Self>) -> WorkflowResult<()> {
        let settings = ctx.state(|s| s.input.settings.clone());
        ctx.upsert_search_attributes([
            search::PIPELINE.value_set("rfq-hedge".into()),
            search::MARKET.value_set(settings.market.clone()),
            search::STAGE.value_set("waiting".into()),
        ]);
        // A carry below the symbol's minimum alone would wake every epoch to place nothing.
        ctx.wait_condition(|s| {
            !s.input.pending.is_empty() || (s.input.carry_placeable && !s.input.carry.is_zero())
        })
        .await?;

        let now = steps::now_ms(ctx);
        let epoch = (now / settings.epoch_ms.max(1))
            .max(ctx.state(|s| s.input.last_epoch.map_or(0, |last| last + 1)));
        let ends_at = (epoch + 1) * settings.epoch_ms;
        ctx.upsert_search_attributes([search::STAGE.value_set(format!("epoch {epoch}"))]);
        if ends_at > now {
            ctx.timer(Duration::from_millis(ends_at - now)).await;
        }

        let (batch, carried_in) = ctx.state_mut(|s| {
            s.hedging = std::mem::take(&mut s.input.pending);
            (s.hedging.clone(), s.input.carry)
        });
        let net = carried_in + batch.iter().map(FilledTrade::net).sum::<Decimal>();
        let order = HedgeOrder::for_epoch(&settings, epoch, net);
        ctx.upsert_search_attributes([search::STAGE.value_set("hedging".into())]);
        // Until done: the order's id is this epoch's, so giving up and hedging these fills under
        // another id could hedge them twice. A stuck exchange shows as this pending activity.
        let execution = ctx
            .execute_activity(
                ExchangeActivities::place_hedge_order,
                order.clone(),
                options::exchange(Retries::UntilDone),
            )
            .await?;

        let outcome = Outcome::of(&order, &execution, net, carried_in);
        let record = HedgeRecord {
            market: settings.market.clone(),
            epoch,
            net,
            carried_in,
            carried_out: outcome.carry,
            quotes: if outcome.put_back {
                Vec::new()
            } else {
                realized_pnl(&batch, &execution)
            },
            execution,
        };
        ctx.execute_activity(
            StoreActivities::record_hedge,
            record,
            options::quick(Retries::UntilDone),
        )
        .await?;

        let next = ctx.state_mut(|s| {
            let hedging = std::mem::take(&mut s.hedging);
            if outcome.put_back {
                // back in front, in the order they came
                s.input.pending.splice(0..0, hedging);
            } else {
                s.input.recently_hedged = hedging.into_iter().map(|f| f.quote_id).collect();
            }
            s.input.carry = outcome.carry;
            s.input.carry_placeable = outcome.placed;
            s.input.last_epoch = Some(epoch);
            s.input.clone()
        });
        ctx.continue_as_new(next, ContinueAsNewOptions::default())?;
        Ok(())
    }

    /// A settled fill to hedge. One already held, being hedged or just hedged is ignored, so a
    /// retried hand-off never counts a fill twice.
    #[signal]
    pub fn filled(&mut self, _ctx: &mut SyncWorkflowContext<Self>, trade: FilledTrade) {
        let id = &trade.quote_id;
        let known = self.input.pending.iter().any(|f| &f.quote_id == id)
            || self.hedging.iter().any(|f| &f.quote_id == id)
            || self.input.recently_hedged.contains(id);
        if !known {
            self.input.pending.push(trade);
        }
    }

    /// What is not hedged yet: the carry plus every fill received (including those of an
    /// order in flight, until it is recorded).
    #[query]
    pub fn unhedged(&self, _ctx: &WorkflowContextView) -> Unhedged {
        let fills = self.input.pending.iter().chain(&self.hedging);
        Unhedged {
            net: self.input.carry + fills.clone().map(FilledTrade::net).sum::<Decimal>(),
            fills: fills.count(),
            carry: self.input.carry,
        }
    }
}

/// What an epoch's execution means for its fills and the carry (see the module's policy).
struct Outcome {
    /// The order executed nothing: the fills wait for the next epoch.
    put_back: bool,
    /// An order was placed (its remainder, if any, could be placed again).
    placed: bool,
    /// The signed quantity left for the next epoch.
    carry: Decimal,
}

impl Outcome {
    fn of(
        order: &HedgeOrder,
        execution: &HedgeExecution,
        net: Decimal,
        carried_in: Decimal,
    ) -> Self {
        let placed = execution.status != NOT_PLACED;
        if placed && execution.executed.is_zero() {
            Outcome {
                put_back: true,
                placed,
                carry: carried_in,
            }
        } else {
            Outcome {
                put_back: false,
                placed,
                carry: net - order.signed(execution.executed),
            }
        }
    }
}
