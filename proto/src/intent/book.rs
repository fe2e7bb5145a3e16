//! What an `IntentBook` holds and emits: a quote's status, sides and terms as the chain
//! stores them, and the events a quote's workflow is signalled.

use super::BrokerSide;
use alloy::primitives::{Address, B256, keccak256};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// `IntentBook.QuoteStatus`, in the contract's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QuoteStatus {
    Pending,
    Locked,
    CancelPending,
    Canceled,
    Opened,
    ClosePending,
    CancelClosePending,
    Closed,
    Expired,
}

impl QuoteStatus {
    const ALL: [QuoteStatus; 9] = [
        Self::Pending,
        Self::Locked,
        Self::CancelPending,
        Self::Canceled,
        Self::Opened,
        Self::ClosePending,
        Self::CancelClosePending,
        Self::Closed,
        Self::Expired,
    ];

    /// The contract's `uint8`.
    pub fn from_u8(value: u8) -> Option<Self> {
        Self::ALL.get(usize::from(value)).copied()
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Locked => "LOCKED",
            Self::CancelPending => "CANCEL_PENDING",
            Self::Canceled => "CANCELED",
            Self::Opened => "OPENED",
            Self::ClosePending => "CLOSE_PENDING",
            Self::CancelClosePending => "CANCEL_CLOSE_PENDING",
            Self::Closed => "CLOSED",
            Self::Expired => "EXPIRED",
        }
    }

    /// No action of anyone changes the quote again.
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Canceled | Self::Closed | Self::Expired)
    }

    /// A position is open on chain (with or without a close request).
    pub fn has_position(&self) -> bool {
        matches!(
            self,
            Self::Opened | Self::ClosePending | Self::CancelClosePending
        )
    }
}

/// `IntentBook.PositionType`: party A's side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PositionType {
    Long,
    Short,
}

impl PositionType {
    pub fn from_u8(value: u8) -> Option<Self> {
        match value {
            0 => Some(Self::Long),
            1 => Some(Self::Short),
            _ => None,
        }
    }

    /// The broker side that opens our hedge of party A's position (see the module's signs).
    pub fn hedge_open_side(&self) -> BrokerSide {
        match self {
            Self::Long => BrokerSide::Buy,
            Self::Short => BrokerSide::Sell,
        }
    }

    /// Whether `price` is one party A accepts for opening at `requested`: a LONG opens at or
    /// below it, a SHORT at or above.
    pub fn accepts_open(&self, price: Decimal, requested: Decimal) -> bool {
        match self {
            Self::Long => price <= requested,
            Self::Short => price >= requested,
        }
    }

    /// Whether `price` is one party A accepts for closing at `requested`: a LONG closes at or
    /// above it, a SHORT at or below.
    pub fn accepts_close(&self, price: Decimal, requested: Decimal) -> bool {
        match self {
            Self::Long => price >= requested,
            Self::Short => price <= requested,
        }
    }

    /// Party B's position in the quote's quantity, signed: short a LONG, long a SHORT. What the
    /// broker position must offset.
    pub fn party_b_signed(&self, quantity: Decimal) -> Decimal {
        match self {
            Self::Long => -quantity,
            Self::Short => quantity,
        }
    }
}

/// `IntentBook.OrderType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderType {
    Limit,
    Market,
}

impl OrderType {
    pub fn from_u8(value: u8) -> Option<Self> {
        match value {
            0 => Some(Self::Limit),
            1 => Some(Self::Market),
            _ => None,
        }
    }
}

/// A quote as the chain holds it (`IntentBook.getQuote`), in human units.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainQuote {
    pub quote_id: u64,
    pub status: QuoteStatus,
    pub party_a: Address,
    /// `None` until a party B locks it.
    pub party_b: Option<Address>,
    pub symbol_id: u64,
    pub position_type: PositionType,
    pub order_type: OrderType,
    pub requested_open_price: Decimal,
    /// The quote's quantity; after an open, the opened quantity.
    pub quantity: Decimal,
    pub opened_price: Decimal,
    pub closed_amount: Decimal,
    pub avg_closed_price: Decimal,
    pub requested_close_price: Decimal,
    pub quantity_to_close: Decimal,
    pub close_order_type: OrderType,
    /// Unix seconds.
    pub deadline: u64,
    pub close_deadline: u64,
    /// Collateral party B locks with it: cva + lf + party B's maintenance margin.
    pub party_b_locked: Decimal,
    /// The maintenance-margin part of `party_b_locked` (the balance manager's health).
    #[serde(default)]
    pub party_b_mm: Decimal,
    pub parent_id: u64,
    /// Whitelisted party Bs; empty means anyone.
    pub party_bs_whitelist: Vec<Address>,
}

impl ChainQuote {
    /// What tells this quote from another that an l2 reorg gave its id to: a hash of the terms
    /// party A sent that the book never changes (party A, symbol, side, order type, requested
    /// price, deadline, parent, whitelist). The same quote re-included in a later block keeps
    /// it. The quantity is left out because the open rewrites it; the workflow checks it
    /// against the judged one after the lock.
    pub fn identity(&self) -> B256 {
        let mut terms = Vec::with_capacity(128 + 20 * self.party_bs_whitelist.len());
        terms.extend_from_slice(self.party_a.as_slice());
        terms.extend_from_slice(&self.symbol_id.to_be_bytes());
        terms.push(self.position_type as u8);
        terms.push(self.order_type as u8);
        terms.extend_from_slice(self.requested_open_price.normalize().to_string().as_bytes());
        terms.push(b'|');
        terms.extend_from_slice(&self.deadline.to_be_bytes());
        terms.extend_from_slice(&self.parent_id.to_be_bytes());
        for party_b in &self.party_bs_whitelist {
            terms.extend_from_slice(party_b.as_slice());
        }
        keccak256(terms)
    }

    /// The open quantity: opened minus closed.
    pub fn open_quantity(&self) -> Decimal {
        self.quantity - self.closed_amount
    }
}

/// Which chain input saw a quote's event (for the history; every one is handled the same).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventSource {
    Websocket,
    Poller,
    /// The quote's own workflow started it (a child quote of a partial open).
    Workflow,
}

/// The `IntentBook` events that concern a quote's workflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IntentEventKind {
    SendQuote,
    RequestToCancelQuote,
    ForceCancelQuote,
    RequestToClosePosition,
    RequestToCancelCloseRequest,
    ForceCancelCloseRequest,
    ExpireQuoteOpen,
    ExpireQuoteClose,
    /// The remainder of a partially opened LIMIT quote, a new quote (`OpenPosition.newQuoteId`).
    ChildQuote,
}

/// One event of a quote, as a chain input saw it: signalled to `intent-<chainId>-<book>-<quoteId>-<identity>`
/// (signal-with-start), which ignores one it already holds by `(block, log index)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntentEvent {
    pub kind: IntentEventKind,
    pub block_number: u64,
    pub log_index: u64,
    pub tx_hash: B256,
    pub source: EventSource,
}
