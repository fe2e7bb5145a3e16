//! The hedger's policy on a new quote (`evaluate_intent`): a verdict with the hedger API's error
//! code, from the chain, the broker's mark price and rules, and our open positions.

use super::{IntentDesk, IntentError, config::IntentSymbol, quotes::read_quote};
use hedgeflow_proto::intent::{
    ChainQuote, IntentDecision, IntentRef, OrderType, QuoteStatus, error_codes,
};
use rust_decimal::Decimal;
use std::time::{SystemTime, UNIX_EPOCH};

/// A refusal: the hedger API's error code and the reason.
type Refusal = (u32, String);

impl IntentDesk {
    pub(super) async fn evaluate(&self, intent: &IntentRef) -> Result<IntentDecision, IntentError> {
        let quote = read_quote(&self.chain, intent.book, intent.quote_id).await?;
        let reject = |(code, reason): Refusal| Ok(IntentDecision::Reject { code, reason });
        let symbol = match self.hedged_symbol(&quote) {
            Ok(symbol) => symbol,
            Err(refusal) => return reject(refusal),
        };
        if let Some(refusal) = self.refused_by_price_or_caps(&quote, symbol).await? {
            return reject(refusal);
        }
        let (free, deposited) = self.free_allocation(&quote).await?;
        let allocate = (quote.party_b_locked - free).max(Decimal::ZERO);
        if allocate > deposited {
            return reject((
                error_codes::INSUFFICIENT_ALLOCATION,
                format!(
                    "{free} allocated and free for {}, {deposited} deposited, {} needed",
                    quote.party_a, quote.party_b_locked
                ),
            ));
        }
        let rules = self.broker.rules(&symbol.broker_symbol).await?;
        if quote.order_type == OrderType::Market
            && rules.round_qty(quote.quantity) != quote.quantity
        {
            return reject((
                error_codes::QUANTITY_STEP,
                format!(
                    "{} is not a multiple of {}",
                    quote.quantity, rules.step_size
                ),
            ));
        }
        Ok(IntentDecision::Accept {
            quote: Box::new(quote),
            symbol: symbol.broker_symbol.clone(),
            step: rules.step_size,
            limit_wait_ms: self.config.limit_wait.as_millis() as u64,
            allocate,
        })
    }

    /// The symbol the quote is hedged on, when the quote is still pending, open to us, on a
    /// hedged symbol and far enough from its deadline.
    fn hedged_symbol(&self, quote: &ChainQuote) -> Result<&IntentSymbol, Refusal> {
        if quote.status != QuoteStatus::Pending {
            return Err((
                error_codes::TAKEN,
                format!("the quote is {}", quote.status.as_str()),
            ));
        }
        if !quote.party_bs_whitelist.is_empty() && !quote.party_bs_whitelist.contains(&self.party_b)
        {
            return Err((
                error_codes::NOT_WHITELISTED,
                format!("{} is not whitelisted", self.party_b),
            ));
        }
        let Some(symbol) = self.config.symbol(quote.symbol_id) else {
            return Err((
                error_codes::UNKNOWN_SYMBOL,
                format!("symbol {} is not hedged", quote.symbol_id),
            ));
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        if quote.deadline < now + self.config.min_time_left.as_secs() {
            return Err((
                error_codes::DEADLINE,
                format!("the deadline {} is too near", quote.deadline),
            ));
        }
        Ok(symbol)
    }

    /// Why the quote is refused for its price (too far from the broker's mark) or its size (over
    /// the symbol's notional cap or the open interest cap); `None` when neither.
    async fn refused_by_price_or_caps(
        &self,
        quote: &ChainQuote,
        symbol: &IntentSymbol,
    ) -> Result<Option<Refusal>, IntentError> {
        let mark = self
            .broker
            .mark_price(&symbol.broker_symbol)
            .await?
            .mark_price;
        let range = mark * self.config.price_range_bps / Decimal::from(10_000);
        if (quote.requested_open_price - mark).abs() > range {
            return Ok(Some((
                error_codes::PRICE_OUT_OF_RANGE,
                format!(
                    "{} is more than {} bps from the mark {mark}",
                    quote.requested_open_price, self.config.price_range_bps
                ),
            )));
        }
        let notional = quote.quantity * quote.requested_open_price;
        let positions = self.store.intent_positions(None).await?;
        let of_symbol: Vec<_> = positions
            .iter()
            .filter(|row| row.symbol.as_deref() == Some(symbol.broker_symbol.as_str()))
            .cloned()
            .collect();
        let used = crate::store::intents::notional(&of_symbol);
        if used + notional > symbol.notional_cap {
            return Ok(Some((
                error_codes::NOTIONAL_CAP,
                format!(
                    "{notional} on top of {used} exceeds the cap {}",
                    symbol.notional_cap
                ),
            )));
        }
        let open_interest = crate::store::intents::notional(&positions);
        if open_interest + notional > self.config.open_interest_cap {
            return Ok(Some((
                error_codes::OPEN_INTEREST_CAP,
                format!(
                    "{notional} on top of {open_interest} exceeds the cap {}",
                    self.config.open_interest_cap
                ),
            )));
        }
        Ok(None)
    }

    /// Party B's allocation for the quote's party A that no quote holds yet, and its deposited
    /// balance it could allocate.
    async fn free_allocation(&self, quote: &ChainQuote) -> Result<(Decimal, Decimal), IntentError> {
        let (allocation, deposited) =
            tokio::join!(self.party_b_allocation(quote.party_a), self.party_b_free());
        let (allocated, reserved) = allocation?;
        Ok(((allocated - reserved).max(Decimal::ZERO), deposited?))
    }
}
