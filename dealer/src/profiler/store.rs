//! Where taker profiles persist ([`ProfileStore`]), so admin changes survive a restart and are
//! shared by every dealer replica reading the same store.

use super::{RateLimit, TakerLists};
use alloy::primitives::Address;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::{Mutex, PoisonError};

/// Everything the profiler holds that an admin can change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Profiles {
    pub allow: BTreeSet<Address>,
    pub deny: BTreeSet<Address>,
    pub rate_limit: RateLimit,
}

impl Profiles {
    pub(super) fn new(lists: &TakerLists, rate_limit: RateLimit) -> Self {
        Self {
            allow: lists.allow.clone(),
            deny: lists.deny.clone(),
            rate_limit,
        }
    }
}

/// Why profiles could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("taker profile store: {0}")]
pub struct ProfileStoreError(pub String);

/// Durable taker profiles. `save` must be durable when it returns `Ok`: the admin is told the
/// change is made.
#[async_trait::async_trait]
pub trait ProfileStore: Send + Sync + 'static {
    /// The saved profiles; `None` before the first save.
    async fn load(&self) -> Result<Option<Profiles>, ProfileStoreError>;
    /// Replaces the saved profiles.
    async fn save(&self, profiles: &Profiles) -> Result<(), ProfileStoreError>;
}

/// Profiles in memory: for tests and a front door whose admin changes may be lost on restart.
#[derive(Debug, Default)]
pub struct MemoryProfiles(Mutex<Option<Profiles>>);

#[async_trait::async_trait]
impl ProfileStore for MemoryProfiles {
    async fn load(&self) -> Result<Option<Profiles>, ProfileStoreError> {
        Ok(self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone())
    }

    async fn save(&self, profiles: &Profiles) -> Result<(), ProfileStoreError> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(profiles.clone());
        Ok(())
    }
}
