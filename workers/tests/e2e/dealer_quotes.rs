//! The dealer's quote path end to end, every neighbour real and in-process or local: a paper
//! exchange, the order book manager over it (gRPC), an anvil chain with `RfqSettlement` and two
//! `TestToken`s, the hot wallet's `QuoteSigner` (gRPC) holding the dev key, and
//! `hedgeflow_dealer::service::QuoteService` configured from TOML. A signed quote is then filled
//! on chain exactly as the hot wallet would submit it, which proves the order, its amounts and
//! its signature are what `RfqSettlement` accepts.
//!
//! The second test puts the real front door and the database store in front of it, as the
//! `dealer` role runs them.
//!
//! It lives here rather than in `dealer/tests/` because it needs the hot wallet
//! (`hedgeflow-activities`) and the anvil launcher (`hedgeflow::dev`), which the dealer crate
//! must not depend on.

use crate::rfq_stack;

use alloy::{
    primitives::{Address, U256},
    signers::SignerSync,
    sol_types::SolStruct,
};
use hedgeflow_activities::store::dealer::StoredQuotes;
use hedgeflow_activities::store::{Store, entity::rfq_quote};
use hedgeflow_dealer::api::{Dealer, FillRequest, QuoteError, QuoteRequest, Size};
use hedgeflow_dealer::maker::MarketView;
use hedgeflow_dealer::rpc::{FrontDoor, FrontDoorConfig, SecretSource};
use hedgeflow_dealer::service::{MemoryQuoteStore, QuoteService, QuoteStore};
use hedgeflow_dealer::taker::TakerClient;
use hedgeflow_proto::rfq::quote::RfqFillApproval;
use rfq_stack::contract_chain::mined;
use rfq_stack::{HOT_WALLET, RfqChain, SettleOnChain, TAKER, USDC, WETH, obm, onchain, ready};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::sync::Arc;
use std::time::Duration;

const CHAIN_ID: u64 = 41352;

fn request(chain: &RfqChain, maker: Address, taker: Address, size: Size) -> QuoteRequest {
    QuoteRequest {
        maker_asset: maker,
        taker_asset: taker,
        size,
        taker: chain.account(TAKER),
        include_order: true,
    }
}

#[tokio::test]
async fn the_dealer_prices_from_live_books_signs_with_the_hot_wallet_and_the_order_fills() {
    let chain = RfqChain::start("dealer-quotes", CHAIN_ID).await;
    let (obm, signer) = (
        obm().await,
        chain.quote_signer(Duration::from_secs(60)).await,
    );
    let settings = chain.dealer_config(&obm, &signer).settings().unwrap();
    let store = Arc::new(MemoryQuoteStore::new());
    let dealer = QuoteService::start(settings, store.clone(), SettleOnChain::new(&chain)).unwrap();
    ready(&dealer).await;
    let (weth, usdc) = (*chain.weth.address(), *chain.usdc.address());
    assert_eq!(dealer.chain_id(), CHAIN_ID);
    assert_eq!(dealer.markets().len(), 2);

    // The taker buys exactly 1 WETH.
    let quote = dealer
        .quote(request(
            &chain,
            weth,
            usdc,
            Size::MakerSize(U256::from(WETH)),
        ))
        .await
        .unwrap();
    let book = dealer.market_data().book("ETHUSDT").unwrap().clone();
    let ask_usdc = book.best_ask().unwrap() * Decimal::from(USDC);
    assert_eq!(quote.maker_size, U256::from(WETH));
    assert!(
        quote.taker_size > U256::from(u128::try_from(ask_usdc.trunc().mantissa()).unwrap()),
        "pays {} for 1 WETH, best ask {}",
        quote.taker_size,
        book.best_ask().unwrap()
    );
    let signed = quote.order.clone().unwrap();
    let order = &signed.order;
    let hot_wallet = chain.account(HOT_WALLET);
    assert_eq!((order.maker, order.txOrigin), (hot_wallet, hot_wallet));
    assert_eq!(order.taker, chain.account(TAKER));
    assert_eq!((order.makerToken, order.takerToken), (weth, usdc));
    assert_eq!(U256::from(order.takerAmount), quote.taker_size);
    assert_eq!(order.expiry * 1000, quote.expiration_ms);
    assert!(quote.expiration_ms > quote.server_time_ms + 8_000);
    assert_eq!(
        (signed.chain_id, signed.verifying_contract),
        (CHAIN_ID, *chain.settlement.address())
    );
    // Stored before it was served, with what it was priced from.
    let record = store.get(quote.quote_id).await.unwrap().unwrap();
    assert_eq!(record.order, signed);
    assert_eq!(
        (record.maker_size, record.taker_size),
        (quote.maker_size, quote.taker_size)
    );
    assert_eq!(record.requested, Size::MakerSize(U256::from(WETH)));
    assert_eq!(record.priced.inputs.books[0].symbol, "ETHUSDT");
    assert!(record.priced.inputs.books[0].snapshot_id > 0);
    assert_eq!(record.priced.inputs.premium_bps, Decimal::from(5));
    assert!(record.priced.inputs.volatility >= Decimal::ZERO);
    let hash = chain
        .settlement
        .getRfqOrderHash(onchain(order))
        .call()
        .await
        .unwrap();
    assert_eq!(hash, signed.hash);

    // Filled on chain as the hot wallet submits it: the signature is the hot wallet's.
    let approval = RfqFillApproval {
        order: order.clone(),
    };
    let domain = hedgeflow_proto::rfq::quote::domain(CHAIN_ID, *chain.settlement.address());
    let taker_signature = chain
        .signer(TAKER)
        .sign_hash_sync(&approval.eip712_signing_hash(&domain))
        .unwrap();
    let before = chain.balances(TAKER).await;
    mined(
        chain
            .settlement
            .fillRfqOrder(
                onchain(order),
                signed.signature.to_vec().into(),
                taker_signature.as_bytes().to_vec().into(),
            )
            .from(hot_wallet),
    )
    .await;
    let after = chain.balances(TAKER).await;
    assert_eq!(after.0, before.0 + U256::from(WETH));
    assert_eq!(after.1, before.1 - quote.taker_size);

    // The taker sells WETH for exactly 1,000 USDC: it pays WETH, rounded up.
    let quote = dealer
        .quote(request(
            &chain,
            usdc,
            weth,
            Size::MakerSize(U256::from(1_000 * USDC)),
        ))
        .await
        .unwrap();
    let order = &quote.order.as_ref().unwrap().order;
    assert_eq!((order.makerToken, order.takerToken), (usdc, weth));
    assert_eq!(order.makerAmount, 1_000 * USDC);
    let bid = book.best_bid().unwrap();
    assert!(
        quote.taker_size
            > U256::from(WETH) * U256::from(1_000u64)
                / U256::from(bid.trunc().mantissa().unsigned_abs() + 1),
        "pays {} wei of WETH for 1,000 USDC at bid {bid}",
        quote.taker_size
    );

    // An indicative quote is priced but not signed, and reserves nothing.
    let mut indicative = request(&chain, weth, usdc, Size::TakerSize(U256::from(500 * USDC)));
    indicative.include_order = false;
    let quote = dealer.quote(indicative).await.unwrap();
    assert!(quote.order.is_none());
    assert!(store.get(quote.quote_id).await.unwrap().is_none());
    assert!(quote.maker_size > U256::ZERO && quote.taker_size == U256::from(500 * USDC));

    // Refusals keep the spec's codes: above the market maximum, an unknown pair, and the WETH
    // exposure cap (3) with 1 WETH still reserved by the first quote.
    let refuse = |size: u128, maker: Address, taker: Address| {
        dealer.quote(request(
            &chain,
            maker,
            taker,
            Size::MakerSize(U256::from(size)),
        ))
    };
    let too_large = refuse(6 * WETH, weth, usdc).await.unwrap_err();
    assert_eq!(too_large.code(), -42011, "{too_large}");
    assert_eq!(
        refuse(WETH, weth, weth).await.unwrap_err(),
        QuoteError::UnsupportedMarket
    );
    let capped = refuse(5 * WETH / 2, weth, usdc).await.unwrap_err();
    assert_eq!(capped.code(), -42013, "{capped}");
    let within = refuse(WETH, weth, usdc).await.unwrap();
    assert!(within.order.is_some());
    // Three signed quotes served, three stored; refusals and indicative quotes leave no record.
    assert_eq!(store.len(), 3);
    assert_eq!(dealer.pending_exposure("WETH"), Decimal::from(2));
    assert_eq!(dealer.pending_exposure("USDC"), Decimal::from(1_000));

    // A hot wallet that refuses to sign (its horizon is shorter than the quote TTL): the quote is
    // unavailable, its reservation released, nothing stored.
    let strict = chain.quote_signer(Duration::from_secs(5)).await;
    let settings = chain.dealer_config(&obm, &strict).settings().unwrap();
    let strict_store = Arc::new(MemoryQuoteStore::new());
    let refusing =
        QuoteService::start(settings, strict_store.clone(), SettleOnChain::new(&chain)).unwrap();
    ready(&refusing).await;
    let refused = refusing
        .quote(request(
            &chain,
            weth,
            usdc,
            Size::MakerSize(U256::from(WETH)),
        ))
        .await
        .unwrap_err();
    assert_eq!(refused, QuoteError::Unavailable("signer".into()));
    assert_eq!(refusing.pending_exposure("WETH"), Decimal::ZERO);
    assert!(strict_store.is_empty());
}

/// The front door over the real dealer and the database: a taker quotes, approves and submits
/// the fill through `TakerClient`; the quote row holds the request, the price inputs and the
/// signature before the quote is served, and the fill request after; every refusal leaves the
/// rows as they were. A second dealer on the same database (a restart, or another replica)
/// knows the quotes of the first.
#[tokio::test]
async fn the_front_door_stores_quotes_and_validates_fills_against_them() {
    let chain = RfqChain::start("dealer-front-door", CHAIN_ID).await;
    let (obm, signer) = (
        obm().await,
        chain.quote_signer(Duration::from_secs(60)).await,
    );
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("dealer.db").display()
    );
    let store = Store::connect(&url).await.unwrap();
    let settlement = SettleOnChain::new(&chain);
    let start_dealer = || async {
        let settings = chain.dealer_config(&obm, &signer).settings().unwrap();
        let quotes = Arc::new(StoredQuotes::new(store.clone()));
        let dealer = QuoteService::start(settings, quotes, settlement.clone()).unwrap();
        ready(&dealer).await;
        Arc::new(dealer)
    };
    let dealer = start_dealer().await;
    let token = dir.path().join("admin-token");
    std::fs::write(&token, "front-door-test-admin-token").unwrap();
    let config = FrontDoorConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        admin_listen: "127.0.0.1:0".parse().unwrap(),
        admin_token: SecretSource::File(token),
        rate_limit: Default::default(),
        // The test raises the per-taker limit later; the ceiling and the per-source limit (every
        // request here comes from loopback) stay out of its way.
        ceiling: hedgeflow_dealer::profiler::RateLimit::new(
            std::num::NonZeroU32::new(1_000).unwrap(),
            std::num::NonZeroU32::new(1_000).unwrap(),
        ),
        per_source: hedgeflow_dealer::profiler::RateLimit::new(
            std::num::NonZeroU32::new(1_000).unwrap(),
            std::num::NonZeroU32::new(1_000).unwrap(),
        ),
        api_keys: None,
        allow: vec![],
        deny: vec![],
    };
    let front_door = FrontDoor::start(&config, dealer.clone()).await.unwrap();
    let client = TakerClient::new(&format!("http://{}", front_door.public.local_addr)).unwrap();
    let (weth, usdc) = (*chain.weth.address(), *chain.usdc.address());
    let taker = chain.account(TAKER);
    let rows = || async { rfq_quote::Entity::find().all(&store.db).await.unwrap() };

    // Refused quotes store nothing: the dealer's own refusals, and the door's (which never
    // reach the dealer), each a JSON-RPC error with its code.
    let too_large = client
        .quote(weth, usdc, Size::MakerSize(U256::from(6 * WETH)), taker)
        .await
        .unwrap_err();
    assert_eq!(too_large.rpc_code(), Some(-42011), "{too_large}");
    let http = reqwest::Client::new();
    let endpoint = format!("http://{}", front_door.public.local_addr);
    let (w, u, t) = (weth.to_string(), usdc.to_string(), taker.to_string());
    // A token address no market trades.
    let s = chain.settlement.address().to_string();
    let get_quote = |params: serde_json::Value| {
        serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "dealer_getQuote", "params": params})
            .to_string()
    };
    let huge = U256::MAX.to_string() + "0";
    let bad = [
        (
            "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\"".to_owned(),
            -32700,
        ),
        (
            get_quote(serde_json::json!([w, u, "1000", "1000", t])),
            -42005,
        ),
        (get_quote(serde_json::json!([w, u, "0", null, t])), -32602),
        (get_quote(serde_json::json!([w, u, "-5", null, t])), -32602),
        (get_quote(serde_json::json!([w, u, huge, null, t])), -32602),
        (get_quote(serde_json::json!([w, u, 1000, null, t])), -32602),
        (
            get_quote(serde_json::json!([w, w, "1000", null, t])),
            -42004,
        ),
        (
            get_quote(serde_json::json!([w, s, "1000", null, t])),
            -42009,
        ),
    ];
    for (body, code) in bad {
        let reply: serde_json::Value = http
            .post(&endpoint)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(reply["error"]["code"], code, "{body}: {reply}");
    }
    front_door.profiler.deny(chain.account(HOT_WALLET));
    let denied = client
        .quote(
            weth,
            usdc,
            Size::MakerSize(U256::from(WETH)),
            chain.account(HOT_WALLET),
        )
        .await
        .unwrap_err();
    assert_eq!(denied.rpc_code(), Some(-42006), "{denied}");
    assert!(rows().await.is_empty());

    // A served quote is a row: request, price inputs, the order as signed.
    let quote = client
        .quote(weth, usdc, Size::MakerSize(U256::from(WETH)), taker)
        .await
        .unwrap();
    let served = quote.quote().clone();
    let row = store
        .rfq_quote(&served.quote_id.to_string())
        .await
        .unwrap()
        .expect("stored before it was served");
    assert_eq!(row.status, "quoted");
    assert_eq!(
        (row.size_side.as_str(), row.size.as_str()),
        ("maker", WETH.to_string().as_str())
    );
    assert_eq!(row.taker_amount, served.taker_size.to_string());
    assert_eq!(row.order_hash, quote.order().hash.to_string());
    assert_eq!(row.signature, quote.order().signature.to_string());
    assert_eq!(row.pricing["inputs"]["books"][0]["symbol"], "ETHUSDT");
    assert!(row.pricing["inputs"]["books"][0]["snapshot_id"].as_u64() > Some(0));
    assert_eq!(row.pricing["inputs"]["premium_bps"], "5.0000");
    assert!(row.pricing["inputs"]["volatility"].is_string());
    assert_eq!(
        row.expires_at.timestamp_millis() as u64,
        served.expiration_ms
    );

    // Every field of a fill is checked against the order as signed (-42020), and a refused
    // fill leaves the row untouched.
    let approval = client.approve(&quote, chain.signer(TAKER)).unwrap();
    let valid = FillRequest {
        quote_id: served.quote_id,
        salt: quote.order().order.salt,
        taker_signature: approval,
        signer: taker,
        data: Default::default(),
        gas_price: served.trade_info.gas_price,
        expiration_time_seconds: quote.order().order.expiry,
    };
    let someone_else = RfqFillApproval {
        order: quote.order().order.clone(),
    }
    .eip712_signing_hash(&hedgeflow_proto::rfq::quote::domain(
        CHAIN_ID,
        *chain.settlement.address(),
    ));
    let someone_else = chain
        .signer(HOT_WALLET)
        .sign_hash_sync(&someone_else)
        .unwrap();
    let tampered = [
        FillRequest {
            salt: valid.salt + U256::from(1),
            ..valid.clone()
        },
        FillRequest {
            signer: chain.account(HOT_WALLET),
            ..valid.clone()
        },
        FillRequest {
            taker_signature: someone_else.as_bytes().into(),
            ..valid.clone()
        },
        FillRequest {
            gas_price: valid.gas_price + U256::from(1),
            ..valid.clone()
        },
        FillRequest {
            expiration_time_seconds: valid.expiration_time_seconds + 1,
            ..valid.clone()
        },
        FillRequest {
            data: vec![0xde, 0xad].into(),
            ..valid.clone()
        },
    ];
    for request in tampered {
        let error = dealer.submit_fill(request.clone()).await.unwrap_err();
        assert_eq!(error.code(), -42020, "{request:?}: {error}");
    }
    // The exact calldata the hot wallet will send is accepted as `data`.
    let calldata = hedgeflow_proto::rfq::quote::fill_calldata(
        &quote.order().order,
        quote.order().signature.as_slice(),
        approval.as_slice(),
    );
    let unknown = FillRequest {
        quote_id: uuid::Uuid::new_v4(),
        ..valid.clone()
    };
    assert_eq!(
        dealer.submit_fill(unknown).await.unwrap_err().code(),
        -42015
    );
    let row = store
        .rfq_quote(&served.quote_id.to_string())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((row.status.as_str(), &row.fill_request), ("quoted", &None));

    // A restarted dealer (same database) takes the fill: recorded, handed to the settlement,
    // and answered with the settlement's transaction, which filled the order on chain.
    front_door.stop().await;
    drop(dealer);
    let dealer = start_dealer().await;
    let front_door = FrontDoor::start(&config, dealer.clone()).await.unwrap();
    let client = TakerClient::new(&format!("http://{}", front_door.public.local_addr)).unwrap();
    let with_data = FillRequest {
        data: calldata.into(),
        ..valid.clone()
    };
    let receipt = dealer.submit_fill(with_data.clone()).await.unwrap();
    let filled = chain
        .settlement
        .filled(quote.order().hash)
        .call()
        .await
        .unwrap();
    assert!(filled, "the settlement filled the order");
    // The same request again joins the settlement: the same answer, nothing sent twice.
    let again = dealer.submit_fill(with_data.clone()).await.unwrap();
    assert_eq!(again, receipt);
    let handed: Vec<_> = settlement
        .settled
        .lock()
        .unwrap()
        .iter()
        .map(|f| f.quote_id.clone())
        .collect();
    assert_eq!(handed, [served.quote_id.to_string()]);
    // The row reads back as the exact record: the order as signed, the fill as accepted.
    let record = StoredQuotes::new(store.clone())
        .get(served.quote_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&record.order, quote.order());
    assert_eq!(
        (record.maker_size, record.taker_size, record.expiration_ms),
        (served.maker_size, served.taker_size, served.expiration_ms)
    );
    assert_eq!(record.requested, Size::MakerSize(U256::from(WETH)));
    let fill = record.fill.unwrap();
    assert_eq!(fill.request, with_data);
    assert!(fill.accepted_at_ms <= receipt.submitted_at_ms);
    let row = store
        .rfq_quote(&served.quote_id.to_string())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.status, "fill requested");
    assert_eq!(
        row.fill_request.as_ref().unwrap()["salt"],
        valid.salt.to_string()
    );
    let statuses: Vec<_> = row
        .status_history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].clone())
        .collect();
    assert_eq!(statuses, ["quoted", "fill requested"]);

    // Another fill of the taken quote (the client's request differs: no calldata): already
    // filled, the row unchanged.
    let replay = client
        .submit_fill(&quote, &approval, taker)
        .await
        .unwrap_err();
    assert_eq!(replay.rpc_code(), Some(-42016), "{replay}");
    assert_eq!(
        store
            .rfq_quote(&served.quote_id.to_string())
            .await
            .unwrap()
            .unwrap(),
        row
    );

    // A fresh quote filled end to end by the client; then one whose expiry has passed (moved
    // into the past in its row, as the clock would) is refused as expired.
    let quote = client
        .quote(usdc, weth, Size::MakerSize(U256::from(100 * USDC)), taker)
        .await
        .unwrap();
    let approval = client.approve(&quote, chain.signer(TAKER)).unwrap();
    let ack = client.submit_fill(&quote, &approval, taker).await.unwrap();
    assert_eq!(ack.quote_id, quote.quote().quote_id);
    assert_eq!(ack.extra["status"], "fill submitted");

    let late = client
        .quote(weth, usdc, Size::TakerSize(U256::from(200 * USDC)), taker)
        .await
        .unwrap();
    let late_id = late.quote().quote_id.to_string();
    rfq_quote::Entity::update_many()
        .col_expr(
            rfq_quote::Column::ExpiresAt,
            sea_orm::sea_query::Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)),
        )
        .filter(rfq_quote::Column::QuoteId.eq(late_id.clone()))
        .exec(&store.db)
        .await
        .unwrap();
    let approval = client.approve(&late, chain.signer(TAKER)).unwrap();
    let expired = client
        .submit_fill(&late, &approval, taker)
        .await
        .unwrap_err();
    assert_eq!(expired.rpc_code(), Some(-42014), "{expired}");
    let row = store.rfq_quote(&late_id).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), &row.fill_request), ("quoted", &None));
    assert_eq!(rows().await.len(), 3);

    // Concurrent quotes are committed in groups: every one served is stored, once.
    let plenty = std::num::NonZeroU32::new(1_000).unwrap();
    front_door
        .profiler
        .set_rate_limit(hedgeflow_dealer::profiler::RateLimit::new(plenty, plenty));
    let burst = futures::future::join_all(
        (0..40).map(|_| client.quote(weth, usdc, Size::MakerSize(U256::from(WETH / 100)), taker)),
    )
    .await;
    let mut served: Vec<String> = burst
        .into_iter()
        .map(|quote| quote.unwrap().quote().quote_id.to_string())
        .collect();
    let mut stored: Vec<String> = rows().await.into_iter().map(|row| row.quote_id).collect();
    served.sort();
    stored.retain(|id| served.binary_search(id).is_ok());
    stored.sort();
    assert_eq!(stored, served);
    front_door.stop().await;
}
