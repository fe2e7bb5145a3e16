//! Nonce allocation for one sender across concurrent workflows.
//!
//! The hot wallet signs under a per-chain lock and journals before releasing it, so two intents
//! never get the same nonce. The next nonce is the larger of the chain's pending count (read just
//! before taking the lock) and the journal's highest nonce plus one: the chain knows what was
//! mined or pooled, the journal knows what was signed but perhaps not yet seen by any provider
//! (or not yet broadcast before a crash).
//!
//! Limit: an intent whose first broadcast is refused after it was journaled keeps its nonce, and
//! later nonces wait behind it until it is retried; simulation before signing makes that rare.

use super::{ChainError, journal::TxJournal};
use alloy::{primitives::Address, providers::Provider};
use std::collections::BTreeMap;
use tokio::sync::{Mutex, MutexGuard};

#[derive(Debug, Default)]
pub struct NonceLocks {
    by_chain: BTreeMap<u64, Mutex<()>>,
}

impl NonceLocks {
    pub fn new(chain_ids: impl IntoIterator<Item = u64>) -> Self {
        Self {
            by_chain: chain_ids
                .into_iter()
                .map(|id| (id, Mutex::new(())))
                .collect(),
        }
    }

    /// Holds the chain's signing lock; drop it only after the signed transaction is journaled.
    pub async fn lock(&self, chain_id: u64) -> Result<MutexGuard<'_, ()>, ChainError> {
        let lock = self
            .by_chain
            .get(&chain_id)
            .ok_or(ChainError::UnknownChain(chain_id))?;
        Ok(lock.lock().await)
    }
}

/// The sender's pending transaction count. Read before taking the chain's lock, so signers do
/// not queue behind one another's provider round trips: what we signed since is in the journal.
pub async fn pending_count(provider: &impl Provider, from: Address) -> Result<u64, ChainError> {
    provider
        .get_transaction_count(from)
        .pending()
        .await
        .map_err(ChainError::rpc)
}

/// The next free nonce, from a pending count read just before; call with the chain's lock held.
pub fn next_nonce(pending: u64, journal: &TxJournal, chain_id: u64, from: Address) -> u64 {
    pending.max(journal.next_nonce(chain_id, from).unwrap_or(0))
}
