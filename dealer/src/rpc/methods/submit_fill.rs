//! `dealer_submitFill`: the spec's seven positional params, read for our settlement →
//! `[quoteId, transactionHash, submittedAt, extra]` (see `wire::FillReply`).
//!
//! | index | name | here |
//! |---|---|---|
//! | 0 | `quoteId` | v4 UUID of the quote (-42023 otherwise) |
//! | 1 | `salt` | decimal String, must equal the order's `salt` |
//! | 2 | `signature` | the taker's 65-byte EIP-712 `RfqFillApproval(RfqOrder order)` signature over the quote's order, hex |
//! | 3 | `signer` | the taker (the order's `taker`) |
//! | 4 | `data` | `fillRfqOrder` calldata, or `"0x"`: the hot wallet builds the transaction itself |
//! | 5 | `gasPrice` | decimal String, the quote's `tradeInfo.gasPrice` |
//! | 6 | `expirationTimeSeconds` | integer Number, the order's `expiry` |
//!
//! All seven are required, as in the spec. The signer must be authorized (-42006) and within
//! its rate limit (-42024); matching the fill against the stored quote is the dealer's.

use crate::api::{FillRequest, Signature};
use crate::profiler::Caller;
use crate::rpc::Context;
use crate::rpc::error::{INVALID_ADDRESS, INVALID_PARAMS, INVALID_UUID, RpcError};
use crate::rpc::params::{Positional, missing, parse_hex_bytes, parse_uuid_v4};
use crate::rpc::wire::FillReply;
use alloy::primitives::Address;
use jsonrpsee::types::Params;
use tracing::Instrument;

pub(super) fn parse(params: &Params<'_>) -> Result<FillRequest, RpcError> {
    let p = Positional::new(params, 7)?;
    let quote_id = p
        .str(0, "quoteId")?
        .ok_or_else(|| missing(0, "quoteId", INVALID_UUID))?;
    let quote_id = parse_uuid_v4(&quote_id)
        .ok_or_else(|| RpcError::new(INVALID_UUID, "quoteId is not a v4 UUID"))?;
    let salt = p
        .amount(1, "salt")?
        .ok_or_else(|| missing(1, "salt", INVALID_PARAMS))?;
    let signature = p
        .str(2, "signature")?
        .ok_or_else(|| missing(2, "signature", INVALID_PARAMS))?;
    let taker_signature = parse_hex_bytes(&signature)
        .and_then(|b| Signature::try_from(b.as_ref()).ok())
        .ok_or_else(|| {
            RpcError::invalid_params("signature must be 65 bytes (r, s, v) as 0x hex")
        })?;
    let signer = p
        .address(3, "signer", INVALID_ADDRESS)?
        .ok_or_else(|| missing(3, "signer", INVALID_ADDRESS))?;
    if signer == Address::ZERO {
        return Err(RpcError::new(
            INVALID_ADDRESS,
            "signer must not be the zero address",
        ));
    }
    let data = p
        .str(4, "data")?
        .ok_or_else(|| missing(4, "data", INVALID_PARAMS))?;
    let data = parse_hex_bytes(&data)
        .ok_or_else(|| RpcError::invalid_params("data must be 0x hex bytes"))?;
    let gas_price = p
        .amount(5, "gasPrice")?
        .ok_or_else(|| missing(5, "gasPrice", INVALID_PARAMS))?;
    let expiration_time_seconds = p
        .integer(6, "expirationTimeSeconds")?
        .ok_or_else(|| missing(6, "expirationTimeSeconds", INVALID_PARAMS))?;
    Ok(FillRequest {
        quote_id,
        salt,
        taker_signature,
        signer,
        data,
        gas_price,
        expiration_time_seconds,
    })
}

pub(super) async fn call(
    params: &Params<'_>,
    ctx: &Context,
    caller: Option<&Caller>,
) -> Result<FillReply, RpcError> {
    let request = parse(params)?;
    let span = tracing::info_span!("dealer_submitFill", quote_id = %request.quote_id, signer = %request.signer);
    async move {
        ctx.profiler.admit(&request.signer, caller)?;
        let receipt = ctx.dealer.submit_fill(request).await.map_err(|e| {
            tracing::debug!(code = e.code(), reason = %e, "fill refused");
            RpcError::from(e)
        })?;
        tracing::debug!(tx = %receipt.transaction_hash, "fill submitted");
        Ok(FillReply(receipt))
    }
    .instrument(span)
    .await
}
