//! The intent hedger (SYMMIO-style party B): one `intent-<chainId>-<book>-<quoteId>-<identity>` workflow per quote
//! of an `IntentBook`, hedged 1:1 on a perpetual futures broker: open on the broker first, then
//! on chain at the broker's price; close on the broker, then fill the close on chain.
//!
//! Amounts, prices and quantities are the contract's 18-decimal fixed point, carried here as
//! [`Decimal`] so histories read `"2.5"` rather than `"2500000000000000000"`.
//!
//! Signs and sides: party A's LONG makes us (party B) short on chain, so the hedge **buys** on
//! the broker; closing a LONG sells there. SHORT is the mirror.

use crate::{Amount, chain::TxIntent, ids};
use alloy::{
    primitives::{Address, B256, Bytes, U256, keccak256},
    sol,
    sol_types::SolCall,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One quote of one `IntentBook`: what names an intent workflow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntentRef {
    pub chain_id: u64,
    pub book: Address,
    pub quote_id: u64,
    /// The quote's [`ChainQuote::identity`]: quote ids are sequential, so an l2 reorg can hand
    /// one to another party A's quote, which must not be taken for this one. Zero in runs
    /// started before it existed.
    #[serde(default)]
    pub identity: B256,
}

impl IntentRef {
    /// The reference of `quote`, as `book` on `chain_id` holds it.
    pub fn of(chain_id: u64, book: Address, quote: &ChainQuote) -> Self {
        Self {
            chain_id,
            book,
            quote_id: quote.quote_id,
            identity: quote.identity(),
        }
    }

    /// Whether `quote` is this quote: the quote its id names on chain now may be another one
    /// (an l2 reorg reassigned the id). Runs started before identities always match.
    pub fn names(&self, quote: &ChainQuote) -> bool {
        self.identity.is_zero() || quote.identity() == self.identity
    }

    /// `intent-<chainId>-<book>-<quoteId>-<identity>` (see [`ids::intent_workflow`]).
    pub fn workflow_id(&self) -> String {
        let id = ids::intent_workflow(self.chain_id, &self.book, self.quote_id);
        if self.identity.is_zero() {
            return id;
        }
        format!("{id}-{}", ids::short(self.identity.as_slice()))
    }

    /// The idempotency key of this quote's transaction for `step` (`lock`, `open`, `close-2`…).
    pub fn tx_key(&self, step: &str) -> String {
        ids::tx_intent_key(&self.workflow_id(), step)
    }

    /// The broker client order id of this quote's order for `step` (`open`, `close-2`, `undo-open`).
    /// Binance allows 36 characters of `[.A-Z:/a-z0-9_-]`: `i-<tag>-<quoteId>-<step>`, where
    /// `<tag>` is 4 bytes (hex) of the hash of the chain id, the book and the quote's identity,
    /// so that another chain's book, a redeployed one, or another quote a reorg gave this id to
    /// never finds this quote's orders.
    pub fn broker_order_id(&self, step: &str) -> String {
        let identity: &[u8] = if self.identity.is_zero() {
            &[]
        } else {
            self.identity.as_slice()
        };
        let tag = keccak256(
            [
                &self.chain_id.to_be_bytes()[..],
                self.book.as_slice(),
                identity,
            ]
            .concat(),
        );
        format!("i-{}-{}-{step}", ids::short(tag.as_slice()), self.quote_id)
    }
}

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

/// A side on the broker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BrokerSide {
    Buy,
    Sell,
}

impl BrokerSide {
    pub fn opposite(&self) -> Self {
        match self {
            Self::Buy => Self::Sell,
            Self::Sell => Self::Buy,
        }
    }

    /// `quantity` signed by this side: positive for a buy.
    pub fn signed(&self, quantity: Decimal) -> Decimal {
        match self {
            Self::Buy => quantity,
            Self::Sell => -quantity,
        }
    }
}

/// One order on the perpetual futures broker, placed once by `client_order_id` and followed
/// until it is final or `wait_ms` has passed (then the rest is cancelled).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerOrder {
    pub client_order_id: String,
    pub symbol: String,
    pub side: BrokerSide,
    /// Base quantity, already on the symbol's step.
    pub quantity: Decimal,
    /// Limit price: never worse than what party A accepts. `None` for a MARKET order (undoing a
    /// hedge, which must not be left open at any price).
    pub limit_price: Option<Decimal>,
    /// IOC (a MARKET quote, which fills now or not at all) or GTC for at most `wait_ms`.
    /// Never reduce-only: the broker nets every quote of a symbol into one position, whose
    /// direction need not be this quote's.
    pub immediate: bool,
    pub wait_ms: u64,
}

/// What a broker order did, once final.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerExecution {
    pub client_order_id: String,
    pub order_id: u64,
    /// Binance's final status (`FILLED`, `CANCELED`, `EXPIRED`…).
    pub status: String,
    pub executed: Decimal,
    /// Average execution price; zero when nothing executed.
    pub avg_price: Decimal,
    /// Commission in the margin asset.
    pub fee: Decimal,
}

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

/// The broker's net position in one symbol (`positionRisk`): every quote hedged on it together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerPosition {
    pub symbol: String,
    /// Signed: positive long.
    pub amount: Decimal,
    pub entry_price: Decimal,
    pub unrealized_pnl: Decimal,
}

/// The position validator's run: the book's chain and the broker symbols to compare.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationRequest {
    pub chain_id: u64,
    pub symbols: Vec<String>,
}

/// One disagreement between our DB and the chain (a quote) or the broker (a symbol). The
/// validator reports it and never changes anything.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatch {
    /// `intent-<chainId>-<book>-<quoteId>-<identity>` or the broker symbol.
    pub subject: String,
    /// `chain` or `broker`: what disagrees with our DB.
    pub against: String,
    /// Party B's signed position by our DB, and by the other side.
    pub ours: Decimal,
    pub theirs: Decimal,
    pub detail: String,
}

/// What one validation found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationReport {
    pub quotes: u32,
    pub symbols: u32,
    /// Symbols with a quote between its broker order and its chain transaction: their sums
    /// would disagree for a moment by design, so they wait for the next run.
    pub in_flight: Vec<String>,
    pub mismatches: Vec<Mismatch>,
}

/// The hedger API's error codes (`GET /error_codes`): why a quote was not taken.
pub mod error_codes {
    pub const UNKNOWN_SYMBOL: u32 = 1001;
    pub const NOTIONAL_CAP: u32 = 1002;
    pub const OPEN_INTEREST_CAP: u32 = 1003;
    pub const PRICE_OUT_OF_RANGE: u32 = 1004;
    pub const INSUFFICIENT_ALLOCATION: u32 = 1005;
    pub const DEADLINE: u32 = 1006;
    pub const NOT_WHITELISTED: u32 = 1007;
    pub const QUANTITY_STEP: u32 = 1008;
    pub const BROKER_UNFILLED: u32 = 1009;
    pub const TAKEN: u32 = 1010;
    pub const CHAIN_REFUSED: u32 = 1011;

    /// Every code with its message.
    pub const ALL: [(u32, &str); 11] = [
        (UNKNOWN_SYMBOL, "symbol is not supported by this hedger"),
        (
            NOTIONAL_CAP,
            "quote notional exceeds the symbol's notional cap",
        ),
        (
            OPEN_INTEREST_CAP,
            "quote would exceed the hedger's open interest cap",
        ),
        (
            PRICE_OUT_OF_RANGE,
            "requested price is outside the allowed range of the mark price",
        ),
        (
            INSUFFICIENT_ALLOCATION,
            "not enough balance allocated to this party A",
        ),
        (DEADLINE, "not enough time before the quote's deadline"),
        (
            NOT_WHITELISTED,
            "this hedger is not in the quote's whitelist",
        ),
        (
            QUANTITY_STEP,
            "a MARKET quote's quantity is not a multiple of the broker's step",
        ),
        (
            BROKER_UNFILLED,
            "the broker order did not fill at the requested price",
        ),
        (TAKEN, "another party B or party A acted first"),
        (
            CHAIN_REFUSED,
            "the contract refused the hedger's transaction",
        ),
    ];

    pub fn message(code: u32) -> Option<&'static str> {
        ALL.iter().find(|(c, _)| *c == code).map(|(_, m)| *m)
    }
}

sol! {
    /// The party-B functions of `IntentBook` the hedger and its balance manager send (see `contracts/src/IntentBook.sol`).
    struct PriceSig { uint256 symbolId; uint256 price; uint256 timestamp; bytes signature; }
    function allocateForPartyB(uint256 amount, address partyA);
    function deallocateForPartyB(uint256 amount, address partyA);
    function deposit(uint256 amount);
    function withdraw(uint256 amount);
    function lockQuote(uint256 quoteId);
    function unlockQuote(uint256 quoteId);
    function acceptCancelRequest(uint256 quoteId);
    function openPosition(uint256 quoteId, uint256 filledAmount, uint256 openedPrice, PriceSig sig);
    function fillCloseRequest(uint256 quoteId, uint256 filledAmount, uint256 closedPrice, PriceSig sig);
    function acceptCancelCloseRequest(uint256 quoteId);
}

/// The selectors of every `IntentBook` function party B sends: what the hot wallet's policy
/// allows on the book.
pub const PARTY_B_SELECTORS: [[u8; 4]; 10] = [
    allocateForPartyBCall::SELECTOR,
    deallocateForPartyBCall::SELECTOR,
    depositCall::SELECTOR,
    withdrawCall::SELECTOR,
    lockQuoteCall::SELECTOR,
    unlockQuoteCall::SELECTOR,
    acceptCancelRequestCall::SELECTOR,
    openPositionCall::SELECTOR,
    fillCloseRequestCall::SELECTOR,
    acceptCancelCloseRequestCall::SELECTOR,
];

/// One in the contract's 18-decimal fixed point.
const WAD: u64 = 1_000_000_000_000_000_000;

/// 18-decimal fixed point to the contract's integer; `None` when negative or finer than 1e-18.
pub fn to_wad(value: Decimal) -> Option<U256> {
    use rust_decimal::prelude::ToPrimitive;
    let scaled = value.checked_mul(Decimal::from(WAD))?;
    if value.is_sign_negative() || !scaled.fract().is_zero() {
        return None;
    }
    scaled.to_u128().map(U256::from)
}

/// The contract's integer to 18-decimal fixed point; `None` beyond what a [`Decimal`] holds.
pub fn from_wad(value: U256) -> Option<Decimal> {
    let units = i128::try_from(u128::try_from(value).ok()?).ok()?;
    Decimal::try_from_i128_with_scale(units, 18)
        .ok()
        .map(|d| d.normalize())
}

/// A party-B transaction of the hedger on `intent`'s book, keyed by `step`.
pub fn party_b_tx(intent: &IntentRef, step: &str, data: Vec<u8>) -> TxIntent {
    TxIntent {
        intent_key: intent.tx_key(step),
        chain_id: intent.chain_id,
        to: intent.book,
        value: Amount::ZERO,
        data: data.into(),
    }
}

/// The calldata of the hedger's actions on a quote.
pub mod calldata {
    use super::*;

    fn id(quote_id: u64) -> U256 {
        U256::from(quote_id)
    }

    fn sig(price: &SignedPrice) -> Option<PriceSig> {
        Some(PriceSig {
            symbolId: U256::from(price.symbol_id),
            price: to_wad(price.price)?,
            timestamp: U256::from(price.timestamp),
            signature: price.signature.clone(),
        })
    }

    /// `None` when the amount is not representable on chain.
    pub fn allocate(amount: Decimal, party_a: Address) -> Option<Vec<u8>> {
        Some(
            allocateForPartyBCall {
                amount: to_wad(amount)?,
                partyA: party_a,
            }
            .abi_encode(),
        )
    }

    pub fn deallocate(amount: Decimal, party_a: Address) -> Option<Vec<u8>> {
        Some(
            deallocateForPartyBCall {
                amount: to_wad(amount)?,
                partyA: party_a,
            }
            .abi_encode(),
        )
    }

    /// `deposit`: the collateral (approved to the book) into party B's free balance.
    pub fn deposit(amount: Decimal) -> Option<Vec<u8>> {
        Some(
            depositCall {
                amount: to_wad(amount)?,
            }
            .abi_encode(),
        )
    }

    /// `withdraw`: party B's free balance out of the book to the hot wallet.
    pub fn withdraw(amount: Decimal) -> Option<Vec<u8>> {
        Some(
            withdrawCall {
                amount: to_wad(amount)?,
            }
            .abi_encode(),
        )
    }

    pub fn lock(quote_id: u64) -> Vec<u8> {
        lockQuoteCall {
            quoteId: id(quote_id),
        }
        .abi_encode()
    }

    pub fn unlock(quote_id: u64) -> Vec<u8> {
        unlockQuoteCall {
            quoteId: id(quote_id),
        }
        .abi_encode()
    }

    pub fn accept_cancel(quote_id: u64) -> Vec<u8> {
        acceptCancelRequestCall {
            quoteId: id(quote_id),
        }
        .abi_encode()
    }

    pub fn accept_cancel_close(quote_id: u64) -> Vec<u8> {
        acceptCancelCloseRequestCall {
            quoteId: id(quote_id),
        }
        .abi_encode()
    }

    /// `None` when an amount is not representable on chain (negative, finer than 1e-18).
    pub fn open(
        quote_id: u64,
        filled: Decimal,
        price: Decimal,
        signed: &SignedPrice,
    ) -> Option<Vec<u8>> {
        Some(
            openPositionCall {
                quoteId: id(quote_id),
                filledAmount: to_wad(filled)?,
                openedPrice: to_wad(price)?,
                sig: sig(signed)?,
            }
            .abi_encode(),
        )
    }

    pub fn fill_close(
        quote_id: u64,
        filled: Decimal,
        price: Decimal,
        signed: &SignedPrice,
    ) -> Option<Vec<u8>> {
        Some(
            fillCloseRequestCall {
                quoteId: id(quote_id),
                filledAmount: to_wad(filled)?,
                closedPrice: to_wad(price)?,
                sig: sig(signed)?,
            }
            .abi_encode(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn wads_round_trip_and_refuse_what_the_chain_cannot_hold() {
        for value in [
            dec!(0),
            dec!(1),
            dec!(2.5),
            dec!(3012.123456789012345678),
            dec!(0.000000000000000001),
        ] {
            let wad = to_wad(value).unwrap();
            assert_eq!(from_wad(wad), Some(value.normalize()), "{value}");
        }
        assert_eq!(to_wad(dec!(1)), Some(U256::from(10u64).pow(U256::from(18))));
        assert_eq!(to_wad(dec!(-1)), None);
        assert_eq!(to_wad(dec!(0.0000000000000000001)), None);
        assert_eq!(from_wad(U256::MAX), None);
    }

    #[test]
    fn price_rules_follow_symmio() {
        let long = PositionType::Long;
        assert!(long.accepts_open(dec!(99), dec!(100)) && !long.accepts_open(dec!(101), dec!(100)));
        assert!(
            long.accepts_close(dec!(101), dec!(100)) && !long.accepts_close(dec!(99), dec!(100))
        );
        let short = PositionType::Short;
        assert!(
            short.accepts_open(dec!(101), dec!(100)) && !short.accepts_open(dec!(99), dec!(100))
        );
        assert!(
            short.accepts_close(dec!(99), dec!(100)) && !short.accepts_close(dec!(101), dec!(100))
        );
        assert_eq!(long.hedge_open_side(), BrokerSide::Buy);
        assert_eq!(long.party_b_signed(dec!(2)), dec!(-2));
    }

    #[test]
    fn statuses_decode_in_the_contracts_order() {
        assert_eq!(QuoteStatus::from_u8(0), Some(QuoteStatus::Pending));
        assert_eq!(
            QuoteStatus::from_u8(6),
            Some(QuoteStatus::CancelClosePending)
        );
        assert_eq!(QuoteStatus::from_u8(8), Some(QuoteStatus::Expired));
        assert_eq!(QuoteStatus::from_u8(9), None);
    }

    #[test]
    fn broker_ids_fit_binance() {
        let intent = IntentRef {
            chain_id: 31337,
            book: Address::ZERO,
            quote_id: 123_456_789,
            identity: B256::repeat_byte(0xab),
        };
        let id = intent.broker_order_id("undo-close-12");
        assert!(id.len() <= 36, "{id}");
        assert_eq!(
            intent.workflow_id(),
            "intent-31337-00000000-123456789-abababab"
        );
        let other_chain = IntentRef {
            chain_id: 31338,
            ..intent.clone()
        };
        let redeployed = IntentRef {
            book: Address::repeat_byte(1),
            ..intent.clone()
        };
        let reassigned = IntentRef {
            identity: B256::repeat_byte(0xcd),
            ..intent.clone()
        };
        for other in [other_chain, redeployed, reassigned] {
            assert_ne!(other.workflow_id(), intent.workflow_id());
            assert_ne!(
                other.broker_order_id("open"),
                intent.broker_order_id("open")
            );
            assert_ne!(other.tx_key("open"), intent.tx_key("open"));
        }
    }

    fn quote(party_a: Address, quantity: Decimal) -> ChainQuote {
        ChainQuote {
            quote_id: 7,
            status: QuoteStatus::Pending,
            party_a,
            party_b: None,
            symbol_id: 1,
            position_type: PositionType::Long,
            order_type: OrderType::Market,
            requested_open_price: dec!(2000.50),
            quantity,
            opened_price: Decimal::ZERO,
            closed_amount: Decimal::ZERO,
            avg_closed_price: Decimal::ZERO,
            requested_close_price: Decimal::ZERO,
            quantity_to_close: Decimal::ZERO,
            close_order_type: OrderType::Market,
            deadline: 1_800_000_000,
            close_deadline: 0,
            party_b_locked: Decimal::ZERO,
            party_b_mm: Decimal::ZERO,
            parent_id: 0,
            party_bs_whitelist: Vec::new(),
        }
    }

    #[test]
    fn a_quote_is_named_by_its_terms_not_by_its_id_alone() {
        let sent = quote(Address::repeat_byte(1), dec!(2));
        let intent = IntentRef::of(31338, Address::ZERO, &sent);
        // What the book changes over the quote's life leaves it the same quote.
        let mut opened = sent.clone();
        opened.status = QuoteStatus::Opened;
        opened.party_b = Some(Address::repeat_byte(9));
        opened.quantity = dec!(1.5);
        opened.opened_price = dec!(1999);
        assert!(intent.names(&opened));
        assert_eq!(IntentRef::of(31338, Address::ZERO, &opened), intent);
        // Another party A's quote under the same id is another quote, with its own names.
        let other = quote(Address::repeat_byte(2), dec!(2));
        assert!(!intent.names(&other));
        let replaced = IntentRef::of(31338, Address::ZERO, &other);
        assert_ne!(replaced.workflow_id(), intent.workflow_id());
        assert_ne!(replaced.tx_key("lock"), intent.tx_key("lock"));
        assert_ne!(
            replaced.broker_order_id("open"),
            intent.broker_order_id("open")
        );
        // A run started before identities reads any quote as its own, under its old names.
        let legacy = IntentRef {
            identity: B256::ZERO,
            ..intent.clone()
        };
        assert!(legacy.names(&other));
        assert_eq!(legacy.workflow_id(), "intent-31338-00000000-7");
    }
}
