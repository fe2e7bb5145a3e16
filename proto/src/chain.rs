//! Transactions as pipelines see them: an intent to send, what was sent, and what the chain did.

use crate::Amount;
use alloy::primitives::{Address, B256, Bytes};
use serde::{Deserialize, Serialize};

/// A transaction a workflow wants sent by the hot wallet.
///
/// `intent_key` is deterministic (see [`crate::ids::tx_intent_key`]): the hot wallet records every
/// transaction it signs under this key before broadcasting, so a retry of the same intent returns
/// (or rebroadcasts) that transaction and never signs a second one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxIntent {
    pub intent_key: String,
    pub chain_id: u64,
    pub to: Address,
    pub value: Amount,
    pub data: Bytes,
}

/// A transaction the hot wallet sent and saw included in a block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmittedTx {
    pub intent_key: String,
    pub chain_id: u64,
    pub from: Address,
    pub nonce: u64,
    /// The hash that was included; differs from the first one sent when a stuck transaction was
    /// replaced with a higher fee.
    pub tx_hash: B256,
    /// How many transactions were signed for this intent (1 unless fee bumps were needed).
    pub attempts: u32,
    pub block_number: u64,
}

/// The Temporal failure type of a transaction that was mined and reverted, from
/// `submit_transaction` or `watch_receipt`; its details are the [`FoundTx`]. Never retried: no
/// retry changes a mined outcome. Workflows tell it apart from a refusal before sending
/// (nothing mined) because the reverted transaction is on chain, with its fee paid.
pub const TX_REVERTED: &str = "TransactionReverted";

/// A transaction found on chain, with the block that holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoundTx {
    pub tx_hash: B256,
    pub block_number: u64,
}

impl From<&SubmittedTx> for FoundTx {
    fn from(tx: &SubmittedTx) -> Self {
        Self {
            tx_hash: tx.tx_hash,
            block_number: tx.block_number,
        }
    }
}

impl From<&ConfirmedReceipt> for FoundTx {
    fn from(receipt: &ConfirmedReceipt) -> Self {
        Self {
            tx_hash: receipt.tx_hash,
            block_number: receipt.block_number,
        }
    }
}

/// Wait until `tx_hash` has `confirmations` blocks on top of (and including) its block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchReceipt {
    pub chain_id: u64,
    pub tx_hash: B256,
    pub confirmations: u64,
}

/// What the chain says about a transaction after waiting for confirmations.
///
/// A revert is not a variant: it fails the activity non-retryably, because no retry can change a
/// mined outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ReceiptOutcome {
    Confirmed(ConfirmedReceipt),
    /// The receipt was seen and then disappeared (its block was reorganised away). The workflow
    /// resubmits the same intent, which rebroadcasts the very same signed transaction.
    Reorged {
        last_seen_block: u64,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmedReceipt {
    pub tx_hash: B256,
    pub block_number: u64,
    pub block_hash: B256,
    pub gas_used: u64,
    /// Wei per gas.
    pub effective_gas_price: Amount,
    pub confirmations: u64,
}
