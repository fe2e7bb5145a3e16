//! The hedger's own view of a quote: its decision, the prices it has signed, the state it is
//! in and what it stores after each step.

use super::{BrokerExecution, ChainQuote, IntentRef};
use alloy::primitives::{Address, B256, Bytes};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What the hedger decided about a new quote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum IntentDecision {
    /// Lock it and hedge it on `symbol`, in multiples of `step`.
    Accept {
        quote: Box<ChainQuote>,
        symbol: String,
        step: Decimal,
        /// How long a LIMIT quote's broker order may rest, ms.
        limit_wait_ms: u64,
        /// What party B must allocate to the quote's party A before it can lock it (SYMMIO's
        /// allocate-and-lock), from its deposited balance; zero when enough is allocated.
        #[serde(default)]
        allocate: Decimal,
    },
    /// Leave it (or unlock it), with the hedger API's error code and the reason.
    Reject { code: u32, reason: String },
}

/// A price signed by the configured price signer (the stand-in for SYMMIO's oracle), which
/// `openPosition` and `fillCloseRequest` check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedPrice {
    pub symbol_id: u64,
    pub price: Decimal,
    /// Unix seconds.
    pub timestamp: u64,
    pub signature: Bytes,
}

/// Ask the price signer for `symbol_id`'s mark price on the broker (`symbol`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceRequest {
    pub chain_id: u64,
    pub book: Address,
    pub symbol_id: u64,
    pub symbol: String,
}

/// Where the hedger stands with a quote: the `Stage` search attribute and the DB's
/// `hedger_state`, each with the chain status it last saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HedgerState {
    Seen,
    Rejected,
    Locking,
    Locked,
    OpeningOnBroker,
    OpeningOnChain,
    Opened,
    ClosingOnBroker,
    ClosingOnChain,
    Closed,
    Canceled,
    Expired,
    /// Another party B took it before we could lock it.
    Lost,
    /// An l2 reorg gave its id to another quote before it was hedged; that quote has a
    /// workflow of its own.
    Replaced,
}

impl HedgerState {
    pub const ALL: [HedgerState; 14] = [
        Self::Seen,
        Self::Rejected,
        Self::Locking,
        Self::Locked,
        Self::OpeningOnBroker,
        Self::OpeningOnChain,
        Self::Opened,
        Self::ClosingOnBroker,
        Self::ClosingOnChain,
        Self::Closed,
        Self::Canceled,
        Self::Expired,
        Self::Lost,
        Self::Replaced,
    ];

    /// The state [`Self::as_str`] names (as stored).
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == text)
    }

    /// A quote between steps: its allocation is in use (allocated, locked, or paying a close).
    pub fn is_between_steps(self) -> bool {
        matches!(
            self,
            Self::Seen
                | Self::Locking
                | Self::Locked
                | Self::OpeningOnBroker
                | Self::OpeningOnChain
                | Self::ClosingOnBroker
                | Self::ClosingOnChain
        )
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Seen => "seen",
            Self::Rejected => "rejected",
            Self::Locking => "locking",
            Self::Locked => "locked",
            Self::OpeningOnBroker => "opening on broker",
            Self::OpeningOnChain => "opening on chain",
            Self::Opened => "opened",
            Self::ClosingOnBroker => "closing on broker",
            Self::ClosingOnChain => "closing on chain",
            Self::Closed => "closed",
            Self::Canceled => "canceled",
            Self::Expired => "expired",
            Self::Lost => "lost",
            Self::Replaced => "replaced",
        }
    }
}

/// What the intent workflow stores after each step (`intent_quotes`, keyed by workflow id).
/// Idempotent: the same record twice leaves one history entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntentRecord {
    pub intent: IntentRef,
    pub state: HedgerState,
    /// The quote as last read from the chain (absent until it is read).
    pub quote: Option<ChainQuote>,
    /// The broker symbol hedging it.
    pub symbol: Option<String>,
    /// Our broker position for this quote, signed (positive long).
    pub broker_position: Decimal,
    /// Party B's position on chain for this quote, signed.
    pub chain_position: Decimal,
    /// Orders on the broker so far.
    pub broker_orders: Vec<BrokerExecution>,
    /// Transactions sent for it, by step.
    pub transactions: Vec<(String, B256)>,
    /// The hedger API's error code and reason of a rejection or failure.
    pub error_code: Option<u32>,
    pub reason: Option<String>,
}
