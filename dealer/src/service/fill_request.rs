//! A taker's fill request on the [`QuoteService`]: checked against the stored quote (unknown,
//! already requested, expired, soft-cancelled, and every field and signature of the order as
//! signed), recorded, and handed to the fill workflow
//! ([`FillSettlement`](super::FillSettlement)), whose answer is the reply.

use alloy::primitives::U256;
use alloy::sol_types::SolStruct;
use hedgeflow_proto::rfq::quote::{self, RfqFillApproval};
use uuid::Uuid;

use super::config::Pair;
use super::fills;
use super::quote::{QuoteService, now_ms};
use super::record::{FillRecord, FillRecorded, QuoteRecord, StoreError};
use crate::api::{self, FillError, FillReceipt, FillRequest};
use crate::maker::adverse_move_bps;

impl QuoteService {
    /// Validates the request against the stored quote, records it, and hands it to the fill
    /// settlement, whose answer (the transaction, or a refusal with its code) is the reply. The
    /// same request again joins that settlement and gets the same answer; a different request
    /// for a quote already taken is -42016.
    pub(super) async fn submit_fill_request(
        &self,
        request: FillRequest,
    ) -> Result<FillReceipt, FillError> {
        let quote_id = request.quote_id;
        let internal = |error| store_unavailable(quote_id, error);
        let mut record = self
            .store
            .get(quote_id)
            .await
            .map_err(internal)?
            .ok_or(FillError::UnknownQuote)?;
        let pair = self
            .pairs
            .get(&(record.maker_asset, record.taker_asset))
            .ok_or(FillError::UnknownQuote)?;
        if record.fill.is_none() {
            let now_ms = now_ms();
            if now_ms > record.expiration_ms {
                return Err(FillError::Expired);
            }
            self.check_soft_cancel(pair, &record, now_ms)?;
            fill_matches(&record, &request, self.trade_info.gas_price)
                .map_err(|reason| FillError::QuoteValidation(reason.into()))?;
            let fill = FillRecord {
                request: request.clone(),
                accepted_at_ms: now_ms,
            };
            match self
                .store
                .request_fill(quote_id, fill.clone())
                .await
                .map_err(internal)?
            {
                FillRecorded::Recorded => {
                    tracing::info!(%quote_id, "fill requested");
                    record.fill = Some(fill);
                }
                // a concurrent request won: answer as to a repeat of it
                FillRecorded::AlreadyRequested => {
                    record = self
                        .store
                        .get(quote_id)
                        .await
                        .map_err(internal)?
                        .ok_or(FillError::UnknownQuote)?;
                }
                FillRecorded::Unknown => return Err(FillError::UnknownQuote),
            }
        }
        let accepted = record.fill.as_ref().ok_or(FillError::Internal)?;
        if accepted.request != request {
            return Err(FillError::AlreadyFilled);
        }
        let order = fills::fill_order(&record, accepted, pair).ok_or_else(|| {
            tracing::error!(%quote_id, "stored quote does not convert to a fill");
            FillError::Internal
        })?;
        let answer = self.fills.settle(order).await.map_err(|error| {
            tracing::error!(%quote_id, %error, "fill not handed to its settlement");
            FillError::Internal
        })?;
        fills::reply(quote_id, answer)
    }

    /// The fill's state as its workflow last stored it on the quote's row.
    pub(super) async fn stored_fill_state(
        &self,
        quote_id: Uuid,
    ) -> Result<api::FillState, FillError> {
        self.store
            .fill_state(quote_id)
            .await
            .map_err(|error| store_unavailable(quote_id, error))?
            .ok_or(FillError::UnknownQuote)
    }

    /// The quote's soft cancel (its `validityParameters`): a fill is refused (-42017) when the
    /// market's mid has moved against the quote by more than the market allows since it was
    /// priced, or when no fresh book is there to tell.
    fn check_soft_cancel(
        &self,
        pair: &Pair,
        record: &QuoteRecord,
        now_ms: u64,
    ) -> Result<(), FillError> {
        let Some(max_bps) = pair.soft_cancel_bps else {
            return Ok(());
        };
        let refused = |why: String| FillError::ValidationFailed(format!("soft cancel: {why}"));
        let mid_now = self
            .maker
            .mid(&pair.market, &*self.books.snapshot(), now_ms)
            .map_err(|e| refused(format!("no fresh price to check the quote against ({e})")))?;
        let moved = adverse_move_bps(pair.side, record.priced.inputs.mid, mid_now);
        if moved > max_bps {
            return Err(refused(format!(
                "the mid moved {} bps against the quote, more than {max_bps}",
                moved.round_dp(1)
            )));
        }
        Ok(())
    }
}

/// A fill call the quote store could not serve: logged, and -32603 to the taker (who may retry).
fn store_unavailable(quote_id: Uuid, error: StoreError) -> FillError {
    tracing::error!(%quote_id, %error, "quote store unavailable");
    FillError::Internal
}

/// Why `request` does not fill `record`'s order exactly as signed (the spec's -42020), in words
/// a taker can act on.
fn fill_matches(
    record: &QuoteRecord,
    request: &FillRequest,
    gas_price: U256,
) -> Result<(), &'static str> {
    let signed = &record.order;
    let order = &signed.order;
    if request.salt != order.salt {
        return Err("salt is not the quote's order salt");
    }
    if request.signer != order.taker {
        return Err("signer is not the quote's taker");
    }
    if request.gas_price != gas_price {
        return Err("gasPrice is not the quote's tradeInfo.gasPrice");
    }
    if request.expiration_time_seconds != order.expiry {
        return Err("expirationTimeSeconds is not the order's expiry");
    }
    let approval = RfqFillApproval {
        order: order.clone(),
    };
    let digest =
        approval.eip712_signing_hash(&quote::domain(signed.chain_id, signed.verifying_contract));
    let approver = alloy::primitives::Signature::from_raw(request.taker_signature.as_slice())
        .ok()
        .and_then(|signature| signature.recover_address_from_prehash(&digest).ok());
    if approver != Some(order.taker) {
        return Err("signature is not the taker's RfqFillApproval of the quote's order");
    }
    if !request.data.is_empty()
        && request.data.as_ref()
            != quote::fill_calldata(
                order,
                signed.signature.as_slice(),
                request.taker_signature.as_slice(),
            )
    {
        return Err("data is not the fillRfqOrder call of the quote's order and signatures");
    }
    Ok(())
}
