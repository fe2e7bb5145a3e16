//! The admin namespace, served only on the admin listen address behind the bearer token
//! ([`super::auth`]); none of these names exist on the public server (-32601 there).
//!
//! | method | params | result |
//! |---|---|---|
//! | `admin_allowTaker` | `[address]` | `[true]`; on the allow list, off the deny list |
//! | `admin_denyTaker` | `[address]` | `[true]`; on the deny list, off the allow list |
//! | `admin_removeTaker` | `[address]` | `[wasListed]`; off both lists |
//! | `admin_listTakers` | `[]` | `[allow, deny, {perSecond, burst}]` |
//! | `admin_setRateLimit` | `[perSecond, burst]` (integers ≥ 1) | `[true]`; every bucket starts full |
//!
//! Changes apply to the next request and are in memory only (lost on restart). Each change is
//! logged at info level as an audit trail.

use super::error::{INVALID_ADDRESS, RpcError};
use super::params::{Positional, missing};
use crate::profiler::{Profiler, RateLimit};
use alloy::primitives::Address;
use jsonrpsee::RpcModule;
use jsonrpsee::types::{ErrorObjectOwned, Params};
use serde::Serialize;
use std::num::NonZeroU32;
use std::sync::Arc;

/// Every admin method name.
pub const METHODS: [&str; 5] = [
    "admin_allowTaker",
    "admin_denyTaker",
    "admin_removeTaker",
    "admin_listTakers",
    "admin_setRateLimit",
];

fn taker(params: &Params<'_>) -> Result<Address, RpcError> {
    Positional::new(params, 1)?
        .address(0, "address", INVALID_ADDRESS)?
        .ok_or_else(|| missing(0, "address", INVALID_ADDRESS))
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct RateLimitView {
    per_second: u32,
    burst: u32,
}

fn hex_addresses(set: &std::collections::BTreeSet<Address>) -> Vec<String> {
    set.iter().map(|a| format!("{a:#x}")).collect()
}

pub(super) fn module(
    profiler: Arc<Profiler>,
) -> Result<RpcModule<Profiler>, jsonrpsee::core::RegisterMethodError> {
    let mut module = RpcModule::from_arc(profiler);
    module.register_method(
        "admin_allowTaker",
        |params, p, _| -> Result<[bool; 1], ErrorObjectOwned> {
            let taker = taker(&params)?;
            p.allow(taker);
            tracing::info!(%taker, "admin: taker allowed");
            Ok([true])
        },
    )?;
    module.register_method(
        "admin_denyTaker",
        |params, p, _| -> Result<[bool; 1], ErrorObjectOwned> {
            let taker = taker(&params)?;
            p.deny(taker);
            tracing::info!(%taker, "admin: taker denied");
            Ok([true])
        },
    )?;
    module.register_method(
        "admin_removeTaker",
        |params, p, _| -> Result<[bool; 1], ErrorObjectOwned> {
            let taker = taker(&params)?;
            let was_listed = p.remove(taker);
            tracing::info!(%taker, was_listed, "admin: taker removed from the lists");
            Ok([was_listed])
        },
    )?;
    module.register_method("admin_listTakers", |params, p, _| {
        Positional::new(&params, 0)?;
        let lists = p.lists();
        let limit = p.rate_limit();
        let limit = RateLimitView {
            per_second: limit.per_second.get(),
            burst: limit.burst.get(),
        };
        Ok::<_, ErrorObjectOwned>((
            hex_addresses(&lists.allow),
            hex_addresses(&lists.deny),
            limit,
        ))
    })?;
    module.register_method(
        "admin_setRateLimit",
        |params, p, _| -> Result<[bool; 1], ErrorObjectOwned> {
            let args = Positional::new(&params, 2)?;
            let per_second: NonZeroU32 = args
                .integer(0, "perSecond")?
                .ok_or_else(|| RpcError::invalid_params("param 0 (perSecond) is required"))?;
            let burst: NonZeroU32 = args
                .integer(1, "burst")?
                .ok_or_else(|| RpcError::invalid_params("param 1 (burst) is required"))?;
            p.set_rate_limit(RateLimit::new(per_second, burst));
            tracing::info!(per_second, burst, "admin: rate limit set");
            Ok([true])
        },
    )?;
    Ok(module)
}
