//! A taker's client for the Dealer JSON-RPC v1.0 front door (JSON-RPC 2.0 over HTTP POST).
//!
//! The flow: [`TakerClient::quote`] a firm quote (its order signed by the dealer),
//! [`TakerClient::approve`] it (the EIP-712 `RfqFillApproval(RfqOrder order)` signature that
//! `RfqSettlement` checks), then [`TakerClient::submit_fill`]. Replies are read with the front
//! door's own parsers ([`crate::rpc::params`]) into the dealer's own types ([`crate::api`]).
//!
//! A quote is checked before it is handed out, because approving it signs its whole order: the
//! order must be the one quoted (assets, amounts, taker, chain), `orderHash` must be its
//! EIP-712 digest and the dealer's signature must recover to the order's maker. Whether the
//! price is acceptable is the caller's decision.
//!
//! Every dealer refusal comes back as [`TakerError::Rpc`] with the spec's code, so a caller can
//! match, e.g., `Err(TakerError::Rpc { code: -42014, .. })` (quote expired).

use crate::api::{
    FillState, Market, Quote, QuoteInfo, RfqOrder, Signature, SignedOrder, Size, TradeInfo,
};
use crate::rpc::params::{parse_address, parse_amount, parse_hex_bytes, parse_uuid_v4};
use alloy::primitives::{Address, B256, FixedBytes, U256};
use alloy::signers::SignerSync;
use alloy::sol_types::SolStruct;
use hedgeflow_proto::rfq::{RfqFillApproval, domain};
use serde::de::{DeserializeOwned, Error as _, Unexpected};
use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use uuid::Uuid;

/// How long one call may take, connection included. Quotes live seconds, so a slower answer is
/// as good as none.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest reply read (a full `dealer_getMarkets` page is tens of KiB); a bigger one is
/// refused rather than buffered.
pub const MAX_REPLY_BYTES: usize = 1024 * 1024;

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum TakerError {
    /// The front door URL is not an `http` or `https` URL.
    #[error("invalid dealer URL {url:?}: {reason}")]
    Url { url: String, reason: String },
    /// The HTTP client cannot start (no TLS backend).
    #[error("cannot start the HTTP client: {0}")]
    Client(reqwest::Error),
    /// The request did not complete (connection, timeout, TLS).
    #[error("{method}: transport: {source}")]
    Transport {
        method: &'static str,
        source: reqwest::Error,
    },
    /// The server answered with an HTTP error instead of a JSON-RPC reply (e.g. 413 for a body
    /// over its limit, or a proxy's 5xx).
    #[error("{method}: HTTP status {status}")]
    Status {
        method: &'static str,
        status: reqwest::StatusCode,
    },
    /// The dealer refused the call: the JSON-RPC error, with the spec's code (-32602, -42001
    /// to -42024, ...).
    #[error("{method}: dealer error {code}: {message}")]
    Rpc {
        method: &'static str,
        code: i32,
        message: String,
        /// The error's optional `data`.
        data: Option<Value>,
    },
    /// The reply is not a JSON-RPC 2.0 reply in the spec's encodings.
    #[error("{method}: malformed reply: {reason}")]
    Reply {
        method: &'static str,
        reason: String,
    },
    /// The quote is not safe to approve (see the module docs).
    #[error("quote refused: {0}")]
    BadQuote(&'static str),
    /// The signer is not the quote's taker (its approval would be refused).
    #[error("the signer ({signer:?}) is not the quote's taker {taker}")]
    NotTheTaker {
        /// Who the approval recovers to (`None`: not a valid signature).
        signer: Option<Address>,
        taker: Address,
    },
    /// The signer failed.
    #[error("signing the approval failed: {0}")]
    Signing(#[from] alloy::signers::Error),
}

impl TakerError {
    /// The JSON-RPC error code, when the dealer refused the call.
    pub fn rpc_code(&self) -> Option<i32> {
        match self {
            Self::Rpc { code, .. } => Some(*code),
            _ => None,
        }
    }
}

/// `dealer_authStatus`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AuthStatus {
    /// Whether the taker is served.
    pub authorized: bool,
    /// `WHITELISTED`, `OPEN`, `BLACKLISTED` or `NOT_WHITELISTED`.
    pub reason: String,
}

/// Which markets to list, and which page (`None` = the dealer's default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MarketsQuery {
    /// Only markets with this maker asset.
    pub maker_asset: Option<Address>,
    /// Only markets taking this taker asset.
    pub taker_asset: Option<Address>,
    /// The page, from 0.
    pub page: Option<u64>,
    /// Markets per page.
    pub per_page: Option<u64>,
}

/// One page of `dealer_getMarkets`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketsPage {
    /// This page's markets.
    pub markets: Vec<Market>,
    /// How many markets match, over all pages.
    pub total: u64,
    /// The page served.
    pub page: u64,
    /// The page size served.
    pub per_page: u64,
}

/// A firm quote, checked (see the module docs): a [`Quote`] whose signed order is present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakerQuote {
    /// Invariant: `quote.order` is `Some` (checked by [`TakerQuote::checked`]).
    quote: Quote,
}

impl TakerQuote {
    /// The quote as the dealer answered it.
    pub fn quote(&self) -> &Quote {
        &self.quote
    }

    /// The dealer-signed order to approve.
    pub fn order(&self) -> &SignedOrder {
        self.quote
            .order
            .as_ref()
            .expect("a TakerQuote always has an order (checked when built)")
    }

    /// Refuse a quote that is not safe to approve for `taker`.
    fn checked(quote: Quote, taker: Address) -> Result<Self, TakerError> {
        let bad = |reason| Err(TakerError::BadQuote(reason));
        let Some(signed) = &quote.order else {
            return bad("no order in the quote");
        };
        let order = &signed.order;
        if (order.makerToken, order.takerToken) != (quote.maker_asset, quote.taker_asset) {
            return bad("the order's tokens are not the quoted assets");
        }
        if (U256::from(order.makerAmount), U256::from(order.takerAmount))
            != (quote.maker_size, quote.taker_size)
        {
            return bad("the order's amounts are not the quoted sizes");
        }
        if order.taker != taker {
            return bad("the order names another taker");
        }
        if signed.chain_id != quote.trade_info.chain_id {
            return bad("the order's chain is not the quote's");
        }
        let hash = order.eip712_signing_hash(&domain(signed.chain_id, signed.verifying_contract));
        if signed.hash != hash {
            return bad("orderHash is not the order's EIP-712 digest");
        }
        if recover(&signed.signature, &hash) != Some(order.maker) {
            return bad("the order's signature is not its maker's");
        }
        Ok(Self { quote })
    }
}

/// `dealer_submitFill`'s answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FillAck {
    /// The quote filled.
    pub quote_id: Uuid,
    /// The settlement transaction.
    pub transaction_hash: B256,
    /// Unix ms at which the dealer submitted it.
    pub submitted_at_ms: u64,
    /// The dealer's `extra` object (e.g. `{"status": "fill submitted"}`), `Null` when absent.
    pub extra: Value,
}

/// A client of one dealer's public front door.
#[derive(Debug)]
pub struct TakerClient {
    http: reqwest::Client,
    url: reqwest::Url,
    next_id: AtomicU64,
}

impl TakerClient {
    /// A client of the front door at `url` (e.g. `http://127.0.0.1:8547`), calls bounded by
    /// [`REQUEST_TIMEOUT`].
    pub fn new(url: &str) -> Result<Self, TakerError> {
        let invalid = |reason: String| TakerError::Url {
            url: url.to_owned(),
            reason,
        };
        let parsed = reqwest::Url::parse(url).map_err(|e| invalid(e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(invalid("not http or https".into()));
        }
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(TakerError::Client)?;
        Ok(Self {
            http,
            url: parsed,
            next_id: AtomicU64::new(1),
        })
    }

    /// `dealer_time`: the dealer's clock, unix ms.
    pub async fn time(&self) -> Result<u64, TakerError> {
        let (time,): (u64,) = self.call("dealer_time", json!([])).await?;
        Ok(time)
    }

    /// `dealer_authStatus`: whether `taker` is served. Spends one of its rate-limit tokens.
    pub async fn auth_status(&self, taker: Address) -> Result<AuthStatus, TakerError> {
        self.call("dealer_authStatus", json!([hex(&taker)])).await
    }

    /// `dealer_getMarkets`: one page of the markets matching `query`.
    pub async fn markets(&self, query: &MarketsQuery) -> Result<MarketsPage, TakerError> {
        let params = json!([
            query.maker_asset.as_ref().map(hex),
            query.taker_asset.as_ref().map(hex),
            query.page,
            query.per_page,
        ]);
        let (markets, total, page, per_page): (Vec<MarketWire>, u64, u64, u64) =
            self.call("dealer_getMarkets", params).await?;
        Ok(MarketsPage {
            markets: markets.into_iter().map(Market::from).collect(),
            total,
            page,
            per_page,
        })
    }

    /// `dealer_getQuote` with an order: `taker` receives `maker_asset` and pays `taker_asset`,
    /// `size` fixing one side in base units. The answer is checked (see the module docs).
    pub async fn quote(
        &self,
        maker_asset: Address,
        taker_asset: Address,
        size: Size,
        taker: Address,
    ) -> Result<TakerQuote, TakerError> {
        let (maker_size, taker_size) = match size {
            Size::MakerSize(s) => (Some(s.to_string()), None),
            Size::TakerSize(s) => (None, Some(s.to_string())),
        };
        let params = json!([
            hex(&maker_asset),
            hex(&taker_asset),
            maker_size,
            taker_size,
            hex(&taker),
            true,
        ]);
        let (quote, trade_info, _extra): (QuoteWire, TradeInfoWire, Value) =
            self.call("dealer_getQuote", params).await?;
        TakerQuote::checked(quote.into_quote(trade_info.into())?, taker)
    }

    /// The taker's approval of `quote`'s order: its EIP-712 `RfqFillApproval(RfqOrder order)`
    /// signature under the order's `RfqSettlement` domain, in the contract's `r ‖ s ‖ v` bytes.
    /// Refused unless `signer` is the order's taker.
    pub fn approve(
        &self,
        quote: &TakerQuote,
        signer: &impl SignerSync,
    ) -> Result<Signature, TakerError> {
        let signed = quote.order();
        let approval = RfqFillApproval {
            order: signed.order.clone(),
        };
        let domain = domain(signed.chain_id, signed.verifying_contract);
        let signature =
            Signature::from(signer.sign_typed_data_sync(&approval, &domain)?.as_bytes());
        // SignerSync does not tell its address: recover it, so a wrong key fails here rather
        // than as the dealer's -42020.
        let taker = signed.order.taker;
        let recovered = recover(&signature, &approval.eip712_signing_hash(&domain));
        if recovered != Some(taker) {
            return Err(TakerError::NotTheTaker {
                signer: recovered,
                taker,
            });
        }
        Ok(signature)
    }

    /// `dealer_submitFill`: request the fill of `quote` with the taker's `approval` (from
    /// [`TakerClient::approve`]) signed by `signer`. `data` is sent empty: the dealer's hot wallet
    /// builds the settlement transaction itself.
    pub async fn submit_fill(
        &self,
        quote: &TakerQuote,
        approval: &Signature,
        signer: Address,
    ) -> Result<FillAck, TakerError> {
        let signed = quote.order();
        let params = json!([
            quote.quote.quote_id,
            signed.order.salt.to_string(),
            hex(approval),
            hex(&signer),
            "0x",
            quote.quote.trade_info.gas_price.to_string(),
            signed.order.expiry,
        ]);
        let reply: FillWire = self.call("dealer_submitFill", params).await?;
        Ok(reply.into())
    }

    /// `dealer_getFillStatus` (the dealer's extension to the spec): where the fill of
    /// `quote_id` stands, with its settlement transaction once sent.
    pub async fn fill_status(&self, quote_id: Uuid) -> Result<FillState, TakerError> {
        let reply: FillStatusWire = self.call("dealer_getFillStatus", json!([quote_id])).await?;
        let FillStatusWire(quote_id, status, hash, updated_at_ms, reason) = reply;
        Ok(FillState {
            quote_id: quote_id.0,
            status,
            transaction_hash: hash.map(|h| h.0),
            reason,
            updated_at_ms,
        })
    }

    /// One JSON-RPC call: `params` positional, the result read as `T`.
    async fn call<T: DeserializeOwned>(
        &self,
        method: &'static str,
        params: Value,
    ) -> Result<T, TakerError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let transport = |source| TakerError::Transport { method, source };
        let mut response = self
            .http
            .post(self.url.clone())
            .json(&body)
            .send()
            .await
            .map_err(transport)?;
        // JSON-RPC errors come with 200; any other status is an HTTP-level refusal.
        let status = response.status();
        if !status.is_success() {
            return Err(TakerError::Status { method, status });
        }
        let malformed = |reason: String| TakerError::Reply { method, reason };
        let mut text = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if text.len() + chunk.len() > MAX_REPLY_BYTES {
                return Err(malformed(format!("larger than {MAX_REPLY_BYTES} bytes")));
            }
            text.extend_from_slice(&chunk);
        }
        let reply: Envelope<T> =
            serde_json::from_slice(&text).map_err(|e| malformed(e.to_string()))?;
        // An error is reported whatever its id: the server may not have read ours (-32700).
        if let Some(e) = reply.error {
            return Err(TakerError::Rpc {
                method,
                code: e.code,
                message: e.message,
                data: e.data,
            });
        }
        if reply.id != Some(id) {
            return Err(malformed(format!("id {:?}, expected {id}", reply.id)));
        }
        reply
            .result
            .ok_or_else(|| malformed("neither result nor error".into()))
    }
}

/// The spec's encoding of addresses and bytes: `0x` lowercase hex.
fn hex<T: std::fmt::LowerHex>(value: &T) -> String {
    format!("{value:#x}")
}

/// Who signed `hash`, if `signature` is a valid `r ‖ s ‖ v` signature.
fn recover(signature: &Signature, hash: &B256) -> Option<Address> {
    alloy::primitives::Signature::from_raw(signature.as_slice())
        .ok()?
        .recover_address_from_prehash(hash)
        .ok()
}

// ---------------------------------------------------------------- replies

/// A JSON-RPC 2.0 reply (missing members read as `None`).
#[derive(Deserialize)]
struct Envelope<T> {
    id: Option<u64>,
    result: Option<T>,
    error: Option<ErrorObject>,
}

#[derive(Deserialize)]
struct ErrorObject {
    code: i32,
    message: String,
    data: Option<Value>,
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
struct Hex<const N: usize>(FixedBytes<N>);

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
struct QuoteId(Uuid);

impl<'de> Deserialize<'de> for QuoteId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        parsed(d, parse_uuid_v4, "a v4 UUID").map(Self)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TradeInfoWire {
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
struct MarketWire {
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
struct QuoteWire {
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
    fn into_quote(self, trade_info: TradeInfo) -> Result<Quote, TakerError> {
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
struct FillStatusWire(QuoteId, String, Option<Hex<32>>, u64, Option<String>);

/// `[quoteId, transactionHash, submittedAt, extra?]`.
#[derive(Deserialize)]
struct FillWire(QuoteId, Hex<32>, u64, #[serde(default)] Value);

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
