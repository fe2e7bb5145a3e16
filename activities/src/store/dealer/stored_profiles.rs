//! [`StoredProfiles`]: the dealer's taker profiles in our database (`dealer_profiles`), one
//! document shared by every dealer replica.

use crate::store::Store;
use hedgeflow_dealer::profiler::{ProfileStore, ProfileStoreError, Profiles};

/// The name the profiles are saved under.
const PROFILES: &str = "takers";

#[derive(Clone, Debug)]
pub struct StoredProfiles {
    store: Store,
}

impl StoredProfiles {
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

#[async_trait::async_trait]
impl ProfileStore for StoredProfiles {
    async fn load(&self) -> Result<Option<Profiles>, ProfileStoreError> {
        let saved = self.store.dealer_profiles(PROFILES).await.map_err(error)?;
        saved
            .map(|json| serde_json::from_value(json).map_err(error))
            .transpose()
    }

    async fn save(&self, profiles: &Profiles) -> Result<(), ProfileStoreError> {
        let json = serde_json::to_value(profiles).map_err(error)?;
        self.store
            .save_dealer_profiles(PROFILES, json)
            .await
            .map_err(error)
    }
}

fn error(error: impl std::fmt::Display) -> ProfileStoreError {
    ProfileStoreError(error.to_string())
}
