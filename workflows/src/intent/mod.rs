//! `IntentWorkflow` (`intent-<chainId>-<book>-<quoteId>-<identity>`): the intent hedger's position manager for one
//! quote of an `IntentBook`, hedged 1:1 on the perpetual futures broker.
//!
//! The chain inputs signal every event of the quote (`event`, signal-with-start), so redundant
//! sources are harmless: a repeat is dropped by its block and log index. The workflow never
//! trusts an event's fields; each one only wakes it to read the quote from the chain again.
//!
//! - [`open`]: policy check → `lockQuote` → the broker order (client order id from the quote
//!   id) → `openPosition` at the broker's average price, a partial broker fill opening
//!   partially. A cancel before the broker order is accepted; one that arrives while a LIMIT
//!   quote's order rests cancels the rest of it, and the chain then decides (`openPosition`
//!   still wins a CANCEL_PENDING quote). If the chain refuses the open, the broker hedge is
//!   undone.
//! - [`position`]: the open position waits, durably and without timers, for party A's close
//!   request; each close is placed on the broker (not reduce-only: the broker nets every quote
//!   of a symbol into one position, whose direction need not be this quote's), then filled on chain
//!   (`fillCloseRequest`), and undone on the broker if the chain refuses it. A cancelled close
//!   is accepted. The run ends when the quote is CLOSED.
//!
//! [`validator`] is the scheduled position validator; [`balance`] the scheduled balance manager.
//!
//! Every step stores the quote's row (`record_intent`) and the `Stage` search attribute. The
//! run returns the final record.

pub mod balance;
mod balance_plan;
mod open;
mod position;
pub mod validator;

use crate::{
    options::{self, Retries},
    steps,
};
use hedgeflow_proto::{
    activities::{ExchangeActivities, IntentActivities, PriceSignerActivities, StoreActivities},
    intent::{
        BrokerExecution, BrokerOrder, ChainQuote, HedgerState, IntentEvent, IntentEventKind,
        IntentRecord, IntentRef, PriceRequest, QuoteStatus, SignedPrice, party_b_tx,
    },
    search,
};
use rust_decimal::{Decimal, RoundingStrategy};
use std::{cell::Cell, time::Duration};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{
    SyncWorkflowContext, WorkflowContext, WorkflowContextView, WorkflowResult,
    workflows::{join, select},
};

/// Confirmations a party-B transaction waits for before the workflow acts on it (hedges on the
/// broker after a lock, records a position after an open).
pub const CONFIRMATIONS: u64 = 2;

/// The patch that made party-B transactions wait for their confirmations; runs recorded before
/// it only submitted them, and replay as they ran.
const CONFIRM_PATCH: &str = "confirm-party-b-tx";

#[workflow]
pub struct IntentWorkflow {
    intent: IntentRef,
    /// Every event received, in arrival order.
    events: Vec<IntentEvent>,
}

#[workflow_methods]
impl IntentWorkflow {
    #[init]
    pub fn new(_ctx: &WorkflowContextView, intent: IntentRef) -> Self {
        Self {
            intent,
            events: Vec::new(),
        }
    }

    #[run]
    pub async fn run(ctx: &mut WorkflowContext<Self>) -> WorkflowResult<IntentRecord> {
        let intent = ctx.state(|s| s.intent.clone());
        ctx.upsert_search_attributes([
            search::PIPELINE.value_set("intent".into()),
            search::QUOTE_ID.value_set(intent.quote_id.to_string()),
            search::CHAIN_ID.value_set(intent.chain_id as i64),
        ]);
        let mut run = IntentRun::new(ctx, intent);
        run.save(HedgerState::Seen).await?;
        if run.open().await? {
            run.manage_position().await?;
        }
        Ok(run.record)
    }

    /// An event of this quote seen by a chain input. A repeat (same block and log index, from
    /// another input or a retried hand-off) is dropped.
    #[signal]
    pub fn event(&mut self, _ctx: &mut SyncWorkflowContext<Self>, event: IntentEvent) {
        let known = self
            .events
            .iter()
            .any(|e| e.block_number == event.block_number && e.log_index == event.log_index);
        if !known {
            self.events.push(event);
        }
    }

    /// The events received so far, for ops.
    #[query]
    pub fn events(&self, _ctx: &WorkflowContextView) -> Vec<IntentEvent> {
        self.events.clone()
    }
}

/// The quote's record and the context that advances it.
struct IntentRun<'a> {
    ctx: &'a WorkflowContext<IntentWorkflow>,
    record: IntentRecord,
    /// Events already acted upon (a prefix of the workflow's `events`).
    handled: usize,
    /// The broker's lot size for the quote's symbol, as the policy check found it.
    step: Decimal,
}

impl<'a> IntentRun<'a> {
    fn new(ctx: &'a WorkflowContext<IntentWorkflow>, intent: IntentRef) -> Self {
        let record = IntentRecord {
            intent,
            state: HedgerState::Seen,
            quote: None,
            symbol: None,
            broker_position: Decimal::ZERO,
            chain_position: Decimal::ZERO,
            broker_orders: Vec::new(),
            transactions: Vec::new(),
            error_code: None,
            reason: None,
        };
        Self {
            ctx,
            record,
            handled: 0,
            step: Decimal::ZERO,
        }
    }

    fn intent(&self) -> &IntentRef {
        &self.record.intent
    }

    /// Writes the state to the quote's row and the `Stage` search attribute.
    async fn save(&mut self, state: HedgerState) -> WorkflowResult<()> {
        self.record.state = state;
        self.ctx
            .upsert_search_attributes([search::STAGE.value_set(state.as_str().to_owned())]);
        self.ctx
            .execute_activity(
                StoreActivities::record_intent,
                self.record.clone(),
                options::quick(Retries::UntilDone),
            )
            .await?;
        Ok(())
    }

    /// Ends the run in `state` with the error code and reason stored on the row.
    async fn end(
        &mut self,
        state: HedgerState,
        code: Option<u32>,
        reason: impl Into<String>,
    ) -> WorkflowResult<bool> {
        self.record.error_code = code;
        self.record.reason = Some(reason.into());
        self.save(state).await?;
        Ok(false)
    }

    /// The quote as the chain holds it now; kept on the record. Retried until read: every
    /// decision waits on it, and a flaky provider heals.
    async fn read(&mut self) -> WorkflowResult<ChainQuote> {
        let quote = self
            .ctx
            .execute_activity(
                IntentActivities::read_intent,
                self.intent().clone(),
                options::quick(Retries::UntilDone),
            )
            .await?;
        self.record.chain_position = if quote.status.has_position() {
            quote.position_type.party_b_signed(quote.open_quantity())
        } else {
            Decimal::ZERO
        };
        self.record.quote = Some(quote.clone());
        Ok(quote)
    }

    /// Sends a party-B transaction from the hot wallet, once per `step` (the hot wallet journals
    /// it under the quote's key), and waits for its confirmations. `Err` with the reason when the
    /// contract refuses it, in simulation or by reverting on chain: the call had no effect, and
    /// the caller reads the chain to learn why.
    async fn send(&mut self, step_name: &str, data: Vec<u8>) -> WorkflowResult<Result<(), String>> {
        let tx = party_b_tx(self.intent(), step_name, data);
        let retries = Retries::UntilDone;
        let sent = if self.ctx.patched(CONFIRM_PATCH) {
            steps::transact(self.ctx, &tx, CONFIRMATIONS, retries)
                .await
                .map(|receipt| receipt.tx_hash)
        } else {
            steps::submit(self.ctx, &tx, retries)
                .await
                .map(|sent| sent.tx_hash)
                .map_err(String::from)
        };
        Ok(sent.map(|tx_hash| {
            self.record
                .transactions
                .push((step_name.to_owned(), tx_hash));
        }))
    }

    /// The price signer's signature of the broker's mark price, which the contract checks.
    async fn signed_price(&self, quote: &ChainQuote) -> WorkflowResult<SignedPrice> {
        let request = PriceRequest {
            chain_id: self.intent().chain_id,
            book: self.intent().book,
            symbol_id: quote.symbol_id,
            symbol: self.record.symbol.clone().unwrap_or_default(),
        };
        Ok(self
            .ctx
            .execute_activity(
                PriceSignerActivities::sign_price,
                request,
                options::price_signer(Retries::UntilDone),
            )
            .await?)
    }

    /// Places `order` and follows it to its end. While a resting order waits, an event of one
    /// of `stop_on` kinds (party A cancelling, the request expiring) cancels its rest; the order
    /// then ends with what executed. Retried until done: the order keeps its client order id, so
    /// a retry never places a second one.
    async fn broker(
        &mut self,
        order: BrokerOrder,
        stop_on: &[IntentEventKind],
    ) -> WorkflowResult<BrokerExecution> {
        let ctx = self.ctx;
        let wait = Duration::from_millis(order.wait_ms);
        let execute = ctx.execute_activity(
            ExchangeActivities::execute_broker_order,
            order.clone(),
            options::broker(wait),
        );
        let execution = if order.immediate {
            execute.await?
        } else {
            let from = ctx.state(|s| s.events.len());
            let stop =
                |s: &IntentWorkflow| s.events[from..].iter().any(|e| stop_on.contains(&e.kind));
            // The watcher ends with the order: `join!` polls it again once the order is done.
            let done = Cell::new(false);
            let (execution, cancelled) = join!(
                async {
                    let execution = execute.await;
                    done.set(true);
                    execution
                },
                async {
                    ctx.wait_condition(|s| done.get() || stop(s)).await?;
                    if !done.get() {
                        ctx.execute_activity(
                            ExchangeActivities::cancel_broker_order,
                            order.clone(),
                            options::exchange(Retries::UntilDone),
                        )
                        .await?;
                    }
                    WorkflowResult::Ok(())
                }
            );
            cancelled?;
            execution?
        };
        self.record.broker_position += order.side.signed(execution.executed);
        self.record.broker_orders.push(execution.clone());
        Ok(execution)
    }

    /// Waits for an event not yet acted upon, then marks every event received as handled.
    async fn next_event(&mut self) -> WorkflowResult<()> {
        let handled = self.handled;
        self.ctx
            .wait_condition(|s| s.events.len() > handled)
            .await?;
        self.handled = self.ctx.state(|s| s.events.len());
        Ok(())
    }

    /// Like [`Self::next_event`], giving up after `wait`.
    async fn next_event_or(&mut self, wait: Duration) -> WorkflowResult<()> {
        let ctx = self.ctx;
        let handled = self.handled;
        select! {
            _ = ctx.wait_condition(|s| s.events.len() > handled) => {},
            _ = ctx.timer(wait) => {},
        }
        self.handled = ctx.state(|s| s.events.len());
        Ok(())
    }

    fn now_secs(&self) -> u64 {
        steps::now_ms(self.ctx) / 1000
    }
}

/// The hedger state a quote ends in when the chain took it out of our hands.
fn ended_by_chain(status: QuoteStatus) -> HedgerState {
    match status {
        QuoteStatus::Canceled => HedgerState::Canceled,
        QuoteStatus::Expired => HedgerState::Expired,
        QuoteStatus::Closed => HedgerState::Closed,
        _ => HedgerState::Lost,
    }
}

/// The price to write on chain for a broker fill at `avg`: the contract's 18 decimals, never
/// worse for party A than `requested` by `acceptable` (the broker's limit already guarantees
/// that, up to rounding).
fn chain_price(
    avg: Decimal,
    requested: Decimal,
    acceptable: impl Fn(Decimal, Decimal) -> bool,
) -> Decimal {
    let rounded = avg.round_dp_with_strategy(18, RoundingStrategy::MidpointAwayFromZero);
    if acceptable(rounded, requested) {
        rounded
    } else {
        requested
    }
}

/// `quantity` rounded down to a multiple of `step` (the broker's lot size).
fn on_step(quantity: Decimal, step: Decimal) -> Decimal {
    if step.is_zero() {
        return quantity;
    }
    (quantity / step).floor() * step
}
