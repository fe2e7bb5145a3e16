//! Where an accepted fill goes: [`FillSettlement`], the fill workflow (`fill-<quoteId>`) in the
//! `dealer` role. The dealer validates a fill against its stored quote, records it, and hands the
//! settlement the [`FillOrder`] built here; the taker's reply is the settlement's answer.

use hedgeflow_proto::{
    rfq::fill::{FillAnswer, FillOrder, FillRefusal},
    rfq::side::Side,
};
use rust_decimal::Decimal;

use super::config::Pair;
use super::record::{FillRecord, QuoteRecord};
use super::units;
use crate::api::{FillError, FillReceipt};
use crate::maker::TakerSide;

/// Why a fill could not be handed over (the workflow engine unreachable, …). The taker may
/// retry: handing over is idempotent per quote.
#[derive(Debug, thiserror::Error)]
#[error("fill settlement: {0}")]
pub struct SettleError(pub String);

/// Settles accepted fills.
#[async_trait::async_trait]
pub trait FillSettlement: Send + Sync + 'static {
    /// Starts the quote's settlement, or joins the one under way, and waits for its answer: the
    /// transaction in a block, or a refusal. Idempotent per `fill.quote_id`: a second call never
    /// starts a second settlement and gets the first one's answer.
    async fn settle(&self, fill: FillOrder) -> Result<FillAnswer, SettleError>;
}

/// The settlement's input for `fill` of `record`, with the trade in market terms from the
/// amounts as signed (what actually moves on chain). `None` when the amounts do not convert (a
/// record this dealer did not write).
pub fn fill_order(record: &QuoteRecord, fill: &FillRecord, pair: &Pair) -> Option<FillOrder> {
    let signed = &record.order;
    let maker = units::to_human(record.maker_size, pair.maker.decimals)?;
    let taker = units::to_human(record.taker_size, pair.taker.decimals)?;
    let (side, base_amount, quote_amount) = match pair.side {
        TakerSide::Buy => (Side::Buy, maker, taker),
        TakerSide::Sell => (Side::Sell, taker, maker),
    };
    let price = if base_amount.is_zero() {
        Decimal::ZERO
    } else {
        quote_amount.checked_div(base_amount)?
    };
    Some(FillOrder {
        quote_id: record.quote_id.to_string(),
        chain_id: signed.chain_id,
        settlement: signed.verifying_contract,
        order: signed.order.clone(),
        order_hash: signed.hash,
        maker_signature: signed.signature.to_vec().into(),
        taker_signature: fill.request.taker_signature.to_vec().into(),
        market: pair.market.clone(),
        side,
        base_amount,
        quote_amount,
        price,
        hedge_symbol: pair.hedge_symbol.clone(),
        requested_at_ms: fill.accepted_at_ms,
    })
}

/// The taker's reply for the settlement's answer.
pub fn reply(quote_id: uuid::Uuid, answer: FillAnswer) -> Result<FillReceipt, FillError> {
    match answer {
        FillAnswer::Submitted {
            tx_hash,
            submitted_at_ms,
        } => Ok(FillReceipt {
            quote_id,
            transaction_hash: tx_hash,
            submitted_at_ms,
        }),
        FillAnswer::Refused { refusal, reason } => Err(match refusal {
            FillRefusal::Expired => FillError::Expired,
            FillRefusal::AlreadyFilled => FillError::AlreadyFilled,
            FillRefusal::ValidationFailed => FillError::ValidationFailed(reason),
            FillRefusal::InsufficientBalance => FillError::InsufficientBalance,
            FillRefusal::InsufficientAllowance => FillError::InsufficientAllowance,
        }),
        FillAnswer::Failed { reason } => {
            tracing::error!(%quote_id, %reason, "fill settlement failed");
            Err(FillError::Internal)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_reach_the_taker_with_their_spec_codes() {
        let quote_id = uuid::Uuid::new_v4();
        for refusal in [
            FillRefusal::Expired,
            FillRefusal::AlreadyFilled,
            FillRefusal::ValidationFailed,
            FillRefusal::InsufficientBalance,
            FillRefusal::InsufficientAllowance,
        ] {
            let answer = FillAnswer::Refused {
                refusal,
                reason: "why".into(),
            };
            assert_eq!(reply(quote_id, answer).unwrap_err().code(), refusal.code());
        }
        let failed = FillAnswer::Failed {
            reason: "gas".into(),
        };
        assert_eq!(reply(quote_id, failed).unwrap_err(), FillError::Internal);
        let tx_hash = alloy::primitives::B256::repeat_byte(7);
        let submitted = FillAnswer::Submitted {
            tx_hash,
            submitted_at_ms: 5,
        };
        let receipt = reply(quote_id, submitted).unwrap();
        assert_eq!(
            (receipt.transaction_hash, receipt.submitted_at_ms),
            (tx_hash, 5)
        );
    }
}
