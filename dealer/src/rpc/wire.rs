//! Rendering domain types in the spec's encodings: amounts as decimal Strings, addresses and
//! bytes as `0x` lowercase hex, times as integer ms Numbers, results as Arrays.
//!
//! The reply types own what they render and serialize straight into jsonrpsee's output buffer
//! through borrowed views, so a reply costs no intermediate `String`s or `serde_json::Value`s.

use crate::api::{FillReceipt, FillState, Market, Quote, SignedOrder, TradeInfo};
use hedgeflow_proto::rfq::fill::FillStatus;
use serde::Serialize;
use serde::ser::{SerializeSeq, Serializer};
use std::fmt::{Display, LowerHex};
use std::sync::Arc;
use uuid::Uuid;

fn hex<T: LowerHex, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&format_args!("{value:#x}"))
}

fn dec<T: Display, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(value)
}

fn hex_list<S: Serializer>(values: &[alloy::primitives::Address], s: S) -> Result<S::Ok, S::Error> {
    let mut seq = s.serialize_seq(Some(values.len()))?;
    for v in values {
        seq.serialize_element(&Hex(v))?;
    }
    seq.end()
}

struct Hex<'a, T>(&'a T);

impl<T: LowerHex> Serialize for Hex<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        hex(self.0, s)
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TradeInfoView<'a> {
    chain_id: u64,
    #[serde(serialize_with = "dec")]
    gas_limit: &'a alloy::primitives::U256,
    #[serde(serialize_with = "dec")]
    gas_price: &'a alloy::primitives::U256,
}

impl<'a> From<&'a TradeInfo> for TradeInfoView<'a> {
    fn from(t: &'a TradeInfo) -> Self {
        Self {
            chain_id: t.chain_id,
            gas_limit: &t.gas_limit,
            gas_price: &t.gas_price,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct QuoteInfoView<'a> {
    #[serde(serialize_with = "dec")]
    min_size: &'a alloy::primitives::U256,
    #[serde(serialize_with = "dec")]
    max_size: &'a alloy::primitives::U256,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MarketView<'a> {
    #[serde(serialize_with = "hex")]
    maker_asset_address: &'a alloy::primitives::Address,
    #[serde(serialize_with = "hex_list")]
    taker_asset_addresses: &'a [alloy::primitives::Address],
    trade_info: TradeInfoView<'a>,
    quote_info: QuoteInfoView<'a>,
}

impl<'a> From<&'a Market> for MarketView<'a> {
    fn from(m: &'a Market) -> Self {
        Self {
            maker_asset_address: &m.maker_asset,
            taker_asset_addresses: &m.taker_assets,
            trade_info: (&m.trade_info).into(),
            quote_info: QuoteInfoView {
                min_size: &m.quote_info.min_size,
                max_size: &m.quote_info.max_size,
            },
        }
    }
}

/// Our `order` object: `RfqSettlement`'s `RfqOrder` plus its EIP-712 domain and the maker's
/// signature (see the module docs of [`crate::rpc`]).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OrderView<'a> {
    chain_id: u64,
    #[serde(serialize_with = "hex")]
    verifying_contract: &'a alloy::primitives::Address,
    #[serde(serialize_with = "hex")]
    maker_token: &'a alloy::primitives::Address,
    #[serde(serialize_with = "hex")]
    taker_token: &'a alloy::primitives::Address,
    #[serde(serialize_with = "dec")]
    maker_amount: &'a u128,
    #[serde(serialize_with = "dec")]
    taker_amount: &'a u128,
    #[serde(serialize_with = "hex")]
    maker: &'a alloy::primitives::Address,
    #[serde(serialize_with = "hex")]
    taker: &'a alloy::primitives::Address,
    #[serde(serialize_with = "hex")]
    tx_origin: &'a alloy::primitives::Address,
    #[serde(serialize_with = "hex")]
    pool: &'a alloy::primitives::B256,
    #[serde(serialize_with = "dec")]
    expiry: &'a u64,
    #[serde(serialize_with = "dec")]
    salt: &'a alloy::primitives::U256,
    #[serde(serialize_with = "hex")]
    signature: &'a crate::api::Signature,
}

impl<'a> From<&'a SignedOrder> for OrderView<'a> {
    fn from(s: &'a SignedOrder) -> Self {
        let o = &s.order;
        Self {
            chain_id: s.chain_id,
            verifying_contract: &s.verifying_contract,
            maker_token: &o.makerToken,
            taker_token: &o.takerToken,
            maker_amount: &o.makerAmount,
            taker_amount: &o.takerAmount,
            maker: &o.maker,
            taker: &o.taker,
            tx_origin: &o.txOrigin,
            pool: &o.pool,
            expiry: &o.expiry,
            salt: &o.salt,
            signature: &s.signature,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct QuoteView<'a> {
    quote_id: &'a Uuid,
    #[serde(serialize_with = "hex")]
    maker_asset_address: &'a alloy::primitives::Address,
    #[serde(serialize_with = "hex")]
    taker_asset_address: &'a alloy::primitives::Address,
    #[serde(serialize_with = "dec")]
    maker_asset_size: &'a alloy::primitives::U256,
    #[serde(serialize_with = "dec")]
    taker_asset_size: &'a alloy::primitives::U256,
    expiration: u64,
    server_time: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    order_hash: Option<Hex<'a, alloy::primitives::B256>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    order: Option<OrderView<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    validity_parameters: &'a [crate::api::ValidityParameter],
}

/// `dealer_getQuote`'s result: `[quote, tradeInfo, extra = null]`.
#[derive(Debug, Clone)]
pub(crate) struct QuoteReply(pub(crate) Quote);

impl Serialize for QuoteReply {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let q = &self.0;
        let quote = QuoteView {
            quote_id: &q.quote_id,
            maker_asset_address: &q.maker_asset,
            taker_asset_address: &q.taker_asset,
            maker_asset_size: &q.maker_size,
            taker_asset_size: &q.taker_size,
            expiration: q.expiration_ms,
            server_time: q.server_time_ms,
            order_hash: q.order.as_ref().map(|o| Hex(&o.hash)),
            order: q.order.as_ref().map(OrderView::from),
            validity_parameters: &q.validity,
        };
        (quote, TradeInfoView::from(&q.trade_info), ()).serialize(s)
    }
}

/// `dealer_getMarkets`' result: `[records, total, page, perPage]`, records borrowed from the
/// dealer's snapshot.
#[derive(Debug, Clone)]
pub(crate) struct MarketsReply {
    pub(crate) markets: Arc<[Market]>,
    /// Indices into `markets` of this page's records.
    pub(crate) page_records: Vec<usize>,
    pub(crate) total: usize,
    pub(crate) page: u64,
    pub(crate) per_page: u64,
}

struct Records<'a>(&'a MarketsReply);

impl Serialize for Records<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.page_records.len()))?;
        for &i in &self.0.page_records {
            seq.serialize_element(&MarketView::from(&self.0.markets[i]))?;
        }
        seq.end()
    }
}

impl Serialize for MarketsReply {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (Records(self), self.total, self.page, self.per_page).serialize(s)
    }
}

/// `dealer_getFillStatus`'s result and `dealer_fillStatus`'s notification:
/// `[quoteId, status, transactionHash, updatedAt, reason]`.
#[derive(Debug, Clone)]
pub(crate) struct FillStatusReply(pub(crate) FillState);

impl Serialize for FillStatusReply {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let f = &self.0;
        (
            &f.quote_id,
            &f.status,
            f.transaction_hash.as_ref().map(Hex),
            f.updated_at_ms,
            &f.reason,
        )
            .serialize(s)
    }
}

/// `dealer_submitFill`'s result: `[quoteId, transactionHash, submittedAt, extra]`, with
/// `extra.status` the fill's status then (`"fill submitted"`: in a block, not yet confirmed).
#[derive(Debug, Clone)]
pub(crate) struct FillReply(pub(crate) FillReceipt);

impl Serialize for FillReply {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = &self.0;
        let status = FillStatus::Submitted.as_str();
        (
            &r.quote_id,
            Hex(&r.transaction_hash),
            r.submitted_at_ms,
            serde_json::json!({ "status": status }),
        )
            .serialize(s)
    }
}
