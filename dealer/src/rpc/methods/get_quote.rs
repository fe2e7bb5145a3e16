//! `dealer_getQuote`: `[makerAssetAddress, takerAssetAddress, makerAssetSize?, takerAssetSize?,
//! takerAddress, includeOrder? = true, extra?]` → `[quote, tradeInfo, null]`.
//!
//! Checks, in order, each before the dealer is called: the params' shape and encodings (-32602,
//! -42003 for an address that is not one), distinct non-zero assets (-42004), exactly one
//! positive size (-42005 for two, -32602 for none or zero), a taker address (required here: our
//! orders name their taker; -42003), the taker's authorization (-42006) and rate limit
//! (-42024), a served market (-42009), a maker size within the market's `quoteInfo` bounds
//! (-42012, -42011). Sizes are decimal Strings (the spec's table says Number, its requirements
//! and examples say String; we take Strings only). `extra` must be an Object and is ignored.

use crate::api::{QuoteError, QuoteRequest, Size};
use crate::profiler::Caller;
use crate::rpc::Context;
use crate::rpc::error::{
    INVALID_ADDRESS, INVALID_ASSET, QUOTE_TOO_LARGE, QUOTE_TOO_SMALL, RpcError,
};
use crate::rpc::params::{Positional, missing};
use crate::rpc::wire::QuoteReply;
use alloy::primitives::Address;
use jsonrpsee::types::Params;
use tracing::Instrument;

pub(super) fn parse(params: &Params<'_>) -> Result<QuoteRequest, RpcError> {
    let p = Positional::new(params, 7)?;
    let maker_asset = p
        .address(0, "makerAssetAddress", INVALID_ADDRESS)?
        .ok_or_else(|| missing(0, "makerAssetAddress", INVALID_ADDRESS))?;
    let taker_asset = p
        .address(1, "takerAssetAddress", INVALID_ADDRESS)?
        .ok_or_else(|| missing(1, "takerAssetAddress", INVALID_ADDRESS))?;
    let maker_size = p.amount(2, "makerAssetSize")?;
    let taker_size = p.amount(3, "takerAssetSize")?;
    let taker = p.address(4, "takerAddress", INVALID_ADDRESS)?;
    let include_order = p.bool(5, "includeOrder")?.unwrap_or(true);
    p.object(6, "extra")?;

    if maker_asset == Address::ZERO || taker_asset == Address::ZERO {
        return Err(RpcError::new(
            INVALID_ASSET,
            "the zero address is not an asset",
        ));
    }
    if maker_asset == taker_asset {
        return Err(RpcError::new(
            INVALID_ASSET,
            "maker and taker asset are the same",
        ));
    }
    let size = match (maker_size, taker_size) {
        (Some(_), Some(_)) => return Err(RpcError::from(QuoteError::TwoSizes)),
        (None, None) => {
            return Err(RpcError::invalid_params(
                "one of makerAssetSize or takerAssetSize is required",
            ));
        }
        (Some(s), None) => Size::MakerSize(s),
        (None, Some(s)) => Size::TakerSize(s),
    };
    if matches!(size, Size::MakerSize(s) | Size::TakerSize(s) if s.is_zero()) {
        return Err(RpcError::invalid_params(
            "the size must be greater than zero",
        ));
    }
    let taker = taker.ok_or_else(|| missing(4, "takerAddress", INVALID_ADDRESS))?;
    if taker == Address::ZERO {
        return Err(RpcError::new(
            INVALID_ADDRESS,
            "takerAddress must not be the zero address",
        ));
    }
    Ok(QuoteRequest {
        maker_asset,
        taker_asset,
        size,
        taker,
        include_order,
    })
}

pub(super) async fn call(
    params: &Params<'_>,
    ctx: &Context,
    caller: Option<&Caller>,
) -> Result<QuoteReply, RpcError> {
    let request = parse(params)?;
    let span = tracing::info_span!(
        "dealer_getQuote",
        taker = %request.taker,
        quote_id = tracing::field::Empty,
    );
    async move {
        ctx.profiler.admit(&request.taker, caller)?;
        check_market(ctx, &request)?;
        let quote = ctx.dealer.quote(request).await.map_err(|e| {
            tracing::debug!(code = e.code(), reason = %e, "quote refused");
            RpcError::from(e)
        })?;
        tracing::Span::current().record("quote_id", tracing::field::display(quote.quote_id));
        Ok(QuoteReply(quote))
    }
    .instrument(span)
    .await
}

fn check_market(ctx: &Context, request: &QuoteRequest) -> Result<(), RpcError> {
    let markets = ctx.dealer.markets();
    let market = markets
        .iter()
        .find(|m| m.serves(request.maker_asset, request.taker_asset))
        .ok_or(QuoteError::UnsupportedMarket)?;
    if let Size::MakerSize(size) = request.size {
        let bounds = &market.quote_info;
        if size < bounds.min_size {
            return Err(RpcError::new(
                QUOTE_TOO_SMALL,
                format!("makerAssetSize below the minimum {}", bounds.min_size),
            ));
        }
        if size > bounds.max_size {
            return Err(RpcError::new(
                QUOTE_TOO_LARGE,
                format!("makerAssetSize above the maximum {}", bounds.max_size),
            ));
        }
    }
    Ok(())
}
