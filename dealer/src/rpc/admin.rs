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
//! A change is saved to the [`ProfileStore`] before it is acknowledged; if the save fails it is
//! undone and the call answers -32603, so what the admin was told is what a restart finds.
//! Changes are serialized (one at a time) and apply to the next request. Each change is logged
//! at info level as an audit trail.

use super::error::{INTERNAL_ERROR, INVALID_ADDRESS, RpcError};
use super::params::{Positional, missing};
use crate::profiler::{ProfileStore, Profiler, RateLimit};
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

/// The profiler, its store, and the lock that makes each change-then-save atomic.
pub(super) struct Admin {
    profiler: Arc<Profiler>,
    store: Arc<dyn ProfileStore>,
    changes: tokio::sync::Mutex<()>,
}

impl Admin {
    /// Applies `change`, saves the result, and undoes the change if the save fails.
    async fn change<T>(&self, change: impl FnOnce(&Profiler) -> T) -> Result<T, RpcError> {
        let _one_at_a_time = self.changes.lock().await;
        let before = self.profiler.profiles();
        let outcome = change(&self.profiler);
        if let Err(error) = self.store.save(&self.profiler.profiles()).await {
            self.profiler.restore(before);
            tracing::error!(%error, "admin: change not saved, undone");
            return Err(RpcError::new(
                INTERNAL_ERROR,
                "taker profiles could not be saved; nothing changed",
            ));
        }
        Ok(outcome)
    }
}

pub(super) fn module(
    profiler: Arc<Profiler>,
    store: Arc<dyn ProfileStore>,
) -> Result<RpcModule<Admin>, jsonrpsee::core::RegisterMethodError> {
    let mut module = RpcModule::new(Admin {
        profiler,
        store,
        changes: tokio::sync::Mutex::new(()),
    });
    module.register_async_method("admin_allowTaker", |params, admin, _| async move {
        let taker = taker(&params)?;
        admin.change(|p| p.allow(taker)).await?;
        tracing::info!(%taker, "admin: taker allowed");
        Ok::<_, ErrorObjectOwned>([true])
    })?;
    module.register_async_method("admin_denyTaker", |params, admin, _| async move {
        let taker = taker(&params)?;
        admin.change(|p| p.deny(taker)).await?;
        tracing::info!(%taker, "admin: taker denied");
        Ok::<_, ErrorObjectOwned>([true])
    })?;
    module.register_async_method("admin_removeTaker", |params, admin, _| async move {
        let taker = taker(&params)?;
        let was_listed = admin.change(|p| p.remove(taker)).await?;
        tracing::info!(%taker, was_listed, "admin: taker removed from the lists");
        Ok::<_, ErrorObjectOwned>([was_listed])
    })?;
    module.register_method("admin_listTakers", |params, admin, _| {
        Positional::new(&params, 0)?;
        let lists = admin.profiler.lists();
        let limit = admin.profiler.rate_limit();
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
    module.register_async_method("admin_setRateLimit", |params, admin, _| async move {
        let args = Positional::new(&params, 2)?;
        let per_second: NonZeroU32 = args
            .integer(0, "perSecond")?
            .ok_or_else(|| RpcError::invalid_params("param 0 (perSecond) is required"))?;
        let burst: NonZeroU32 = args
            .integer(1, "burst")?
            .ok_or_else(|| RpcError::invalid_params("param 1 (burst) is required"))?;
        admin
            .change(|p| p.set_rate_limit(RateLimit::new(per_second, burst)))
            .await?;
        tracing::info!(per_second, burst, "admin: rate limit set");
        Ok::<_, ErrorObjectOwned>([true])
    })?;
    Ok(module)
}
