//! `submit_transaction`: sign, journal, broadcast, replace while stuck, return when included.

use super::{
    ChainClient, ChainError, Chains,
    journal::{JournalEntry, TxJournal},
    nonce::{self, NonceLocks},
};
use crate::{
    failure::to_activity_error,
    heartbeat, observe,
    policy::{Refusal, TxPolicy},
};
use alloy::{
    consensus::{SignableTransaction, Transaction, TxEip1559, TxEnvelope},
    eips::{BlockNumberOrTag, eip2718::Encodable2718},
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
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};
use tracing::{Instrument, info, info_span, warn};

/// Gas estimate headroom: state can move between estimation and inclusion.
const GAS_HEADROOM_PERCENT: u64 = 20;
/// Fee bump for a replacement; nodes require at least 10%.
const REPLACEMENT_BUMP_PERCENT: u128 = 25;
/// How long our nonce may show as used while no provider has a receipt of ours before the nonce
/// counts as taken by another sender: providers index receipts at their own pace, and one that
/// is behind must not turn a mined transaction into a final failure.
const NONCE_TAKEN_AFTER: Duration = Duration::from_secs(30);
/// How far back a refused intent looks for the same call already made by us (see
/// [`HotWallet::adopt`]): well past any crash-and-retry gap, and cheap because it runs only
/// when the chain refuses a call.
const ADOPT_LOOKBACK_BLOCKS: u64 = 256;

/// The hot wallet's activities; constructed only by the `hot-wallet` role.
pub struct HotWallet {
    chains: Chains,
    signer: PrivateKeySigner,
    journal: TxJournal,
    locks: NonceLocks,
    policy: TxPolicy,
}

impl HotWallet {
    pub fn new(
        chains: Chains,
        signer: PrivateKeySigner,
        journal: TxJournal,
        policy: TxPolicy,
    ) -> Self {
        let locks = NonceLocks::new(chains.iter().map(|c| c.config.chain_id));
        Self {
            chains,
            signer,
            journal,
            locks,
            policy,
        }
    }

    /// Refuses, counted and logged, what the policy will not sign.
    fn refused(&self, intent: &TxIntent, refusal: Refusal) -> ChainError {
        observe::policy_refused(&intent.intent_key, &refusal);
        ChainError::PolicyRefused(refusal)
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
            same_call(first, &intent)?;
            info!(
                nonce = first.nonce,
                attempts = attempts.len(),
                "intent already signed; resuming it"
            );
        } else {
            match self.sign_first(chain, &intent).await {
                Ok(entry) => attempts.push(entry),
                // The chain refuses the call: perhaps because this very call already happened
                // and the journal that knew it is lost.
                Err(ChainError::WouldRevert(reason)) => {
                    return match self.adopt(chain, &intent).await? {
                        Some(adopted) => Ok(adopted),
                        None => Err(ChainError::WouldRevert(reason)),
                    };
                }
                Err(error) => return Err(error),
            }
        }

        let mut nonce_used_since: Option<Instant> = None;
        loop {
            if let Some(included) = self.included(chain, &intent, &attempts).await? {
                return Ok(included);
            }
            let latest = attempts
                .last()
                .expect("an intent has at least one attempt")
                .clone();
            if chain.mined_nonce(latest.from).await? > latest.nonce {
                // Our nonce is used. If by us, a provider shows the receipt soon (they index
                // receipts at their own pace); if none ever does, someone else used the key.
                let since = *nonce_used_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= NONCE_TAKEN_AFTER {
                    return Err(ChainError::NonceTaken {
                        intent_key: intent.intent_key,
                        nonce: latest.nonce,
                    });
                }
                chain
                    .next_head(chain.head(), chain.config.poll_interval)
                    .await;
                continue;
            }
            nonce_used_since = None;

            if age(&latest) >= chain.config.replace_after {
                let replacement = self
                    .sign_replacement(chain, &intent, &latest, attempts.len() + 1)
                    .await?;
                broadcast(chain, &replacement).await?;
                attempts.push(replacement);
            } else if chain.unknown_somewhere(latest.tx_hash).await? {
                // Journaled but unknown to a provider: first send, a retry after a crash between
                // journal and broadcast, or a node that dropped or never got it.
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
        if let Err(refusal) = self.policy.allows(intent, self.address()).await {
            return Err(self.refused(intent, refusal));
        }
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
        // Under the lock: concurrent intents cannot both spend the same allowance.
        if let Err(refusal) = self.policy.within_limits(intent, &self.journal, unix_now()) {
            return Err(self.refused(intent, refusal));
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
            signed_at: unix_now(),
        };
        self.journal.append(entry.clone())?;
        Ok(entry)
    }

    /// The intent's transaction that is in a block, if any. One that reverted is the typed
    /// failure [`ChainError::Reverted`], never a success: unless an earlier transaction of ours
    /// already made the same call (the revert is then that call's own guard), which is adopted.
    async fn included(
        &self,
        chain: &ChainClient,
        intent: &TxIntent,
        attempts: &[JournalEntry],
    ) -> Result<Option<SubmittedTx>, ChainError> {
        for attempt in attempts.iter().rev() {
            let Some(receipt) = chain.receipt(attempt.tx_hash).await? else {
                continue;
            };
            let block_number = receipt.block_number.unwrap_or_default();
            if !receipt.status() {
                observe::receipt_reverted(&attempt.tx_hash, block_number);
                if let Some(adopted) = self.adopt(chain, intent).await? {
                    return Ok(Some(adopted));
                }
                return Err(ChainError::Reverted {
                    tx_hash: attempt.tx_hash,
                    block_number,
                });
            }
            observe::transaction_included(attempt, block_number);
            return Ok(Some(submitted(attempt, attempts.len(), block_number)));
        }
        Ok(None)
    }

    /// A successful transaction of ours in the last [`ADOPT_LOOKBACK_BLOCKS`] blocks making
    /// exactly the intent's call, journaled under the intent and returned as its own. This is
    /// how a retry whose journal was lost asks the chain whether its effect already happened:
    /// the contracts refuse a repeat (a filled order, a quote no longer PENDING), and the refusal
    /// sends us here instead of failing a step that succeeded.
    async fn adopt(
        &self,
        chain: &ChainClient,
        intent: &TxIntent,
    ) -> Result<Option<SubmittedTx>, ChainError> {
        let from = self.address();
        let head = chain
            .provider
            .get_block_number()
            .await
            .map_err(ChainError::rpc)?;
        for number in (head.saturating_sub(ADOPT_LOOKBACK_BLOCKS)..=head).rev() {
            let Some(block) = chain
                .provider
                .get_block_by_number(BlockNumberOrTag::Number(number))
                .full()
                .await
                .map_err(ChainError::rpc)?
            else {
                continue;
            };
            for tx in block.transactions.txns() {
                let same = tx.inner.signer() == from
                    && tx.to() == Some(intent.to)
                    && tx.value() == intent.value.0
                    && tx.input() == &intent.data;
                if !same {
                    continue;
                }
                let hash = *tx.inner.tx_hash();
                if !chain.receipt(hash).await?.is_some_and(|r| r.status()) {
                    continue;
                }
                let envelope: &TxEnvelope = tx.inner.inner();
                let entry = JournalEntry {
                    intent_key: intent.intent_key.clone(),
                    chain_id: intent.chain_id,
                    from,
                    nonce: tx.nonce(),
                    tx_hash: hash,
                    raw: envelope.encoded_2718().into(),
                    max_fee_per_gas: tx.max_fee_per_gas(),
                    max_priority_fee_per_gas: tx.max_priority_fee_per_gas().unwrap_or_default(),
                    signed_at: 0,
                };
                self.journal.append(entry.clone())?;
                warn!(tx = %hash, block = number, "the chain already holds this call of ours; adopting it");
                observe::transaction_included(&entry, number);
                return Ok(Some(submitted(&entry, 1, number)));
            }
        }
        Ok(None)
    }
}

fn submitted(entry: &JournalEntry, attempts: usize, block_number: u64) -> SubmittedTx {
    SubmittedTx {
        intent_key: entry.intent_key.clone(),
        chain_id: entry.chain_id,
        from: entry.from,
        nonce: entry.nonce,
        tx_hash: entry.tx_hash,
        attempts: attempts as u32,
        block_number,
    }
}

/// An intent key names one call: a retry may resume it, but a different call under the same key
/// (another amount, recipient or contract) is refused for good rather than answered with the
/// first call's transaction.
fn same_call(journaled: &JournalEntry, intent: &TxIntent) -> Result<(), ChainError> {
    let signed = decode(journaled)?;
    let differs = [
        (signed.chain_id != intent.chain_id, "chain"),
        (signed.to != TxKind::Call(intent.to), "contract"),
        (signed.value != intent.value.0, "value"),
        (signed.input != intent.data, "calldata"),
    ];
    let differences: Vec<&str> = differs
        .iter()
        .filter(|(differ, _)| *differ)
        .map(|(_, what)| *what)
        .collect();
    if differences.is_empty() {
        return Ok(());
    }
    Err(ChainError::IntentMismatch {
        intent_key: intent.intent_key.clone(),
        journaled: journaled.tx_hash,
        differences: differences.join(", "),
    })
}

/// Sends a journaled transaction to every provider. "Already known" (anvil: "already imported")
/// and "nonce too low" mean a copy (or the mined original) is already there, which is what we
/// want; the caller re-checks receipts. An error only when no provider took it.
async fn broadcast(chain: &ChainClient, entry: &JournalEntry) -> Result<(), ChainError> {
    let mut refusals = Vec::new();
    let mut taken = false;
    for answer in chain.send_raw_everywhere(&entry.raw).await {
        match answer {
            Ok(()) => taken = true,
            Err(RpcError::ErrorResp(payload)) => {
                let message = payload.message.to_lowercase();
                if message.contains("already known")
                    || message.contains("already imported")
                    || message.contains("nonce too low")
                    || message.contains("underpriced")
                {
                    info!(tx = %entry.tx_hash, reason = %payload.message, "broadcast not needed");
                    taken = true;
                } else {
                    refusals.push(payload.message.to_string());
                }
            }
            Err(error) => refusals.push(error.to_string()),
        }
    }
    if taken {
        observe::transaction_broadcast(entry);
        return Ok(());
    }
    Err(ChainError::Rpc(format!(
        "broadcast of {} refused: {}",
        entry.tx_hash,
        refusals.join("; ")
    )))
}

/// A JSON-RPC error from simulation is the chain's verdict (revert, unaffordable); anything else
/// is a transport problem worth retrying.
fn simulation_error(error: RpcError<TransportErrorKind>) -> ChainError {
    match error {
        RpcError::ErrorResp(payload) => ChainError::would_revert(&payload.message),
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

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

fn age(entry: &JournalEntry) -> Duration {
    Duration::from_secs(unix_now().saturating_sub(entry.signed_at))
}
