//! The front door's replies as the taker reads them: JSON-RPC envelopes and the spec's
//! encodings, parsed with the front door's own parsers into the dealer's types.

use alloy::primitives::{Address, FixedBytes, U256};
use serde::de::{Error as _, Unexpected};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use uuid::Uuid;

use super::{FillAck, TakerError};
use crate::api::{Market, Quote, QuoteInfo, RfqOrder, SignedOrder, TradeInfo};
use crate::rpc::params::{parse_address, parse_amount, parse_hex_bytes, parse_uuid_v4};

/// A JSON-RPC 2.0 reply (missing members read as `None`).
#[derive(Deserialize)]
pub(super) struct Envelope<T> {
    pub(super) id: Option<u64>,
    pub(super) result: Option<T>,
    pub(super) error: Option<ErrorObject>,
}

#[derive(Deserialize)]
pub(super) struct ErrorObject {
    pub(super) code: i32,
    pub(super) message: String,
    pub(super) data: Option<Value>,
}

/// A String read with one of the front door's parsers.
fn parsed<'de, D, T>(
    d: D,
    parse: impl FnOnce(&str) -> Option<T>,
    expected: &'static str,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    let text = String::deserialize(d)?;
    parse(&text).ok_or_else(|| D::Error::invalid_value(Unexpected::Str(&text), &expected))
}

/// `0x` hex address.
struct Addr(Address);

impl<'de> Deserialize<'de> for Addr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        parsed(d, parse_address, "a 0x-prefixed 20-byte hex address").map(Self)
    }
}

/// Base units as a decimal String.
struct Amount(U256);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        parsed(d, |t| parse_amount(t).ok(), "a base-10 uint256 String").map(Self)
    }
}

/// Base units as a decimal String, at most `T::MAX` (the order's `uint128` and `uint64` fields).
struct Narrow<T>(T);

impl<'de, T: TryFrom<U256>> Deserialize<'de> for Narrow<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        parsed(
            d,
            |t| T::try_from(parse_amount(t).ok()?).ok(),
            "a base-10 integer String in the field's range",
        )
        .map(Self)
    }
}

/// `0x` hex of exactly `N` bytes.
pub(super) struct Hex<const N: usize>(pub(super) FixedBytes<N>);

impl<'de, const N: usize> Deserialize<'de> for Hex<N> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        parsed(
            d,
            |t| FixedBytes::try_from(parse_hex_bytes(t)?.as_ref()).ok(),
            "0x hex of the field's length",
        )
        .map(Self)
    }
}

/// A hyphenated v4 UUID.
pub(super) struct QuoteId(pub(super) Uuid);

impl<'de> Deserialize<'de> for QuoteId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        parsed(d, parse_uuid_v4, "a v4 UUID").map(Self)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TradeInfoWire {
    chain_id: u64,
    gas_limit: Amount,
    gas_price: Amount,
}

impl From<TradeInfoWire> for TradeInfo {
    fn from(t: TradeInfoWire) -> Self {
        Self {
            chain_id: t.chain_id,
            gas_limit: t.gas_limit.0,
            gas_price: t.gas_price.0,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QuoteInfoWire {
    min_size: Amount,
    max_size: Amount,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MarketWire {
    maker_asset_address: Addr,
    taker_asset_addresses: Vec<Addr>,
    trade_info: TradeInfoWire,
    quote_info: QuoteInfoWire,
}

impl From<MarketWire> for Market {
    fn from(m: MarketWire) -> Self {
        Self {
            maker_asset: m.maker_asset_address.0,
            taker_assets: m.taker_asset_addresses.into_iter().map(|a| a.0).collect(),
            trade_info: m.trade_info.into(),
            quote_info: QuoteInfo {
                min_size: m.quote_info.min_size.0,
                max_size: m.quote_info.max_size.0,
            },
        }
    }
}

/// Our `order` object: `RfqSettlement`'s `RfqOrder`, its domain and the maker's signature.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderWire {
    chain_id: u64,
    verifying_contract: Addr,
    maker_token: Addr,
    taker_token: Addr,
    maker_amount: Narrow<u128>,
    taker_amount: Narrow<u128>,
    maker: Addr,
    taker: Addr,
    tx_origin: Addr,
    pool: Hex<32>,
    expiry: Narrow<u64>,
    salt: Amount,
    signature: Hex<65>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct QuoteWire {
    quote_id: QuoteId,
    maker_asset_address: Addr,
    taker_asset_address: Addr,
    maker_asset_size: Amount,
    taker_asset_size: Amount,
    expiration: u64,
    server_time: u64,
    order_hash: Option<Hex<32>>,
    order: Option<OrderWire>,
    #[serde(default)]
    validity_parameters: Vec<crate::api::ValidityParameter>,
}

impl QuoteWire {
    pub(super) fn into_quote(self, trade_info: TradeInfo) -> Result<Quote, TakerError> {
        let order = match (self.order, self.order_hash) {
            (None, _) => None,
            (Some(_), None) => return Err(TakerError::BadQuote("an order without orderHash")),
            (Some(o), Some(hash)) => Some(SignedOrder {
                order: RfqOrder {
                    makerToken: o.maker_token.0,
                    takerToken: o.taker_token.0,
                    makerAmount: o.maker_amount.0,
                    takerAmount: o.taker_amount.0,
                    maker: o.maker.0,
                    taker: o.taker.0,
                    txOrigin: o.tx_origin.0,
                    pool: o.pool.0,
                    expiry: o.expiry.0,
                    salt: o.salt.0,
                },
                hash: hash.0,
                chain_id: o.chain_id,
                verifying_contract: o.verifying_contract.0,
                signature: o.signature.0,
            }),
        };
        Ok(Quote {
            quote_id: self.quote_id.0,
            maker_asset: self.maker_asset_address.0,
            taker_asset: self.taker_asset_address.0,
            maker_size: self.maker_asset_size.0,
            taker_size: self.taker_asset_size.0,
            expiration_ms: self.expiration,
            server_time_ms: self.server_time,
            order,
            trade_info,
            validity: self.validity_parameters,
        })
    }
}

/// `[quoteId, status, transactionHash, updatedAt, reason]`.
#[derive(Deserialize)]
pub(super) struct FillStatusWire(
    pub(super) QuoteId,
    pub(super) String,
    pub(super) Option<Hex<32>>,
    pub(super) u64,
    pub(super) Option<String>,
);

/// `[quoteId, transactionHash, submittedAt, extra?]`.
#[derive(Deserialize)]
pub(super) struct FillWire(QuoteId, Hex<32>, u64, #[serde(default)] Value);

impl From<FillWire> for FillAck {
    fn from(FillWire(quote_id, hash, submitted_at_ms, extra): FillWire) -> Self {
        Self {
            quote_id: quote_id.0,
            transaction_hash: hash.0,
            submitted_at_ms,
            extra,
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::B256;
    use serde_json::json;

    const ID: &str = "bafa9565-598d-413a-80d3-7ec3b7e24a08";

    fn fill(reply: Value) -> Result<FillAck, serde_json::Error> {
        serde_json::from_value::<FillWire>(reply).map(FillAck::from)
    }

    #[test]
    fn fill_replies() {
        let hash = format!("0x{}", "5a".repeat(32));
        let sent =
            fill(json!([ID, hash, 1_800_000_000_123u64, {"status": "fill submitted"}])).unwrap();
        assert_eq!(sent.quote_id, Uuid::parse_str(ID).unwrap());
        assert_eq!(sent.transaction_hash, B256::repeat_byte(0x5a));
        assert_eq!(sent.submitted_at_ms, 1_800_000_000_123);
        assert_eq!(sent.extra, json!({"status": "fill submitted"}));
        // a hash is required
        assert!(fill(json!([ID, null, 1u64])).is_err());
        // the spec makes `extra` optional
        assert_eq!(fill(json!([ID, hash, 1u64])).unwrap().extra, Value::Null);

        for bad in [
            json!(["not-a-uuid", null, 1u64]),
            json!([ID, "0x5a", 1u64]),
            json!([ID, null, "1"]),
            json!([ID, null]),
            json!({"quoteId": ID}),
        ] {
            assert!(fill(bad.clone()).is_err(), "{bad}");
        }
    }

    #[test]
    fn narrow_amounts() {
        let read = |v: Value| serde_json::from_value::<Narrow<u64>>(v).map(|n| n.0);
        assert_eq!(read(json!("1900000000")).unwrap(), 1_900_000_000);
        assert_eq!(read(json!(u64::MAX.to_string())).unwrap(), u64::MAX);
        for bad in [
            json!("18446744073709551616"),
            json!(1900000000),
            json!("01"),
        ] {
            assert!(read(bad.clone()).is_err(), "{bad}");
        }
    }
}
