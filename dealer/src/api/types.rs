//! Validated domain types exchanged between the front door and a [`Dealer`](super::Dealer).
//!
//! These are not wire types: `rpc/` parses JSON into them and renders them back (amounts as
//! decimal strings, addresses as lowercase hex), so nothing here knows about JSON.

use alloy::primitives::{Address, B256, Bytes, FixedBytes, U256};
use hedgeflow_proto::rfq::fill::FillStatus;
use uuid::Uuid;

/// A 65-byte ECDSA signature, `r ‖ s ‖ v` (v in {27, 28}), as `RfqSettlement` checks it.
pub type Signature = FixedBytes<65>;

/// The one size a taker fixes; the dealer prices the other side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// `makerAssetSize`: how much maker asset the taker receives (base units, > 0).
    MakerSize(U256),
    /// `takerAssetSize`: how much taker asset the taker pays (base units, > 0).
    TakerSize(U256),
}

/// A quote request that passed the front door's checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteRequest {
    /// The asset the dealer sends.
    pub maker_asset: Address,
    /// The asset the taker sends.
    pub taker_asset: Address,
    /// Exactly one positive size.
    pub size: Size,
    /// The taker that will fill the quote (required here: our orders name their taker).
    pub taker: Address,
    /// Whether to sign (and store for filling) an order; `false` is an indicative price only.
    pub include_order: bool,
}

/// Settlement information for a market or a quote (the spec's `TradeInfo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TradeInfo {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// Gas limit of the settlement transaction the hot wallet sends.
    pub gas_limit: U256,
    /// Gas price (wei) of that transaction; a fill must repeat it.
    pub gas_price: U256,
}

/// Size bounds of a market, in base units of its maker asset (the spec's `QuoteInfo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuoteInfo {
    /// Smallest maker size quoted.
    pub min_size: U256,
    /// Largest maker size quoted.
    pub max_size: U256,
}

/// A market: one maker asset against one or more taker assets (the spec's `Market`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Market {
    /// The asset the dealer sends.
    pub maker_asset: Address,
    /// The assets a taker may pay with.
    pub taker_assets: Vec<Address>,
    /// Settlement information.
    pub trade_info: TradeInfo,
    /// Size bounds (maker asset base units).
    pub quote_info: QuoteInfo,
}

impl Market {
    /// Whether this market quotes `maker_asset` against `taker_asset`.
    pub fn serves(&self, maker_asset: Address, taker_asset: Address) -> bool {
        self.maker_asset == maker_asset && self.taker_assets.contains(&taker_asset)
    }
}

/// Our settlement order: `RfqSettlement`'s `RfqOrder`, field for field 0x v4's RFQ order (not the
/// 0x v3 order the spec's `Order` schema describes), declared once in `hedgeflow_proto::rfq`.
pub use hedgeflow_proto::rfq::quote::RfqOrder;

/// A maker-signed [`RfqOrder`] with what a taker needs to approve it (its EIP-712 domain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedOrder {
    /// The order.
    pub order: RfqOrder,
    /// Its EIP-712 digest (`getRfqOrderHash`), the order's id; the spec's `orderHash`.
    pub hash: B256,
    /// EIP-712 domain chain id.
    pub chain_id: u64,
    /// EIP-712 domain verifying contract: the `RfqSettlement` deployment.
    pub verifying_contract: Address,
    /// The maker's signature of `hash`.
    pub signature: Signature,
}

/// A priced quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// A fresh v4 UUID for this offer only.
    pub quote_id: Uuid,
    /// The asset the dealer sends.
    pub maker_asset: Address,
    /// The asset the taker sends.
    pub taker_asset: Address,
    /// Maker asset base units.
    pub maker_size: U256,
    /// Taker asset base units.
    pub taker_size: U256,
    /// Unix ms after which a fill is refused.
    pub expiration_ms: u64,
    /// Unix ms at which the quote was priced.
    pub server_time_ms: u64,
    /// The signed order; `None` when the request had `includeOrder = false`.
    pub order: Option<SignedOrder>,
    /// Settlement information the fill must match.
    pub trade_info: TradeInfo,
    /// The spec's "soft cancel" parameters: conditions the dealer checks when the fill comes
    /// (here, how far the mid may have moved against it since the quote).
    pub validity: Vec<ValidityParameter>,
}

/// A soft-cancel condition of a quote (the spec's `ValidityParameter`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ValidityParameter {
    pub name: String,
    pub value: serde_json::Value,
}

/// The soft cancel this dealer issues: the fill is refused (-42017) when the market's mid has
/// moved against the quote by more than this many bps since it was priced.
pub const MAX_ADVERSE_MID_MOVE_BPS: &str = "max-adverse-mid-move-bps";
/// The mid the quote was priced at (quote asset per base), the move's reference.
pub const REFERENCE_MID: &str = "reference-mid";

/// A taker's request to fill a quote: the spec's seven `dealer_submitFill` parameters, read for
/// our settlement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FillRequest {
    /// The quote being filled (a v4 UUID).
    pub quote_id: Uuid,
    /// Must equal the order's `salt`.
    pub salt: U256,
    /// The taker's EIP-712 `RfqFillApproval(RfqOrder order)` signature over the quote's order.
    pub taker_signature: Signature,
    /// Who signed; must be the order's taker.
    pub signer: Address,
    /// The `fillRfqOrder` calldata the taker expects, or empty: the hot wallet builds the
    /// transaction itself, so this is only checked when present.
    pub data: Bytes,
    /// Must equal the quote's `tradeInfo.gasPrice`.
    pub gas_price: U256,
    /// Should equal the order's `expiry` (unix seconds).
    pub expiration_time_seconds: u64,
}

/// Where a quote's fill stands: `dealer_getFillStatus` and `dealer_subscribeFillStatus`, our
/// extensions to the v1.0 spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FillState {
    pub quote_id: Uuid,
    /// `quoted` (no fill requested), then the fill's status: `fill requested`, `fill rejected`,
    /// `fill submitted`, `filled, unhedged` or `fill failed` (see [`FillStatus`]).
    pub status: String,
    /// The settlement transaction, once sent.
    pub transaction_hash: Option<B256>,
    /// Why the fill was refused or failed.
    pub reason: Option<String>,
    /// Unix ms of the latest status.
    pub updated_at_ms: u64,
}

impl FillState {
    /// No later status will follow from the fill workflow.
    pub fn is_final(&self) -> bool {
        FillStatus::parse(&self.status).is_some_and(|status| status.is_final())
    }
}

/// The answer to an accepted fill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FillReceipt {
    /// The filled quote.
    pub quote_id: Uuid,
    /// The settlement transaction's hash (in a block, not yet confirmed).
    pub transaction_hash: B256,
    /// Unix ms at which the settlement was submitted.
    pub submitted_at_ms: u64,
}
