//! `dealer_time`: `[clientTime?]` → `[time]`, or `[time, diff]` with `diff = time - clientTime`
//! when a client time was sent. Not rate limited (no taker to key on; it costs a clock read).

use super::now_ms;
use crate::rpc::error::RpcError;
use crate::rpc::params::Positional;
use jsonrpsee::types::Params;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub(super) enum TimeReply {
    Now([u64; 1]),
    WithDiff((u64, i128)),
}

pub(super) fn call(params: &Params<'_>) -> Result<TimeReply, RpcError> {
    let p = Positional::new(params, 1)?;
    let client_time: Option<u64> = p.integer(0, "clientTime")?;
    let now = now_ms();
    Ok(match client_time {
        None => TimeReply::Now([now]),
        Some(client) => TimeReply::WithDiff((now, i128::from(now) - i128::from(client))),
    })
}
