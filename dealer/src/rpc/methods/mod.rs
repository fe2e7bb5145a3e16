//! The public `dealer_` methods, one file each with a `parse` (params to domain, every check
//! that needs no state) and a `call` (profiler, markets, then the dealer), dispatched by
//! [`register`]. Only these (the spec's five and our fill status extension) exist on the public
//! server: every other name is -32601.

mod auth_status;
mod fill_status;
mod get_markets;
mod get_quote;
mod submit_fill;
mod time;

use super::Context;
use jsonrpsee::RpcModule;
use jsonrpsee::types::ErrorObjectOwned;

/// Every public method name: the spec's, in its order, then our extension's.
pub const METHODS: [&str; 8] = [
    "dealer_authStatus",
    "dealer_getMarkets",
    "dealer_getQuote",
    "dealer_submitFill",
    "dealer_time",
    "dealer_getFillStatus",
    "dealer_subscribeFillStatus",
    "dealer_unsubscribeFillStatus",
];

/// Register the public methods on `module`.
pub(super) fn register(
    module: &mut RpcModule<Context>,
) -> Result<(), jsonrpsee::core::RegisterMethodError> {
    module.register_method("dealer_authStatus", |params, ctx, _| {
        auth_status::call(&params, ctx).map_err(ErrorObjectOwned::from)
    })?;
    module.register_method("dealer_getMarkets", |params, ctx, _| {
        get_markets::call(&params, ctx).map_err(ErrorObjectOwned::from)
    })?;
    module.register_async_method("dealer_getQuote", |params, ctx, _| async move {
        get_quote::call(&params, &ctx)
            .await
            .map_err(ErrorObjectOwned::from)
    })?;
    module.register_async_method("dealer_submitFill", |params, ctx, _| async move {
        submit_fill::call(&params, &ctx)
            .await
            .map_err(ErrorObjectOwned::from)
    })?;
    module.register_method("dealer_time", |params, _, _| {
        time::call(&params).map_err(ErrorObjectOwned::from)
    })?;
    module.register_async_method("dealer_getFillStatus", |params, ctx, _| async move {
        fill_status::call(&params, &ctx)
            .await
            .map_err(ErrorObjectOwned::from)
    })?;
    module.register_subscription(
        "dealer_subscribeFillStatus",
        "dealer_fillStatus",
        "dealer_unsubscribeFillStatus",
        |params, pending, ctx, _| fill_status::subscribe(params, pending, ctx),
    )?;
    Ok(())
}

/// Unix time in ms.
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
