//! The open position: wait for party A's close requests, close each on the broker and then on
//! chain, until the quote is CLOSED.

use super::{IntentRun, chain_price, ended_by_chain, on_step};
use crate::options::{self, Retries};
use hedgeflow_proto::{
    activities::IntentActivities,
    intent::{
        BrokerOrder, ChainQuote, HedgerState, IntentEventKind, OrderType, QuoteStatus, calldata,
        error_codes,
    },
};
use rust_decimal::Decimal;
use std::time::Duration;
use temporalio_sdk::WorkflowResult;

/// Events that end a resting closing order early: party A no longer wants the rest.
const STOP_CLOSING: [IntentEventKind; 3] = [
    IntentEventKind::RequestToCancelCloseRequest,
    IntentEventKind::ForceCancelCloseRequest,
    IntentEventKind::ExpireQuoteClose,
];

/// The close step that first allocates what party B's allocation lacks to pay party A's gain.
const COVER_CLOSE_PATCH: &str = "cover-close";

/// How long a LIMIT close's order rests before the workflow looks again, when the request does
/// not say sooner.
const CLOSE_RETRY: Duration = Duration::from_secs(30);

impl IntentRun<'_> {
    /// Follows the position until it is closed (or the chain ends it otherwise).
    pub(super) async fn manage_position(&mut self) -> WorkflowResult<()> {
        let mut closes = 0u32;
        // Each acceptance is its own call: a second cancel-close cycle with no close between
        // must not find the first one's transaction under its key.
        let mut cancelled_closes = 0u32;
        loop {
            let quote = self.read().await?;
            match quote.status {
                QuoteStatus::Opened => {
                    self.save(HedgerState::Opened).await?;
                    self.next_event().await?;
                }
                QuoteStatus::CancelClosePending => {
                    cancelled_closes += 1;
                    let step = format!("accept-cancel-close-{cancelled_closes}");
                    let data = calldata::accept_cancel_close(quote.quote_id);
                    if let Err(reason) = self.send(&step, data).await? {
                        // The chain moved on (party A forced it, it expired): read it again.
                        self.record.reason =
                            Some(format!("acceptCancelCloseRequest was refused ({reason})"));
                    }
                }
                QuoteStatus::ClosePending => {
                    closes += 1;
                    if !self.close(&quote, closes).await? {
                        // Nothing executed at party A's price: look again on its next action or
                        // after a while (a LIMIT close waits for the market).
                        let wait = Duration::from_secs(
                            quote.close_deadline.saturating_sub(self.now_secs()),
                        );
                        self.next_event_or(wait.min(CLOSE_RETRY)).await?;
                    }
                }
                QuoteStatus::Closed => {
                    self.record.error_code = None;
                    self.save(HedgerState::Closed).await?;
                    return Ok(());
                }
                other => {
                    let reason = format!(
                        "the position left our hands: the quote is {}",
                        other.as_str()
                    );
                    self.end(ended_by_chain(other), None, reason).await?;
                    return Ok(());
                }
            }
        }
    }

    /// One close request: reduce the broker hedge at party A's price, then fill the close on
    /// chain with what executed. `false` when nothing was closed (the broker executed nothing,
    /// or the chain refused the fill and the broker close was undone).
    async fn close(&mut self, quote: &ChainQuote, n: u32) -> WorkflowResult<bool> {
        self.save(HedgerState::ClosingOnBroker).await?;
        let market = quote.close_order_type == OrderType::Market;
        let wait_ms = if market {
            0
        } else {
            quote
                .close_deadline
                .saturating_sub(self.now_secs())
                .min(CLOSE_RETRY.as_secs())
                * 1000
        };
        let side = quote.position_type.hedge_open_side().opposite();
        let order = BrokerOrder {
            client_order_id: self.intent().broker_order_id(&format!("close-{n}")),
            symbol: self.record.symbol.clone().unwrap_or_default(),
            side,
            quantity: on_step(quote.quantity_to_close, self.step),
            limit_price: Some(quote.requested_close_price),
            immediate: market,
            wait_ms,
        };
        let execution = self.broker(order, &STOP_CLOSING).await?;
        if execution.executed.is_zero() {
            return Ok(false);
        }

        self.save(HedgerState::ClosingOnChain).await?;
        let signed = self.signed_price(quote).await?;
        let accepts = |price, requested| quote.position_type.accepts_close(price, requested);
        let price = chain_price(execution.avg_price, quote.requested_close_price, accepts);
        self.cover_close(quote, execution.executed, price, n)
            .await?;
        let step = format!("close-{n}");
        let filled = match calldata::fill_close(quote.quote_id, execution.executed, price, &signed)
        {
            Some(data) => self.send(&step, data).await?,
            None => Err(format!(
                "{} at {price} cannot be written on chain",
                execution.executed
            )),
        };
        if let Err(reason) = filled {
            self.undo(&format!("undo-close-{n}"), side, execution.executed)
                .await?;
            self.record.error_code = Some(error_codes::CHAIN_REFUSED);
            self.record.reason = Some(format!(
                "fillCloseRequest was refused ({reason}); the broker close was undone"
            ));
            // Not closed: wait before trying again, or a refusing chain would churn orders.
            return Ok(false);
        }
        Ok(true)
    }

    /// Party B pays party A's gain from its allocation for party A when the close is filled;
    /// what that allocation lacks is allocated first (`allocate-close-<n>`), so a close the
    /// balance manager has not caught up with yet is not refused. A refused allocation leaves
    /// the fill to the chain's verdict.
    async fn cover_close(
        &mut self,
        quote: &ChainQuote,
        executed: Decimal,
        price: Decimal,
        n: u32,
    ) -> WorkflowResult<()> {
        let owed = quote.position_type.party_b_signed(executed) * (quote.opened_price - price);
        // Histories from before this step replay without it.
        if owed <= Decimal::ZERO || !self.ctx.patched(COVER_CLOSE_PATCH) {
            return Ok(());
        }
        let shortfall = self
            .ctx
            .execute_activity(
                IntentActivities::close_allocation_shortfall,
                (self.intent().clone(), owed),
                options::quick(Retries::UntilDone),
            )
            .await?;
        if shortfall > Decimal::ZERO
            && let Some(data) = calldata::allocate(shortfall, quote.party_a)
        {
            // A refusal (no free balance) is the fill's to report.
            let _refused = self.send(&format!("allocate-close-{n}"), data).await?;
        }
        Ok(())
    }
}
