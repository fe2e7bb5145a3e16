//! What can go wrong talking to a chain, and whether retrying helps.

use crate::failure::{Retryable, printable};
use alloy::primitives::B256;
use hedgeflow_proto::chain::FoundTx;

#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// Every provider failed (connection refused, timeout, 5xx). The engine retries.
    #[error("rpc: {0}")]
    Rpc(String),
    #[error("chain {0} is not configured")]
    UnknownChain(u64),
    #[error("endpoint {url} serves chain {actual}, configured as chain {expected}")]
    WrongChainId {
        url: String,
        expected: u64,
        actual: u64,
    },
    /// The call fails in simulation; nothing was signed.
    #[error("transaction would revert: {0}")]
    WouldRevert(String),
    #[error("transaction {tx_hash} reverted in block {block_number}")]
    Reverted { tx_hash: B256, block_number: u64 },
    /// Another sender (the same key used elsewhere) took a nonce this intent had reserved.
    #[error("nonce {nonce} of intent {intent_key} was used by a transaction that is not ours")]
    NonceTaken { intent_key: String, nonce: u64 },
    /// The key was used before for a different call: a bug in whoever chose the key, and never
    /// answered with the other call's transaction.
    #[error(
        "intent {intent_key} names another call ({journaled} was signed for it); this one differs in {differences}"
    )]
    IntentMismatch {
        intent_key: String,
        journaled: B256,
        differences: String,
    },
    /// The hot wallet's policy will not sign it; nothing was signed.
    #[error(transparent)]
    PolicyRefused(#[from] crate::policy::Refusal),
    #[error("transaction journal: {0}")]
    Journal(#[from] std::io::Error),
    #[error("signer: {0}")]
    Signer(String),
    /// Temporal cancelled the activity; whatever was signed stays journaled for a later attempt.
    #[error("cancelled")]
    Cancelled,
}

impl ChainError {
    pub fn rpc(error: impl std::fmt::Display) -> Self {
        Self::Rpc(printable(&error.to_string()))
    }

    /// The node's refusal of a simulated call. Its message can carry the revert data as raw
    /// bytes (anvil prints a custom error's arguments so, NULs included), which would travel into
    /// failure reasons and rows that PostgreSQL refuses: they are escaped here, once.
    pub fn would_revert(message: &str) -> Self {
        Self::WouldRevert(printable(message))
    }
}

impl Retryable for ChainError {
    fn is_retryable(&self) -> bool {
        matches!(self, Self::Rpc(_) | Self::Journal(_))
    }

    fn is_cancellation(&self) -> bool {
        matches!(self, Self::Cancelled)
    }

    fn reverted(&self) -> Option<FoundTx> {
        match self {
            Self::Reverted {
                tx_hash,
                block_number,
            } => Some(FoundTx {
                tx_hash: *tx_hash,
                block_number: *block_number,
            }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nodes_raw_revert_data_becomes_printable_text() {
        let raw = "execution reverted: custom error 0xa5d15e1f: \0\0\u{1f}\u{1}ok";
        let error = ChainError::would_revert(raw).to_string();
        assert!(!error.chars().any(|c| c.is_control()), "{error:?}");
        assert!(
            error.ends_with(r"0xa5d15e1f: \u{0}\u{0}\u{1f}\u{1}ok"),
            "{error}"
        );
        assert_eq!(printable("line\n\ttab"), "line\n\ttab");
    }
}
