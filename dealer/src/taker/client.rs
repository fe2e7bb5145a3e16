//! [`TakerClient`]: the taker's calls of the front door (JSON-RPC 2.0 over HTTP POST) and
//! their answers.

use alloy::primitives::{Address, B256};
use alloy::signers::SignerSync;
use alloy::sol_types::SolStruct;
use hedgeflow_proto::rfq::quote::{RfqFillApproval, domain};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use uuid::Uuid;

use super::checked_quote::recover;
use super::replies::{Envelope, FillStatusWire, FillWire, MarketWire, QuoteWire, TradeInfoWire};
use super::{TakerError, TakerQuote};
use crate::api::{FillState, Market, Signature, Size};

/// How long one call may take, connection included. Quotes live seconds, so a slower answer is
/// as good as none.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest reply read (a full `dealer_getMarkets` page is tens of KiB); a bigger one is
/// refused rather than buffered.
pub const MAX_REPLY_BYTES: usize = 1024 * 1024;

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
    /// `size` fixing one side in base units. The answer is checked (see the [`taker`](super)
    /// module docs).
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
