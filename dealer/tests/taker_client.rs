//! The taker client against the real front door over HTTP, with the recording `Dealer` behind
//! it: what the client reads is what the dealer produced, what it sends is what a fill needs,
//! and quotes that are unsafe to approve never reach the caller.

#![allow(clippy::too_many_lines, reason = "a test reads as one story")]

mod common;

use alloy::primitives::{Address, B256, Bytes, FixedBytes, U256};
use alloy::signers::SignerSync;
use alloy::signers::local::PrivateKeySigner;
use alloy::sol_types::SolStruct;
use common::{CHAIN_ID, Call, Recording, SETTLEMENT, USDC, WETH, addr, limit, test_markets};
use hedgeflow_dealer::api::{
    Dealer, FillError, FillReceipt, FillRequest, FillState, Market, Quote, QuoteError,
    QuoteRequest, SignedOrder, Size,
};
use hedgeflow_dealer::profiler::Profiler;
use hedgeflow_dealer::rpc::{self, RunningServer};
use hedgeflow_dealer::taker::{FillAck, MarketsQuery, TakerClient, TakerError};
use hedgeflow_proto::rfq::quote::{RfqFillApproval, domain};
use serde_json::json;
use std::sync::Arc;

/// The taker's key: anvil's public development account #1.
const TAKER_KEY: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const ONE_WETH: u64 = 1_000_000_000_000_000_000;

fn taker() -> PrivateKeySigner {
    TAKER_KEY.parse().unwrap()
}

/// The public front door over `dealer`, and a client of it.
async fn serve(dealer: Arc<dyn Dealer>) -> (RunningServer, TakerClient) {
    let profiler = Arc::new(Profiler::new([], [], limit(1000, 1000)));
    let server = rpc::serve("127.0.0.1:0".parse().unwrap(), dealer, profiler)
        .await
        .unwrap();
    let client = TakerClient::new(&format!("http://{}", server.local_addr)).unwrap();
    (server, client)
}

fn signed(quote: &Quote) -> &SignedOrder {
    quote.order.as_ref().unwrap()
}

#[tokio::test]
async fn a_taker_quotes_approves_and_fills() {
    let dealer = Arc::new(Recording::default());
    let (_server, client) = serve(dealer.clone()).await;
    let taker = taker();

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    assert!(client.time().await.unwrap().abs_diff(now) < 60_000);

    let status = client.auth_status(taker.address()).await.unwrap();
    assert!(status.authorized);
    assert_eq!(status.reason, "OPEN");

    let all = client.markets(&MarketsQuery::default()).await.unwrap();
    assert_eq!(all.markets, test_markets().to_vec());
    assert_eq!((all.total, all.page, all.per_page), (3, 0, 20));
    let query = MarketsQuery {
        taker_asset: Some(addr(WETH)),
        page: Some(1),
        per_page: Some(1),
        ..MarketsQuery::default()
    };
    let page = client.markets(&query).await.unwrap();
    let expected: Vec<Market> = test_markets()[2..].to_vec();
    assert_eq!(page.markets, expected);
    assert_eq!((page.total, page.page, page.per_page), (2, 1, 1));

    // The quote read is exactly the quote the dealer produced, asked for as requested.
    let quote = client
        .quote(
            addr(WETH),
            addr(USDC),
            Size::MakerSize(U256::from(ONE_WETH)),
            taker.address(),
        )
        .await
        .unwrap();
    let produced = dealer.quotes();
    assert_eq!(quote.quote(), &produced[0]);
    let calls = dealer.calls();
    let [Call::Quote(request)] = calls.as_slice() else {
        panic!("{calls:?}")
    };
    assert_eq!(
        request,
        &QuoteRequest {
            maker_asset: addr(WETH),
            taker_asset: addr(USDC),
            size: Size::MakerSize(U256::from(ONE_WETH)),
            taker: taker.address(),
            include_order: true,
        }
    );

    // The approval is the taker's RfqFillApproval of that order under the settlement's domain,
    // with v in {27, 28} as RfqSettlement reads it.
    let approval = client.approve(&quote, &taker).unwrap();
    let digest = RfqFillApproval {
        order: signed(&produced[0]).order.clone(),
    }
    .eip712_signing_hash(&domain(CHAIN_ID, SETTLEMENT));
    let recovered = alloy::primitives::Signature::from_raw(approval.as_slice())
        .unwrap()
        .recover_address_from_prehash(&digest)
        .unwrap();
    assert_eq!(recovered, taker.address());
    assert!(matches!(approval[64], 27 | 28));

    // Another key's approval would be refused by the dealer: the client refuses it first.
    let stranger = PrivateKeySigner::random();
    let error = client.approve(&quote, &stranger).unwrap_err();
    assert!(
        matches!(error, TakerError::NotTheTaker { signer, taker: t }
            if signer == Some(stranger.address()) && t == taker.address()),
        "{error}"
    );

    // The fill carries what the dealer checks against its stored quote.
    let ack = client
        .submit_fill(&quote, &approval, taker.address())
        .await
        .unwrap();
    let order = &signed(&produced[0]).order;
    assert_eq!(
        dealer.calls().last().cloned().map(|c| match c {
            Call::Fill(fill) => fill,
            other => panic!("{other:?}"),
        }),
        Some(FillRequest {
            quote_id: produced[0].quote_id,
            salt: order.salt,
            taker_signature: approval,
            signer: taker.address(),
            data: Bytes::new(),
            gas_price: produced[0].trade_info.gas_price,
            expiration_time_seconds: order.expiry,
        })
    );
    assert_eq!(
        ack,
        FillAck {
            quote_id: produced[0].quote_id,
            transaction_hash: B256::repeat_byte(0x5A),
            submitted_at_ms: 1_800_000_000_123,
            extra: json!({"status": "fill submitted"}),
        }
    );
}

#[tokio::test]
async fn refusals_reach_the_taker_with_their_codes() {
    let dealer = Arc::new(Recording::default());
    let (_server, client) = serve(dealer.clone()).await;
    let taker = taker();
    let weth_for_usdc = |size: u64| {
        client.quote(
            addr(WETH),
            addr(USDC),
            Size::MakerSize(U256::from(size)),
            taker.address(),
        )
    };

    // the dealer's own refusal of a fill
    let quote = weth_for_usdc(ONE_WETH).await.unwrap();
    let approval = client.approve(&quote, &taker).unwrap();
    dealer
        .fill_errors
        .lock()
        .unwrap()
        .insert(quote.quote().quote_id, FillError::Expired);
    let error = client
        .submit_fill(&quote, &approval, taker.address())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, TakerError::Rpc { method: "dealer_submitFill", code: -42014, message, .. }
            if message == "quote expired"),
        "{error}"
    );
    assert_eq!(error.rpc_code(), Some(FillError::Expired.code()));

    // the front door's refusals (below the market minimum, unsupported market), and the
    // dealer's refusal of a quote
    let too_small = weth_for_usdc(999).await.unwrap_err();
    assert_eq!(too_small.rpc_code(), Some(-42012), "{too_small}");
    let unsupported = client
        .quote(
            addr(USDC),
            addr(common::DAI),
            Size::MakerSize(U256::from(ONE_WETH)),
            taker.address(),
        )
        .await
        .unwrap_err();
    assert_eq!(unsupported.rpc_code(), Some(-42009), "{unsupported}");
    *dealer.quote_error.lock().unwrap() = Some(QuoteError::Unavailable("halted".into()));
    let unavailable = weth_for_usdc(ONE_WETH).await.unwrap_err();
    assert_eq!(unavailable.rpc_code(), Some(-42013), "{unavailable}");

    // no dealer at all, and a URL that is not http
    let gone = TakerClient::new("http://127.0.0.1:1").unwrap();
    assert!(matches!(
        gone.time().await,
        Err(TakerError::Transport {
            method: "dealer_time",
            ..
        })
    ));
    assert!(matches!(
        TakerClient::new("ftp://127.0.0.1:8547"),
        Err(TakerError::Url { .. })
    ));
}

/// Alters a quote; given the maker key to sign it again.
type Tamper = fn(&mut Quote, &PrivateKeySigner);

/// The recording dealer with each quote altered by `tamper`.
struct Tampering {
    inner: Recording,
    tamper: Tamper,
}

#[async_trait::async_trait]
impl Dealer for Tampering {
    fn chain_id(&self) -> u64 {
        self.inner.chain_id()
    }

    fn markets(&self) -> Arc<[Market]> {
        self.inner.markets()
    }

    async fn quote(&self, request: QuoteRequest) -> Result<Quote, QuoteError> {
        let mut quote = self.inner.quote(request).await?;
        (self.tamper)(&mut quote, &self.inner.maker);
        Ok(quote)
    }

    async fn submit_fill(&self, request: FillRequest) -> Result<FillReceipt, FillError> {
        self.inner.submit_fill(request).await
    }

    async fn fill_status(&self, quote_id: uuid::Uuid) -> Result<FillState, FillError> {
        self.inner.fill_status(quote_id).await
    }
}

/// Hash and sign the order again as `signer`, so only the tampered field is wrong.
fn resign(quote: &mut Quote, signer: &PrivateKeySigner) {
    let signed = quote.order.as_mut().unwrap();
    signed.hash = signed
        .order
        .eip712_signing_hash(&domain(signed.chain_id, signed.verifying_contract));
    signed.signature = signer
        .sign_hash_sync(&signed.hash)
        .unwrap()
        .as_bytes()
        .into();
}

fn order_of(quote: &mut Quote) -> &mut SignedOrder {
    quote.order.as_mut().unwrap()
}

#[tokio::test]
async fn quotes_unsafe_to_approve_are_refused() {
    let cases: [(&str, Tamper, &str); 8] = [
        ("no order", |q, _| q.order = None, "no order"),
        (
            "another taker",
            |q, m| {
                order_of(q).order.taker = Address::repeat_byte(7);
                resign(q, m);
            },
            "another taker",
        ),
        (
            "more to pay than quoted",
            |q, m| {
                order_of(q).order.takerAmount += 1;
                resign(q, m);
            },
            "amounts",
        ),
        (
            "another token",
            |q, m| {
                order_of(q).order.makerToken = Address::repeat_byte(7);
                resign(q, m);
            },
            "tokens",
        ),
        (
            "another chain",
            |q, m| {
                order_of(q).chain_id = 1;
                resign(q, m);
            },
            "chain",
        ),
        (
            "a hash that is not the order's",
            |q, _| order_of(q).order.salt += U256::from(1),
            "orderHash",
        ),
        (
            "signed by someone else",
            |q, _| resign(q, &PrivateKeySigner::random()),
            "signature",
        ),
        (
            "not a signature",
            |q, _| order_of(q).signature = FixedBytes::repeat_byte(0x1b),
            "signature",
        ),
    ];
    for (name, tamper, reason) in cases {
        let dealer = Arc::new(Tampering {
            inner: Recording::default(),
            tamper,
        });
        let (_server, client) = serve(dealer).await;
        let result = client
            .quote(
                addr(WETH),
                addr(USDC),
                Size::MakerSize(U256::from(ONE_WETH)),
                taker().address(),
            )
            .await;
        assert!(
            matches!(&result, Err(TakerError::BadQuote(why)) if why.contains(reason)),
            "{name}: {result:?}"
        );
    }
}
