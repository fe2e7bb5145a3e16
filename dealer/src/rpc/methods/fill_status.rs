//! Our extension to the v1.0 spec, for takers following a fill:
//!
//! - `dealer_getFillStatus` `[quoteId]` → `[quoteId, status, transactionHash, updatedAt, reason]`
//!   (`transactionHash` and `reason` may be `null`);
//! - `dealer_subscribeFillStatus` `[quoteId]` (websocket only): notifications
//!   `dealer_fillStatus` carrying the same array, the current state first and then every change,
//!   until the fill is final (the subscription then ends); `dealer_unsubscribeFillStatus` stops it.
//!
//! Statuses: `quoted`, `fill requested`, `fill rejected`, `fill submitted`, `filled, unhedged`,
//! `fill failed`. Errors: -42023 (not a v4 UUID), -42015 (unknown quote), -32603.

use crate::api::FillState;
use crate::rpc::Context;
use crate::rpc::error::{INVALID_UUID, RpcError};
use crate::rpc::params::{Positional, missing, parse_uuid_v4};
use crate::rpc::wire::FillStatusReply;
use jsonrpsee::core::server::{PendingSubscriptionSink, SubscriptionMessage, SubscriptionSink};
use jsonrpsee::types::{ErrorObjectOwned, Params};
use std::sync::Arc;
use std::time::Duration;
use tracing::Instrument;
use uuid::Uuid;

/// How often a subscription reads the fill's state for changes.
const WATCH_EVERY: Duration = Duration::from_millis(500);

fn parse(params: &Params<'_>) -> Result<Uuid, RpcError> {
    let p = Positional::new(params, 1)?;
    let quote_id = p
        .str(0, "quoteId")?
        .ok_or_else(|| missing(0, "quoteId", INVALID_UUID))?;
    parse_uuid_v4(&quote_id).ok_or_else(|| RpcError::new(INVALID_UUID, "quoteId is not a v4 UUID"))
}

async fn state(ctx: &Context, quote_id: Uuid) -> Result<FillState, RpcError> {
    ctx.dealer
        .fill_status(quote_id)
        .await
        .map_err(RpcError::from)
}

pub(super) async fn call(params: &Params<'_>, ctx: &Context) -> Result<FillStatusReply, RpcError> {
    let quote_id = parse(params)?;
    state(ctx, quote_id).await.map(FillStatusReply)
}

/// Pushes the fill's state now and at every change until it is final or the taker leaves.
pub(super) async fn subscribe(
    params: Params<'static>,
    pending: PendingSubscriptionSink,
    ctx: Arc<Context>,
) {
    let first = match parse(&params) {
        Ok(quote_id) => state(&ctx, quote_id).await,
        Err(error) => Err(error),
    };
    let current = match first {
        Ok(current) => current,
        Err(error) => return pending.reject(ErrorObjectOwned::from(error)).await,
    };
    let Ok(sink) = pending.accept().await else {
        return;
    };
    let span = tracing::debug_span!("dealer_subscribeFillStatus", quote_id = %current.quote_id);
    push(sink, ctx, current).instrument(span).await;
}

async fn push(sink: SubscriptionSink, ctx: Arc<Context>, mut current: FillState) {
    loop {
        let Ok(message) = serde_json::value::to_raw_value(&FillStatusReply(current.clone())) else {
            return;
        };
        if sink.send(SubscriptionMessage::from(message)).await.is_err() || current.is_final() {
            return;
        }
        loop {
            tokio::select! {
                () = sink.closed() => return,
                () = tokio::time::sleep(WATCH_EVERY) => {}
            }
            match state(&ctx, current.quote_id).await {
                Ok(next) if next != current => {
                    current = next;
                    break;
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(?error, "fill status unavailable; retrying"),
            }
        }
    }
}
