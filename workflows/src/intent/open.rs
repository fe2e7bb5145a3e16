//! Opening: policy check → `lockQuote` → the broker order → `openPosition` at its price.

use super::{IntentRun, chain_price, ended_by_chain, on_step};
use crate::{
    options::{self, Retries},
    steps::{STEP_ATTEMPTS, step},
};
use hedgeflow_proto::{
    activities::IntentActivities,
    intent::{
        BrokerExecution, BrokerOrder, BrokerSide, ChainQuote, HedgerState, IntentDecision,
        IntentEventKind, IntentRef, OrderType, QuoteStatus, calldata, error_codes,
    },
};
use rust_decimal::Decimal;
use std::ops::ControlFlow;
use temporalio_sdk::WorkflowResult;

/// Events that end a resting opening order early: party A no longer wants the rest.
const STOP_OPENING: [IntentEventKind; 3] = [
    IntentEventKind::RequestToCancelQuote,
    IntentEventKind::ForceCancelQuote,
    IntentEventKind::ExpireQuoteOpen,
];

impl IntentRun<'_> {
    /// Takes the quote and opens it on both sides; `true` when a position is open on chain.
    pub(super) async fn open(&mut self) -> WorkflowResult<bool> {
        let (quote, limit_wait_ms, allocate) = match self.evaluate().await? {
            ControlFlow::Continue(accepted) => accepted,
            ControlFlow::Break(opened) => return Ok(opened),
        };

        self.save(HedgerState::Locking).await?;
        let id = quote.quote_id;
        let quote = match self.allocate_and_lock(quote, allocate).await? {
            ControlFlow::Continue(locked) => locked,
            ControlFlow::Break(opened) => return Ok(opened),
        };
        self.save(HedgerState::Locked).await?;
        if quote.status == QuoteStatus::CancelPending {
            return self.accept_cancel(&quote).await;
        }

        self.save(HedgerState::OpeningOnBroker).await?;
        let (side, execution) = self.open_on_broker(&quote, limit_wait_ms).await?;
        if execution.executed.is_zero() {
            return self.give_back().await;
        }

        self.save(HedgerState::OpeningOnChain).await?;
        self.open_on_chain(id, &quote, side, &execution).await
    }

    /// Has the quote judged: the accepted quote, how long a limit order may rest (ms) and what
    /// must be allocated to party A first; or, when it is not taken, how the run ended.
    async fn evaluate(&mut self) -> WorkflowResult<ControlFlow<bool, (ChainQuote, u64, Decimal)>> {
        let decision = step(self.ctx.execute_activity(
            IntentActivities::evaluate_intent,
            self.intent().clone(),
            options::quick(Retries::Attempts(STEP_ATTEMPTS)),
        ))
        .await;
        let ended = match decision {
            Ok(IntentDecision::Accept { quote, .. }) if !self.intent().names(&quote) => {
                self.replaced(&quote, "nothing was done for it").await
            }
            Ok(IntentDecision::Accept {
                quote,
                symbol,
                step,
                limit_wait_ms,
                allocate,
            }) => {
                self.record.symbol = Some(symbol);
                self.step = step;
                self.record.quote = Some((*quote).clone());
                return Ok(ControlFlow::Continue((*quote, limit_wait_ms, allocate)));
            }
            Ok(IntentDecision::Reject { code, reason }) if code == error_codes::TAKEN => {
                // No longer PENDING (party A cancelled it, it expired, another party B locked
                // it): the chain ended it, and the row keeps the status it ended in.
                let now = self.read().await?;
                self.end(ended_by_chain(now.status), Some(code), reason)
                    .await
            }
            Ok(IntentDecision::Reject { code, reason }) => {
                self.end(HedgerState::Rejected, Some(code), reason).await
            }
            Err(reason) => {
                let reason = format!("the quote could not be evaluated: {reason}");
                self.end(HedgerState::Rejected, None, reason).await
            }
        };
        ended.map(ControlFlow::Break)
    }

    /// Allocates to party A what the quote needs, then `lockQuote`: the quote as read after the
    /// lock, or, when the lock did not take the quote that was judged, how the run ended.
    async fn allocate_and_lock(
        &mut self,
        quote: ChainQuote,
        allocate: Decimal,
    ) -> WorkflowResult<ControlFlow<bool, ChainQuote>> {
        let id = quote.quote_id;
        if !allocate.is_zero() {
            let allocated = match calldata::allocate(allocate, quote.party_a) {
                Some(data) => self.send("allocate", data).await?,
                None => Err(format!("{allocate} cannot be written on chain")),
            };
            if let Err(reason) = allocated {
                let reason = format!("allocating {allocate} to party A was refused ({reason})");
                let code = Some(error_codes::INSUFFICIENT_ALLOCATION);
                let ended = self.end(HedgerState::Rejected, code, reason).await;
                return ended.map(ControlFlow::Break);
            }
        }
        let locked = self.send("lock", calldata::lock(id)).await?;
        let now = self.read().await?;
        // What the lock took must be what was judged: an l2 reorg between the judgement and the
        // lock can put another quote under the id, which the lock then took. It is given back
        // (the other quote's own workflow judges it), and so is this quote if it changed size.
        let replaced = !self.intent().names(&now);
        if let Err(reason) = locked {
            let ended = if replaced {
                self.replaced(&now, &format!("lockQuote was refused ({reason})"))
                    .await
            } else {
                let reason = format!(
                    "lockQuote was refused ({reason}); the quote is {}",
                    now.status.as_str()
                );
                self.end(ended_by_chain(now.status), Some(error_codes::TAKEN), reason)
                    .await
            };
            return ended.map(ControlFlow::Break);
        }
        if replaced {
            let why = self.replaced_reason(&now);
            self.unlock(HedgerState::Replaced, None, &why).await?;
            return Ok(ControlFlow::Break(false));
        }
        if now.quantity != quote.quantity {
            let why = format!(
                "the quote under this id changed from {} to {} after it was judged (an l2 reorg)",
                quote.quantity, now.quantity
            );
            self.unlock(HedgerState::Rejected, Some(error_codes::TAKEN), &why)
                .await?;
            return Ok(ControlFlow::Break(false));
        }
        Ok(ControlFlow::Continue(now))
    }

    /// The hedge on the broker: the side it took and what executed.
    async fn open_on_broker(
        &mut self,
        quote: &ChainQuote,
        limit_wait_ms: u64,
    ) -> WorkflowResult<(BrokerSide, BrokerExecution)> {
        let market = quote.order_type == OrderType::Market;
        let wait_ms = if market {
            0
        } else {
            limit_wait_ms.min(quote.deadline.saturating_sub(self.now_secs()) * 1000)
        };
        let side = quote.position_type.hedge_open_side();
        let order = BrokerOrder {
            client_order_id: self.intent().broker_order_id("open"),
            symbol: self.record.symbol.clone().unwrap_or_default(),
            side,
            quantity: on_step(quote.quantity, self.step),
            limit_price: Some(quote.requested_open_price),
            immediate: market,
            wait_ms,
        };
        let execution = self.broker(order, &STOP_OPENING).await?;
        Ok((side, execution))
    }

    /// `openPosition` of quote `id` at the broker's price; undoes the broker hedge if the chain
    /// refuses it.
    async fn open_on_chain(
        &mut self,
        id: u64,
        quote: &ChainQuote,
        side: BrokerSide,
        execution: &BrokerExecution,
    ) -> WorkflowResult<bool> {
        let signed = self.signed_price(quote).await?;
        let accepts = |price, requested| quote.position_type.accepts_open(price, requested);
        let price = chain_price(execution.avg_price, quote.requested_open_price, accepts);
        let opened = match calldata::open(id, execution.executed, price, &signed) {
            Some(data) => self.send("open", data).await?,
            None => Err(format!(
                "{} at {price} cannot be written on chain",
                execution.executed
            )),
        };
        if let Err(reason) = opened {
            self.undo("undo-open", side, execution.executed).await?;
            let now = self.read().await?;
            let reason =
                format!("openPosition was refused ({reason}); the broker hedge was undone");
            return self
                .end(
                    ended_by_chain(now.status),
                    Some(error_codes::CHAIN_REFUSED),
                    reason,
                )
                .await;
        }
        self.read().await?;
        self.save(HedgerState::Opened).await?;
        Ok(true)
    }

    /// Party A asked to cancel before anything was opened: accept it.
    async fn accept_cancel(&mut self, quote: &ChainQuote) -> WorkflowResult<bool> {
        let refused = self
            .send("accept-cancel", calldata::accept_cancel(quote.quote_id))
            .await?
            .err();
        let now = self.read().await?;
        let reason = match refused {
            None => "party A cancelled the quote; the cancel was accepted".to_owned(),
            Some(reason) => format!("acceptCancelRequest was refused ({reason})"),
        };
        self.end(ended_by_chain(now.status), None, reason).await
    }

    /// The broker filled nothing at party A's price: accept a pending cancel, or unlock the
    /// quote for other party Bs.
    async fn give_back(&mut self) -> WorkflowResult<bool> {
        let quote = self.read().await?;
        match quote.status {
            QuoteStatus::CancelPending => self.accept_cancel(&quote).await,
            QuoteStatus::Locked => {
                let why = "the broker filled nothing at the requested price";
                let code = Some(error_codes::BROKER_UNFILLED);
                self.unlock(HedgerState::Rejected, code, why).await
            }
            other => {
                let reason = format!("the broker filled nothing; the quote is {}", other.as_str());
                self.end(
                    ended_by_chain(other),
                    Some(error_codes::BROKER_UNFILLED),
                    reason,
                )
                .await
            }
        }
    }

    /// Gives a quote we hold back to other party Bs (`unlockQuote`) and ends the run in `state`
    /// (or where the chain took the quote, if not back to PENDING) with `code`, `why` and what
    /// the unlock did.
    async fn unlock(
        &mut self,
        state: HedgerState,
        code: Option<u32>,
        why: &str,
    ) -> WorkflowResult<bool> {
        let id = self.intent().quote_id;
        let refused = self.send("unlock", calldata::unlock(id)).await?.err();
        let now = self.read().await?;
        let reason = match refused {
            None => format!("{why}; the quote was unlocked"),
            Some(reason) => format!("{why}; unlockQuote was refused ({reason})"),
        };
        let state = match now.status {
            QuoteStatus::Pending => state,
            other => ended_by_chain(other),
        };
        self.end(state, code, reason).await
    }

    /// Ends a run whose quote id an l2 reorg gave to `now`, another quote, after `what`.
    async fn replaced(&mut self, now: &ChainQuote, what: &str) -> WorkflowResult<bool> {
        let reason = format!("{}; {what}", self.replaced_reason(now));
        self.end(HedgerState::Replaced, None, reason).await
    }

    fn replaced_reason(&self, now: &ChainQuote) -> String {
        let other = IntentRef::of(self.intent().chain_id, self.intent().book, now);
        format!(
            "an l2 reorg gave quote id {} to another quote (party A {}), judged by its own \
             workflow {}",
            now.quote_id,
            now.party_a,
            other.workflow_id()
        )
    }

    /// Reverses `executed` of a `side` order on the broker with a market order (`step` names
    /// its client order id), so no hedge is left without its position on chain. Not
    /// reduce-only: the broker nets every quote of a symbol into one position, which this
    /// quote's hedge may not have the direction of.
    pub(super) async fn undo(
        &mut self,
        step_name: &str,
        side: BrokerSide,
        executed: Decimal,
    ) -> WorkflowResult<()> {
        let order = BrokerOrder {
            client_order_id: self.intent().broker_order_id(step_name),
            symbol: self.record.symbol.clone().unwrap_or_default(),
            side: side.opposite(),
            quantity: executed,
            limit_price: None,
            immediate: true,
            wait_ms: 0,
        };
        self.broker(order, &[]).await?;
        Ok(())
    }
}
