//! `submit_transaction`: sign, journal, broadcast, replace while stuck, return when included.

use super::{
    ChainClient, ChainError, Chains,
    journal::{JournalEntry, TxJournal},
    nonce::{self, NonceLocks},
};
use crate::{failure::to_activity_error, heartbeat, observe};
use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEnvelope},
    eips::eip2718::Encodable2718,
    network::{TransactionBuilder, TxSignerSync},
    primitives::{Address, TxKind},
    providers::Provider,
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
    transports::{RpcError, TransportErrorKind},
};
use hedgeflow_proto::{
    activities::definitions,
    chain::{SubmittedTx, TxIntent},
};
use serde::Serialize;
use std::{
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};
use tracing::{Instrument, info, info_span, warn};

/// Gas estimate headroom: state can move between estimation and inclusion.
const GAS_HEADROOM_PERCENT: u64 = 20;
/// Fee bump for a replacement; nodes require at least 10%.
const REPLACEMENT_BUMP_PERCENT: u128 = 25;

/// The hot wallet's activities; constructed only by the `hot-wallet` role.
pub struct HotWallet {
    chains: Chains,
    signer: PrivateKeySigner,
    journal: TxJournal,
    locks: NonceLocks,
}

impl HotWallet {
    pub fn new(chains: Chains, signer: PrivateKeySigner, journal: TxJournal) -> Self {
        let locks = NonceLocks::new(chains.iter().map(|c| c.config.chain_id));
        Self {
            chains,
            signer,
            journal,
            locks,
        }
    }

    pub fn address(&self) -> Address {
        self.signer.address()
    }
}

/// What a pending submission shows in the Temporal UI while it waits.
#[derive(Serialize)]
struct Progress {
    nonce: u64,
    attempts: usize,
    latest_tx: String,
}

#[activities]
impl HotWallet {
    /// See [`definitions::SubmitTransaction`]: idempotent by intent key.
    #[activity(definition = definitions::SubmitTransaction)]
    pub async fn submit_transaction(
        self: Arc<Self>,
        ctx: ActivityContext,
        intent: TxIntent,
    ) -> Result<SubmittedTx, ActivityError> {
        let span = info_span!(
            "submit_transaction",
            intent = %intent.intent_key,
            workflow_id = ctx.info().workflow_id.as_deref().unwrap_or_default(),
            attempt = ctx.info().attempt,
        );
        // What the UI shows for the pending activity: the latest attempt, once there is one.
        let progress = std::sync::Mutex::new(serde_json::Value::Null);
        // Heartbeats whatever it waits on (the signing lock, a provider, the next block).
        let details = || progress.lock().expect("progress lock").clone();
        let submitting = self.submit(&ctx, &progress, intent).instrument(span);
        heartbeat::while_running(&ctx, details, submitting)
            .await
            .map_err(to_activity_error)
    }
}

impl HotWallet {
    async fn submit(
        &self,
        ctx: &ActivityContext,
        progress: &std::sync::Mutex<serde_json::Value>,
        intent: TxIntent,
    ) -> Result<SubmittedTx, ChainError> {
        let chain = self.chains.by_id(intent.chain_id)?;
        let mut attempts = self.journal.attempts(&intent.intent_key);
        if let Some(first) = attempts.first() {
            if first.chain_id != intent.chain_id {
                return Err(ChainError::IntentMismatch {
                    intent_key: intent.intent_key,
                    journaled: first.chain_id,
                    asked: intent.chain_id,
                });
            }
            info!(
                nonce = first.nonce,
                attempts = attempts.len(),
                "intent already signed; resuming it"
            );
        } else {
            let entry = self.sign_first(chain, &intent).await?;
            attempts.push(entry);
        }

        loop {
            if let Some(included) = self.included(chain, &attempts).await? {
                return Ok(included);
            }
            let latest = attempts
                .last()
                .expect("an intent has at least one attempt")
                .clone();
            let mined_nonce = chain
                .provider
                .get_transaction_count(latest.from)
                .latest()
                .await
                .map_err(ChainError::rpc)?;
            if mined_nonce > latest.nonce {
                // Our nonce is used. If by us, the receipt shows up on the next pass (providers can
                // lag one another); if it never does, someone else used the key.
                tokio::time::sleep(chain.config.poll_interval).await;
                if let Some(included) = self.included(chain, &attempts).await? {
                    return Ok(included);
                }
                return Err(ChainError::NonceTaken {
                    intent_key: intent.intent_key,
                    nonce: latest.nonce,
                });
            }

            if age(&latest) >= chain.config.replace_after {
                let replacement = self
                    .sign_replacement(chain, &intent, &latest, attempts.len() + 1)
                    .await?;
                broadcast(chain, &replacement).await?;
                attempts.push(replacement);
            } else if chain
                .provider
                .get_transaction_by_hash(latest.tx_hash)
                .await
                .map_err(ChainError::rpc)?
                .is_none()
            {
                // Journaled but unknown to the providers: first send, or a retry after a crash
                // between journal and broadcast, or a node that dropped it.
                broadcast(chain, &latest).await?;
            }

            let current = Progress {
                nonce: latest.nonce,
                attempts: attempts.len(),
                latest_tx: attempts
                    .last()
                    .map(|a| a.tx_hash.to_string())
                    .unwrap_or_default(),
            };
            *progress.lock().expect("progress lock") =
                serde_json::to_value(current).unwrap_or_default();
            if ctx.is_cancelled() {
                return Err(ChainError::Cancelled);
            }
            chain
                .next_head(chain.head(), chain.config.poll_interval * 4)
                .await;
        }
    }

    /// Simulates, allocates a nonce, signs and journals the intent's first transaction.
    async fn sign_first(
        &self,
        chain: &ChainClient,
        intent: &TxIntent,
    ) -> Result<JournalEntry, ChainError> {
        let from = self.address();
        let request = TransactionRequest::default()
            .with_from(from)
            .with_to(intent.to)
            .with_value(intent.value.0)
            .with_input(intent.data.clone());
        let gas = chain
            .provider
            .estimate_gas(request)
            .await
            .map_err(simulation_error)?;
        let gas_limit = gas + gas * GAS_HEADROOM_PERCENT / 100;
        let fees = chain
            .provider
            .estimate_eip1559_fees()
            .await
            .map_err(ChainError::rpc)?;
        let pending = nonce::pending_count(&chain.provider, from).await?;

        let _signing = self.locks.lock(intent.chain_id).await?;
        // A concurrent retry of the same intent may have signed while we waited for the lock.
        if let Some(existing) = self.journal.attempts(&intent.intent_key).into_iter().next() {
            return Ok(existing);
        }
        let nonce = nonce::next_nonce(pending, &self.journal, intent.chain_id, from);
        let tx = TxEip1559 {
            chain_id: intent.chain_id,
            nonce,
            gas_limit,
            max_fee_per_gas: fees.max_fee_per_gas,
            max_priority_fee_per_gas: fees.max_priority_fee_per_gas,
            to: TxKind::Call(intent.to),
            value: intent.value.0,
            access_list: Default::default(),
            input: intent.data.clone(),
        };
        let entry = self.sign_and_journal(intent, tx)?;
        observe::transaction_signed(&entry, 1);
        Ok(entry)
    }

    /// The same transaction at the same nonce with fees raised, so it replaces the stuck one.
    async fn sign_replacement(
        &self,
        chain: &ChainClient,
        intent: &TxIntent,
        stuck: &JournalEntry,
        attempt: usize,
    ) -> Result<JournalEntry, ChainError> {
        let fees = chain
            .provider
            .estimate_eip1559_fees()
            .await
            .map_err(ChainError::rpc)?;
        let bump = |old: u128| old + (old * REPLACEMENT_BUMP_PERCENT).div_ceil(100);
        let previous = decode(stuck)?;
        let max_priority_fee_per_gas =
            bump(stuck.max_priority_fee_per_gas).max(fees.max_priority_fee_per_gas);
        let tx = TxEip1559 {
            max_fee_per_gas: bump(stuck.max_fee_per_gas)
                .max(fees.max_fee_per_gas)
                .max(max_priority_fee_per_gas),
            max_priority_fee_per_gas,
            ..previous
        };
        let entry = self.sign_and_journal(intent, tx)?;
        warn!(nonce = entry.nonce, stuck = %stuck.tx_hash, replacement = %entry.tx_hash, "replacing a stuck transaction");
        observe::transaction_signed(&entry, attempt);
        Ok(entry)
    }

    fn sign_and_journal(
        &self,
        intent: &TxIntent,
        mut tx: TxEip1559,
    ) -> Result<JournalEntry, ChainError> {
        let signature = self
            .signer
            .sign_transaction_sync(&mut tx)
            .map_err(|e| ChainError::Signer(e.to_string()))?;
        let (max_fee_per_gas, max_priority_fee_per_gas, nonce) =
            (tx.max_fee_per_gas, tx.max_priority_fee_per_gas, tx.nonce);
        let envelope: TxEnvelope = tx.into_signed(signature).into();
        let entry = JournalEntry {
            intent_key: intent.intent_key.clone(),
            chain_id: intent.chain_id,
            from: self.address(),
            nonce,
            tx_hash: *envelope.tx_hash(),
            raw: envelope.encoded_2718().into(),
            max_fee_per_gas,
            max_priority_fee_per_gas,
            signed_at: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs(),
        };
        self.journal.append(entry.clone())?;
        Ok(entry)
    }

    /// The first of the intent's transactions that has a receipt, if any.
    async fn included(
        &self,
        chain: &ChainClient,
        attempts: &[JournalEntry],
    ) -> Result<Option<SubmittedTx>, ChainError> {
        for attempt in attempts.iter().rev() {
            let receipt = chain
                .provider
                .get_transaction_receipt(attempt.tx_hash)
                .await
                .map_err(ChainError::rpc)?;
            if let Some(receipt) = receipt {
                let block_number = receipt.block_number.unwrap_or_default();
                observe::transaction_included(attempt, block_number);
                return Ok(Some(SubmittedTx {
                    intent_key: attempt.intent_key.clone(),
                    chain_id: attempt.chain_id,
                    from: attempt.from,
                    nonce: attempt.nonce,
                    tx_hash: attempt.tx_hash,
                    attempts: attempts.len() as u32,
                    block_number,
                }));
            }
        }
        Ok(None)
    }
}

/// Sends a journaled transaction. "Already known" (anvil: "already imported") and "nonce too low"
/// mean a copy (or the mined original) is already there, which is what we want; the caller
/// re-checks receipts.
async fn broadcast(chain: &ChainClient, entry: &JournalEntry) -> Result<(), ChainError> {
    match chain.provider.send_raw_transaction(&entry.raw).await {
        Ok(_) => {
            observe::transaction_broadcast(entry);
            Ok(())
        }
        Err(RpcError::ErrorResp(payload)) => {
            let message = payload.message.to_lowercase();
            if message.contains("already known")
                || message.contains("already imported")
                || message.contains("nonce too low")
                || message.contains("underpriced")
            {
                info!(tx = %entry.tx_hash, reason = %payload.message, "broadcast not needed");
                Ok(())
            } else {
                Err(ChainError::Rpc(format!(
                    "broadcast of {} refused: {}",
                    entry.tx_hash, payload.message
                )))
            }
        }
        Err(error) => Err(ChainError::rpc(error)),
    }
}

/// A JSON-RPC error from simulation is the chain's verdict (revert, unaffordable); anything else
/// is a transport problem worth retrying.
fn simulation_error(error: RpcError<TransportErrorKind>) -> ChainError {
    match error {
        RpcError::ErrorResp(payload) => ChainError::WouldRevert(payload.message.to_string()),
        other => ChainError::rpc(other),
    }
}

fn decode(entry: &JournalEntry) -> Result<TxEip1559, ChainError> {
    use alloy::eips::eip2718::Decodable2718;
    let envelope = TxEnvelope::decode_2718(&mut entry.raw.as_ref()).map_err(|e| {
        ChainError::Signer(format!(
            "journaled transaction {} does not decode: {e}",
            entry.tx_hash
        ))
    })?;
    match envelope {
        TxEnvelope::Eip1559(signed) => Ok(signed.strip_signature()),
        _ => Err(ChainError::Signer(format!(
            "journaled transaction {} is not EIP-1559",
            entry.tx_hash
        ))),
    }
}

fn age(entry: &JournalEntry) -> Duration {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    Duration::from_secs(now.saturating_sub(entry.signed_at))
}
