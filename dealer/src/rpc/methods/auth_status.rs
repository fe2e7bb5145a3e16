//! `dealer_authStatus`: `[takerAddress]` → `[authorized, reason]`, reason one of
//! `WHITELISTED`, `OPEN`, `BLACKLISTED`, `NOT_WHITELISTED`. Spends one of the taker's rate-limit
//! tokens (-42024); a missing or malformed address is -42001, this method's own code.

use crate::profiler::Caller;
use crate::rpc::Context;
use crate::rpc::error::{INVALID_TAKER_ADDRESS, RpcError};
use crate::rpc::params::{Positional, missing};
use jsonrpsee::types::Params;

pub(super) fn call(
    params: &Params<'_>,
    ctx: &Context,
    caller: Option<&Caller>,
) -> Result<(bool, &'static str), RpcError> {
    let p = Positional::new(params, 1)?;
    let taker = p
        .address(0, "takerAddress", INVALID_TAKER_ADDRESS)?
        .ok_or_else(|| missing(0, "takerAddress", INVALID_TAKER_ADDRESS))?;
    ctx.profiler.check_rate(&taker, caller)?;
    let authorization = ctx.profiler.authorization(&taker);
    Ok((authorization.is_authorized(), authorization.reason()))
}
