//! The public methods, one file each with a `parse` (params to domain, every check that needs no
//! state) and a `call` (profiler, markets, then the dealer), dispatched by [`register`]. Only
//! these (the spec's five, our fill status extension and `rpc.discover`, which answers their
//! OpenRPC document) exist on the public server: every other name is -32601.

mod auth_status;
mod discover;
mod fill_status;
mod get_markets;
mod get_quote;
mod submit_fill;
mod time;

use super::{Context, error::RpcError};
use crate::profiler::Caller;
use jsonrpsee::types::ErrorObjectOwned;
use jsonrpsee::{Extensions, RpcModule};
use std::collections::BTreeSet;

/// Every public method name: the spec's, in its order, then our extension's, then OpenRPC's
/// discovery. `dealer/openrpc.json` describes exactly these.
pub const METHODS: [&str; 9] = [
    "dealer_authStatus",
    "dealer_getMarkets",
    "dealer_getQuote",
    "dealer_submitFill",
    "dealer_time",
    "dealer_getFillStatus",
    "dealer_subscribeFillStatus",
    "dealer_unsubscribeFillStatus",
    "rpc.discover",
];

/// Spends a token of the request's caller (its key's bucket, or its source address's): first
/// thing every public method does. Returns the caller for the taker checks that follow.
fn admit_caller(
    ctx: &Context,
    extensions: &Extensions,
) -> Result<Option<Caller>, ErrorObjectOwned> {
    let caller = extensions.get::<Caller>().cloned();
    ctx.profiler
        .check_caller(caller.as_ref())
        .map_err(RpcError::from)?;
    Ok(caller)
}

/// Register the public methods on `module`.
pub(super) fn register(
    module: &mut RpcModule<Context>,
) -> Result<(), jsonrpsee::core::RegisterMethodError> {
    module.register_method("dealer_authStatus", |params, ctx, ext| {
        let caller = admit_caller(ctx, ext)?;
        auth_status::call(&params, ctx, caller.as_ref()).map_err(ErrorObjectOwned::from)
    })?;
    module.register_method("dealer_getMarkets", |params, ctx, ext| {
        admit_caller(ctx, ext)?;
        get_markets::call(&params, ctx).map_err(ErrorObjectOwned::from)
    })?;
    module.register_async_method("dealer_getQuote", |params, ctx, ext| async move {
        let caller = admit_caller(&ctx, &ext)?;
        get_quote::call(&params, &ctx, caller.as_ref())
            .await
            .map_err(ErrorObjectOwned::from)
    })?;
    module.register_async_method("dealer_submitFill", |params, ctx, ext| async move {
        let caller = admit_caller(&ctx, &ext)?;
        submit_fill::call(&params, &ctx, caller.as_ref())
            .await
            .map_err(ErrorObjectOwned::from)
    })?;
    module.register_method("dealer_time", |params, ctx, ext| {
        admit_caller(ctx, ext)?;
        time::call(&params).map_err(ErrorObjectOwned::from)
    })?;
    module.register_async_method("dealer_getFillStatus", |params, ctx, ext| async move {
        admit_caller(&ctx, &ext)?;
        fill_status::call(&params, &ctx)
            .await
            .map_err(ErrorObjectOwned::from)
    })?;
    module.register_subscription(
        "dealer_subscribeFillStatus",
        "dealer_fillStatus",
        "dealer_unsubscribeFillStatus",
        |params, pending, ctx, ext| async move {
            match admit_caller(&ctx, &ext) {
                Ok(_) => fill_status::subscribe(params, pending, ctx).await,
                Err(refused) => pending.reject(refused).await,
            }
        },
    )?;
    module.register_method("rpc.discover", |params, ctx, ext| {
        admit_caller(ctx, ext)?;
        discover::call(&params).map_err(ErrorObjectOwned::from)
    })?;
    // The OpenRPC document is checked against METHODS, so it must name every method served.
    debug_assert_eq!(
        module.method_names().collect::<BTreeSet<_>>(),
        BTreeSet::from(METHODS),
        "METHODS lists every public method"
    );
    Ok(())
}

/// Unix time in ms.
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
