//! The front door's protocol tests: real sockets (HTTP and WebSocket) against a recording
//! `Dealer`, so each refusal can be checked by code *and* by "nothing reached the dealer".
//! The end-to-end test against the real dealer lives with the `dealer` role.

#![allow(clippy::too_many_lines, reason = "a test reads as one story")]

mod common;

use alloy::primitives::{B256, Bytes, FixedBytes, U256};
use common::{Call, DAI, Recording, USDC, WETH, addr, limit};
use futures::{SinkExt, StreamExt};
use hedgeflow_dealer::api::{FillError, FillState, QuoteError, QuoteRequest, Size};
use hedgeflow_dealer::profiler::{
    ApiKeys, MemoryProfiles, ProfileStore, ProfileStoreError, Profiler, Profiles,
};
use hedgeflow_dealer::rpc::{self, FrontDoor, FrontDoorConfig, SecretSource};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};
use uuid::Uuid;

const WETH_MIXED: &str = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2";
const ZRX: &str = "0xe41d2489571d322189246dafa5ebde1f4699f498";
const TAKER: &str = "0x7df1567399d981562a81596e221d220fefd1ff9b";
const TAKER_MIXED: &str = "0x7Df1567399D981562a81596E221D220FEFD1ff9B";
const OTHER_TAKER: &str = "0xcefc94f1c0a0be7ad47c7fd961197738fc233459";
const TOKEN: &str = "test-admin-token-0123456789";
const TWO_POW_256: &str =
    "115792089237316195423570985008687907853269984665640564039457584007913129639936";

// ---------------------------------------------------------------- the harness

struct Harness {
    /// Keeps the servers running (dropping every handle stops a server).
    _servers: Vec<rpc::RunningServer>,
    public: SocketAddr,
    admin: SocketAddr,
    dealer: Arc<Recording>,
    http: reqwest::Client,
}

async fn start(profiler: Profiler) -> Harness {
    let dealer = Arc::new(Recording::default());
    let profiler = Arc::new(profiler);
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let public = rpc::serve(any, dealer.clone(), profiler.clone())
        .await
        .unwrap();
    let token = rpc::AdminToken::new(TOKEN).unwrap();
    let profiles = Arc::new(MemoryProfiles::default());
    let admin = rpc::serve_admin(any, profiler, profiles, &token)
        .await
        .unwrap();
    Harness {
        public: public.local_addr,
        admin: admin.local_addr,
        _servers: vec![public, admin],
        dealer,
        http: reqwest::Client::new(),
    }
}

impl Harness {
    /// Calls a started [`FrontDoor`] (which keeps its own servers).
    fn over(door: &FrontDoor) -> Self {
        Self {
            _servers: Vec::new(),
            public: door.public.local_addr,
            admin: door.admin.local_addr,
            dealer: Arc::default(),
            http: reqwest::Client::new(),
        }
    }
}

async fn open() -> Harness {
    start(Profiler::new([], [], limit(1000, 1000))).await
}

fn request(method: &str, params: Value) -> String {
    json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string()
}

impl Harness {
    /// POST a raw body; the status and the parsed JSON answer.
    async fn post(
        &self,
        to: SocketAddr,
        body: String,
        authorization: Option<&str>,
    ) -> (u16, Option<Value>) {
        let mut request = self
            .http
            .post(format!("http://{to}"))
            .header("content-type", "application/json")
            .body(body);
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).ok())
    }

    async fn raw(&self, body: &str) -> Value {
        let (status, value) = self.post(self.public, body.to_owned(), None).await;
        let value = value.unwrap();
        // jsonrpsee answers some unparseable bodies with HTTP 400 (and the -32700 object)
        let parse_error = value["error"]["code"] == -32700;
        assert!(
            status == 200 || parse_error && status == 400,
            "{status}: {body}"
        );
        value
    }

    /// One call over HTTP: the whole response object.
    async fn call(&self, method: &str, params: Value) -> Value {
        self.raw(&request(method, params)).await
    }

    async fn ok(&self, method: &str, params: Value) -> Value {
        let response = self.call(method, params.clone()).await;
        response
            .get("result")
            .cloned()
            .unwrap_or_else(|| panic!("{method} {params}: {response}"))
    }

    /// An admin call with the right token: the whole response object.
    async fn admin_call(&self, method: &str, params: Value) -> Value {
        let bearer = format!("Bearer {TOKEN}");
        let (status, value) = self
            .post(self.admin, request(method, params), Some(&bearer))
            .await;
        assert_eq!(status, 200);
        value.unwrap()
    }

    async fn admin(&self, method: &str, params: Value) -> Value {
        self.admin_call(method, params).await["result"].clone()
    }

    fn quotes_seen(&self) -> usize {
        self.dealer
            .calls()
            .iter()
            .filter(|c| matches!(c, Call::Quote(_)))
            .count()
    }
}

fn code(response: &Value) -> i64 {
    response["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("not an error: {response}"))
}

fn quote_params(maker_size: Value, taker_size: Value) -> Value {
    json!([WETH, DAI, maker_size, taker_size, TAKER])
}

type WsStream =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

struct Ws(WsStream);

impl Ws {
    async fn connect(to: SocketAddr) -> Self {
        Self(
            tokio_tungstenite::connect_async(format!("ws://{to}"))
                .await
                .unwrap()
                .0,
        )
    }

    async fn raw(&mut self, body: &str) -> Value {
        self.0.send(Message::text(body.to_owned())).await.unwrap();
        loop {
            match self.0.next().await.unwrap().unwrap() {
                Message::Text(text) => return serde_json::from_str(text.as_str()).unwrap(),
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    async fn call(&mut self, method: &str, params: Value) -> Value {
        self.raw(&request(method, params)).await
    }
}

// ---------------------------------------------------------------- dealer_time

#[tokio::test]
async fn time_over_http_and_websocket() {
    let h = open().await;
    let result = h.ok("dealer_time", json!([])).await;
    assert_eq!(result.as_array().unwrap().len(), 1);
    assert!(result[0].as_u64().unwrap() > 1_600_000_000_000);
    let result = h.ok("dealer_time", json!([1_000])).await;
    let (now, diff) = (result[0].as_i64().unwrap(), result[1].as_i64().unwrap());
    assert_eq!(diff, now - 1_000);
    // params may be left out altogether
    let no_params = h
        .raw(r#"{"jsonrpc":"2.0","id":1,"method":"dealer_time"}"#)
        .await;
    assert!(no_params["result"][0].is_u64());
    for bad in [
        json!([1.5]),
        json!([-1]),
        json!(["1000"]),
        json!([1, 2]),
        json!({"clientTime": 1}),
    ] {
        assert_eq!(
            code(&h.call("dealer_time", bad.clone()).await),
            -32602,
            "{bad}"
        );
    }

    let mut ws = Ws::connect(h.public).await;
    let result = ws.call("dealer_time", json!([5])).await;
    assert_eq!(result["result"].as_array().unwrap().len(), 2);
    assert_eq!(code(&ws.call("dealer_time", json!([1e3])).await), -32602);
}

// ---------------------------------------------------------------- dealer_authStatus

#[tokio::test]
async fn auth_status_reports_lists() {
    let h = start(Profiler::new([], [addr(OTHER_TAKER)], limit(1000, 1000))).await;
    assert_eq!(
        h.ok("dealer_authStatus", json!([TAKER_MIXED])).await,
        json!([true, "OPEN"])
    );
    assert_eq!(
        h.ok("dealer_authStatus", json!([OTHER_TAKER])).await,
        json!([false, "BLACKLISTED"])
    );
    h.admin("admin_allowTaker", json!([TAKER])).await;
    assert_eq!(
        h.ok("dealer_authStatus", json!([TAKER])).await,
        json!([true, "WHITELISTED"])
    );
    assert_eq!(
        h.ok("dealer_authStatus", json!([ZRX])).await,
        json!([false, "NOT_WHITELISTED"])
    );
    for bad in [json!([]), json!([null]), json!(["0x1234"]), json!(["WETH"])] {
        assert_eq!(
            code(&h.call("dealer_authStatus", bad.clone()).await),
            -42001,
            "{bad}"
        );
    }
    assert_eq!(
        code(&h.call("dealer_authStatus", json!([42])).await),
        -32602
    );
    assert_eq!(
        code(&h.call("dealer_authStatus", json!([TAKER, 1])).await),
        -32602
    );
}

// ---------------------------------------------------------------- dealer_getMarkets

#[tokio::test]
async fn get_markets_filters_and_pages() {
    let h = open().await;
    let all = h.ok("dealer_getMarkets", json!([])).await;
    assert_eq!(
        (&all[1], &all[2], &all[3]),
        (&json!(3), &json!(0), &json!(20))
    );
    assert_eq!(
        all[0][0],
        json!({
            "makerAssetAddress": WETH,
            "takerAssetAddresses": [DAI, USDC],
            "tradeInfo": {"chainId": 31337, "gasLimit": "210000", "gasPrice": "12000000000"},
            "quoteInfo": {"minSize": "1000", "maxSize": "1000000000000000000000000"},
        })
    );
    // maker filter, mixed case in, lowercase out
    let weth = h.ok("dealer_getMarkets", json!([WETH_MIXED])).await;
    assert_eq!(weth[1], 1);
    assert_eq!(weth[0][0]["makerAssetAddress"], WETH);
    // taker filter
    assert_eq!(h.ok("dealer_getMarkets", json!([null, WETH])).await[1], 2);
    // both filters, no match: empty records
    assert_eq!(
        h.ok("dealer_getMarkets", json!([DAI, USDC])).await,
        json!([[], 0, 0, 20])
    );
    // pagination: total counts every page
    let page = h.ok("dealer_getMarkets", json!([null, null, 1, 2])).await;
    assert_eq!(page[0].as_array().unwrap().len(), 1);
    assert_eq!(page[0][0]["makerAssetAddress"], USDC);
    assert_eq!(
        (&page[1], &page[2], &page[3]),
        (&json!(3), &json!(1), &json!(2))
    );
    assert_eq!(
        h.ok("dealer_getMarkets", json!([null, null, 9, 2])).await,
        json!([[], 3, 9, 2])
    );

    assert_eq!(
        code(&h.call("dealer_getMarkets", json!([WETH, WETH_MIXED])).await),
        -42002
    );
    assert_eq!(
        code(&h.call("dealer_getMarkets", json!(["WETH"])).await),
        -42003
    );
    for bad in [
        json!([null, null, 0, 0]),
        json!([null, null, 0, 101]),
        json!([null, null, -1]),
        json!([null, null, 0.5]),
        json!([null, null, "0"]),
        json!([null, null, 0, 2, 5]),
    ] {
        assert_eq!(
            code(&h.call("dealer_getMarkets", bad.clone()).await),
            -32602,
            "{bad}"
        );
    }
}

// ---------------------------------------------------------------- dealer_getQuote

#[tokio::test]
async fn get_quote_answers_our_order_in_spec_encoding() {
    let h = open().await;
    let params = json!([WETH_MIXED, DAI, "1435000000000000000", null, TAKER_MIXED]);
    let result = h.ok("dealer_getQuote", params).await;
    let [quote, trade_info, extra] = result.as_array().unwrap().as_slice() else {
        panic!("{result}")
    };
    assert!(extra.is_null());
    assert_eq!(
        trade_info,
        &json!({"chainId": 31337, "gasLimit": "210000", "gasPrice": "12000000000"})
    );
    let quote_id = Uuid::parse_str(quote["quoteId"].as_str().unwrap()).unwrap();
    assert_eq!(quote_id.get_version_num(), 4);
    assert_eq!(quote["makerAssetAddress"], WETH);
    assert_eq!(quote["takerAssetAddress"], DAI);
    assert_eq!(quote["makerAssetSize"], "1435000000000000000");
    assert_eq!(quote["takerAssetSize"], "2870000000000000000");
    assert_eq!(quote["expiration"], 1_900_000_000_000u64);
    assert_eq!(quote["serverTime"], 1_800_000_000_000u64);
    let produced = h.dealer.quotes();
    let signed = produced[0].order.as_ref().unwrap();
    assert_eq!(quote_id, produced[0].quote_id);
    assert_eq!(quote["orderHash"], format!("{:#x}", signed.hash));
    let maker = format!("{:#x}", signed.order.maker);
    assert_eq!(
        quote["order"],
        json!({
            "chainId": 31337,
            "verifyingContract": format!("0x{}", "ef".repeat(20)),
            "makerToken": WETH,
            "takerToken": DAI,
            "makerAmount": "1435000000000000000",
            "takerAmount": "2870000000000000000",
            "maker": maker,
            "taker": TAKER,
            "txOrigin": maker,
            "pool": format!("0x{}", "00".repeat(32)),
            "expiry": "1900000000",
            "salt": "42",
            "signature": format!("{:#x}", signed.signature),
        })
    );
    let calls = h.dealer.calls();
    let [Call::Quote(request)] = calls.as_slice() else {
        panic!("{calls:?}")
    };
    assert_eq!(
        request,
        &QuoteRequest {
            maker_asset: addr(WETH),
            taker_asset: addr(DAI),
            size: Size::MakerSize(U256::from(1_435_000_000_000_000_000u64)),
            taker: addr(TAKER),
            include_order: true,
        }
    );

    // taker size, includeOrder = false, an extra object: no order in the answer
    let result = h
        .ok(
            "dealer_getQuote",
            json!([DAI, WETH, null, "5000", TAKER, false, {"note": 1}]),
        )
        .await;
    assert!(result[0].get("order").is_none() && result[0].get("orderHash").is_none());
    let Call::Quote(request) = &h.dealer.calls()[1] else {
        panic!()
    };
    assert_eq!(request.size, Size::TakerSize(U256::from(5000)));
    assert!(!request.include_order);

    // and over WebSocket
    let mut ws = Ws::connect(h.public).await;
    let response = ws
        .call("dealer_getQuote", quote_params(json!("2000"), Value::Null))
        .await;
    assert_eq!(response["result"][0]["makerAssetSize"], "2000");
    assert_eq!(h.quotes_seen(), 3);
}

#[tokio::test]
async fn get_quote_refusals_never_reach_the_dealer() {
    let h = open().await;
    let zero = format!("0x{}", "0".repeat(40));
    let null = Value::Null;
    let cases: Vec<(&str, Value, i64)> = vec![
        (
            "decimal point",
            quote_params(json!("1.5"), null.clone()),
            -32602,
        ),
        ("negative", quote_params(json!("-1"), null.clone()), -32602),
        (
            "negative taker size",
            quote_params(null.clone(), json!("-100")),
            -32602,
        ),
        (
            "hex amount",
            quote_params(json!("0x10"), null.clone()),
            -32602,
        ),
        (
            "exponent",
            quote_params(json!("1e18"), null.clone()),
            -32602,
        ),
        (
            "leading zero",
            quote_params(json!("0100"), null.clone()),
            -32602,
        ),
        ("spaces", quote_params(json!(" 100"), null.clone()), -32602),
        ("empty", quote_params(json!(""), null.clone()), -32602),
        (
            "number, not string",
            quote_params(json!(1000), null.clone()),
            -32602,
        ),
        (
            "2^256",
            quote_params(json!(TWO_POW_256), null.clone()),
            -32602,
        ),
        (
            "500 digits",
            quote_params(json!("9".repeat(500)), null.clone()),
            -32602,
        ),
        (
            "uint256 max: fits, too large",
            quote_params(json!(U256::MAX.to_string()), null.clone()),
            -42011,
        ),
        (
            "zero maker size",
            quote_params(json!("0"), null.clone()),
            -32602,
        ),
        (
            "zero taker size",
            quote_params(null.clone(), json!("0")),
            -32602,
        ),
        (
            "both sizes",
            quote_params(json!("1000"), json!("2000")),
            -42005,
        ),
        (
            "neither size",
            quote_params(null.clone(), null.clone()),
            -32602,
        ),
        ("sizes omitted", json!([WETH, DAI]), -32602),
        (
            "bad maker asset",
            json!(["0x1234", DAI, "1000", null, TAKER]),
            -42003,
        ),
        (
            "symbol as asset",
            json!(["WETH", DAI, "1000", null, TAKER]),
            -42003,
        ),
        ("missing assets", json!([]), -42003),
        (
            "bad taker asset",
            json!([
                WETH,
                "0xzz6b175474e89094c44da98b954eedeac4952710",
                "1000",
                null,
                TAKER
            ]),
            -42003,
        ),
        (
            "bad taker address",
            json!([WETH, DAI, "1000", null, "0x7df1"]),
            -42003,
        ),
        (
            "missing taker address",
            json!([WETH, DAI, "1000", null]),
            -42003,
        ),
        (
            "zero taker address",
            json!([WETH, DAI, "1000", null, zero]),
            -42003,
        ),
        (
            "same asset",
            json!([WETH, WETH_MIXED, "1000", null, TAKER]),
            -42004,
        ),
        (
            "zero asset",
            json!([zero, DAI, "1000", null, TAKER]),
            -42004,
        ),
        (
            "unknown market",
            json!([DAI, USDC, "1000", null, TAKER]),
            -42009,
        ),
        (
            "unknown asset",
            json!([ZRX, WETH, "1000", null, TAKER]),
            -42009,
        ),
        (
            "below minimum",
            quote_params(json!("999"), null.clone()),
            -42012,
        ),
        (
            "above maximum",
            quote_params(json!("1000000000000000000000001"), null.clone()),
            -42011,
        ),
        (
            "address as number",
            json!([1, DAI, "1000", null, TAKER]),
            -32602,
        ),
        (
            "includeOrder not bool",
            json!([WETH, DAI, "1000", null, TAKER, "yes"]),
            -32602,
        ),
        (
            "extra not object",
            json!([WETH, DAI, "1000", null, TAKER, true, [1]]),
            -32602,
        ),
        (
            "too many params",
            json!([WETH, DAI, "1000", null, TAKER, true, {}, 1]),
            -32602,
        ),
        ("named params", json!({"makerAssetAddress": WETH}), -32602),
    ];
    let mut ws = Ws::connect(h.public).await;
    for (name, params, expected) in cases {
        let http = h.call("dealer_getQuote", params.clone()).await;
        assert_eq!(code(&http), expected, "HTTP: {name}: {params}");
        let ws = ws.call("dealer_getQuote", params.clone()).await;
        assert_eq!(code(&ws), expected, "WS: {name}: {params}");
    }
    assert!(h.dealer.calls().is_empty(), "{:?}", h.dealer.calls());
}

#[tokio::test]
async fn dealer_quote_errors_keep_their_codes() {
    let h = open().await;
    for (error, expected) in [
        (
            QuoteError::TemporaryRestriction("too many open quotes".into()),
            -42008,
        ),
        (QuoteError::Unavailable("no fresh book".into()), -42013),
        (QuoteError::TooLarge("maker balance".into()), -42011),
        (QuoteError::TooSmall("below minimum".into()), -42012),
        (QuoteError::InvalidAsset("not an ERC-20".into()), -42004),
    ] {
        *h.dealer.quote_error.lock().unwrap() = Some(error.clone());
        let response = h
            .call("dealer_getQuote", quote_params(Value::Null, json!("5000")))
            .await;
        assert_eq!(code(&response), expected, "{error:?}");
        assert_eq!(response["error"]["message"], error.to_string());
    }
}

// ---------------------------------------------------------------- dealer_submitFill

fn fill_params(quote_id: &str) -> Value {
    json!([
        quote_id,
        "42",
        format!("0x{}", "1c".repeat(65)),
        TAKER_MIXED,
        "0x",
        "12000000000",
        1_900_000_000u64
    ])
}

#[tokio::test]
async fn submit_fill_accepts_and_refuses() {
    let h = open().await;
    let quote_id = Uuid::new_v4();
    let id = quote_id.to_string();
    let result = h.ok("dealer_submitFill", fill_params(&id)).await;
    assert_eq!(
        result,
        json!([
            id,
            format!("0x{}", "5a".repeat(32)),
            1_800_000_000_123u64,
            {"status": "fill submitted"}
        ])
    );
    let calls = h.dealer.calls();
    let [Call::Fill(fill)] = calls.as_slice() else {
        panic!("{calls:?}")
    };
    assert_eq!(fill.quote_id, quote_id);
    assert_eq!(fill.salt, U256::from(42));
    assert_eq!(fill.taker_signature, FixedBytes::<65>::repeat_byte(0x1c));
    assert_eq!(fill.signer, addr(TAKER));
    assert_eq!(fill.data, Bytes::new());
    assert_eq!(fill.gas_price, U256::from(12_000_000_000u64));
    assert_eq!(fill.expiration_time_seconds, 1_900_000_000);

    // refused at the door
    let with = |index: usize, value: Value| {
        let mut params = fill_params(&id);
        params[index] = value;
        params
    };
    let cases: Vec<(&str, Value, i64)> = vec![
        ("not a uuid", fill_params("bafa9565"), -42023),
        (
            "uuid v1",
            fill_params("bafa9565-598d-113a-80d3-7ec3b7e24a08"),
            -42023,
        ),
        (
            "uuid without hyphens",
            fill_params(&quote_id.simple().to_string()),
            -42023,
        ),
        ("missing quote id", with(0, Value::Null), -42023),
        ("salt not decimal", with(1, json!("0x2a")), -32602),
        ("salt huge", with(1, json!(TWO_POW_256)), -32602),
        (
            "short signature",
            with(2, json!(format!("0x{}", "1c".repeat(64)))),
            -32602,
        ),
        (
            "signature not hex",
            with(2, json!(format!("0x{}", "zz".repeat(65)))),
            -32602,
        ),
        ("bad signer", with(3, json!("0xabc")), -42003),
        (
            "zero signer",
            with(3, json!(format!("0x{}", "0".repeat(40)))),
            -42003,
        ),
        ("data not hex", with(4, json!("calldata")), -32602),
        ("missing gas price", with(5, Value::Null), -32602),
        ("negative gas price", with(5, json!("-1")), -32602),
        ("expiration as string", with(6, json!("1900000000")), -32602),
        ("expiration float", with(6, json!(1.5)), -32602),
        ("too few params", json!([id.clone(), "42"]), -32602),
    ];
    for (name, params, expected) in cases {
        let response = h.call("dealer_submitFill", params.clone()).await;
        assert_eq!(code(&response), expected, "{name}: {params}");
    }
    assert_eq!(
        h.dealer.calls().len(),
        1,
        "a refused fill reached the dealer"
    );

    // the dealer's own refusals keep their codes
    for (error, expected) in [
        (FillError::Expired, -42014),
        (FillError::UnknownQuote, -42015),
        (FillError::AlreadyFilled, -42016),
        (FillError::ValidationFailed("revert".into()), -42017),
        (FillError::InsufficientBalance, -42018),
        (FillError::InsufficientAllowance, -42019),
        (FillError::QuoteValidation("salt mismatch".into()), -42020),
        (FillError::Internal, -32603),
    ] {
        let id = Uuid::new_v4();
        h.dealer
            .fill_errors
            .lock()
            .unwrap()
            .insert(id, error.clone());
        let response = h
            .call("dealer_submitFill", fill_params(&id.to_string()))
            .await;
        assert_eq!(code(&response), expected, "{error:?}");
    }
}

// ---------------------------------------------------------------- JSON-RPC protocol errors

// ---------------------------------------------------------------- fill status (our extension)

fn fill_state(quote_id: Uuid, status: &str, tx: Option<u8>, at: u64) -> FillState {
    FillState {
        quote_id,
        status: status.into(),
        transaction_hash: tx.map(B256::repeat_byte),
        reason: None,
        updated_at_ms: at,
    }
}

#[tokio::test]
async fn fill_status_is_read_and_pushed_until_final() {
    let h = open().await;
    let id = Uuid::new_v4();
    let states = vec![
        fill_state(id, "fill requested", None, 1),
        fill_state(id, "fill submitted", Some(0xab), 2),
        fill_state(id, "fill submitted", Some(0xab), 2),
        fill_state(id, "filled, unhedged", Some(0xab), 3),
    ];
    h.dealer.fill_states.lock().unwrap().insert(id, states);
    let hash = format!("0x{}", "ab".repeat(32));

    let first = h.ok("dealer_getFillStatus", json!([id])).await;
    assert_eq!(first, json!([id, "fill requested", null, 1, null]));
    for (params, expected) in [
        (json!(["not-a-uuid"]), -42023),
        (json!([]), -42023),
        (json!([Uuid::new_v4()]), -42015),
    ] {
        assert_eq!(
            code(&h.call("dealer_getFillStatus", params.clone()).await),
            expected,
            "{params}"
        );
    }

    // Subscribed: the current state, then each change once, and the subscription ends at the
    // final one.
    let mut ws = Ws::connect(h.public).await;
    let subscribed = ws.call("dealer_subscribeFillStatus", json!([id])).await;
    let subscription = subscribed["result"].clone();
    assert!(!subscription.is_null(), "{subscribed}");
    let mut pushed = Vec::new();
    while pushed.len() < 2 {
        let Message::Text(text) = ws.0.next().await.unwrap().unwrap() else {
            continue;
        };
        let note: Value = serde_json::from_str(text.as_str()).unwrap();
        assert_eq!(note["method"], "dealer_fillStatus");
        assert_eq!(note["params"]["subscription"], subscription);
        pushed.push(note["params"]["result"].clone());
    }
    assert_eq!(
        pushed,
        [
            json!([id, "fill submitted", hash, 2, null]),
            json!([id, "filled, unhedged", hash, 3, null]),
        ]
    );
    // Unknown quotes are refused at subscription.
    let refused = ws
        .call("dealer_subscribeFillStatus", json!([Uuid::new_v4()]))
        .await;
    assert_eq!(code(&refused), -42015);
    // Over HTTP there is no subscription: an error, never a result.
    let over_http = h.call("dealer_subscribeFillStatus", json!([id])).await;
    assert!(
        over_http["result"].is_null() && over_http["error"].is_object(),
        "{over_http}"
    );
}

#[tokio::test]
async fn protocol_errors_over_http_and_websocket() {
    let h = open().await;
    let mut ws = Ws::connect(h.public).await;
    let cases = [
        (
            r#"{"jsonrpc":"2.0","id":1,"method":"dealer_time","params":["#,
            -32700,
        ),
        (r#"not json"#, -32700),
        (r#"{"jsonrpc":"2.0","id":1}"#, -32600),
        (r#"{"jsonrpc":"2.0","id":1,"method":42}"#, -32600),
        (
            r#"{"jsonrpc":"2.0","id":1,"method":"dealer_nope","params":[]}"#,
            -32601,
        ),
        (
            r#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}"#,
            -32601,
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(code(&h.raw(body).await), expected, "HTTP: {body}");
        assert_eq!(code(&ws.raw(body).await), expected, "WS: {body}");
    }
    // admin methods do not exist on the public port
    for method in rpc::ADMIN_METHODS {
        assert_eq!(
            code(&h.call(method, json!([TAKER])).await),
            -32601,
            "{method}"
        );
        assert_eq!(
            code(&ws.call(method, json!([TAKER])).await),
            -32601,
            "{method}"
        );
    }
    // batches: each call answered by id
    let batch = r#"[{"jsonrpc":"2.0","id":1,"method":"dealer_time","params":[]},
                    {"jsonrpc":"2.0","id":2,"method":"dealer_getQuote","params":["x"]},
                    {"jsonrpc":"2.0","id":3,"method":"dealer_nope"}]"#;
    for answer in [h.raw(batch).await, ws.raw(batch).await] {
        let answers = answer.as_array().unwrap();
        assert_eq!(answers.len(), 3);
        let by_id = |id: i64| answers.iter().find(|a| a["id"] == id).unwrap();
        assert!(by_id(1)["result"][0].is_u64());
        assert_eq!(code(by_id(2)), -42003);
        assert_eq!(code(by_id(3)), -32601);
    }
    assert!(h.dealer.calls().is_empty());
}

// ---------------------------------------------------------------- taker profiles

#[tokio::test]
async fn deny_and_allow_lists_apply_to_the_next_quote() {
    let h = start(Profiler::new([], [addr(OTHER_TAKER)], limit(1000, 1000))).await;
    let quote = |taker: &str| json!([WETH, DAI, "1000", null, taker]);

    // denied by config: neither quotes nor fills
    assert_eq!(
        code(&h.call("dealer_getQuote", quote(OTHER_TAKER)).await),
        -42006
    );
    let mut fill = fill_params(&Uuid::new_v4().to_string());
    fill[3] = json!(OTHER_TAKER);
    assert_eq!(code(&h.call("dealer_submitFill", fill).await), -42006);
    assert!(h.dealer.calls().is_empty());
    h.ok("dealer_getQuote", quote(TAKER)).await;

    // an allow list: only listed takers are served
    assert_eq!(
        h.admin("admin_allowTaker", json!([ZRX])).await,
        json!([true])
    );
    assert_eq!(code(&h.call("dealer_getQuote", quote(TAKER)).await), -42006);
    assert_eq!(h.quotes_seen(), 1);
    h.admin("admin_allowTaker", json!([TAKER_MIXED])).await;
    h.ok("dealer_getQuote", quote(TAKER)).await;
    assert_eq!(h.quotes_seen(), 2);

    // deny takes the taker off the allow list
    h.admin("admin_denyTaker", json!([TAKER])).await;
    assert_eq!(code(&h.call("dealer_getQuote", quote(TAKER)).await), -42006);
    assert_eq!(
        h.admin("admin_listTakers", json!([])).await,
        json!([[ZRX], [TAKER, OTHER_TAKER], {"perSecond": 1000, "burst": 1000}])
    );

    // off every list, with no allow list left: served again
    assert_eq!(
        h.admin("admin_removeTaker", json!([TAKER])).await,
        json!([true])
    );
    assert_eq!(
        h.admin("admin_removeTaker", json!([TAKER])).await,
        json!([false])
    );
    assert_eq!(
        h.admin("admin_removeTaker", json!([ZRX])).await,
        json!([true])
    );
    h.ok("dealer_getQuote", quote(TAKER)).await;
    assert_eq!(h.quotes_seen(), 3);
}

#[tokio::test]
async fn rate_limit_burst_then_42024() {
    let h = start(Profiler::new([], [], limit(1, 3))).await;
    let quote = |taker: &str| json!([WETH, DAI, "1000", null, taker]);
    for _ in 0..3 {
        h.ok("dealer_getQuote", quote(TAKER)).await;
    }
    assert_eq!(code(&h.call("dealer_getQuote", quote(TAKER)).await), -42024);
    assert_eq!(
        code(&h.call("dealer_authStatus", json!([TAKER])).await),
        -42024
    );
    let fill = fill_params(&Uuid::new_v4().to_string());
    assert_eq!(code(&h.call("dealer_submitFill", fill).await), -42024);
    assert_eq!(h.dealer.calls().len(), 3);
    // buckets are per taker
    h.ok("dealer_getQuote", quote(OTHER_TAKER)).await;
    // a new limit applies at once, with full buckets
    assert_eq!(
        h.admin("admin_setRateLimit", json!([100, 200])).await,
        json!([true])
    );
    h.ok("dealer_getQuote", quote(TAKER)).await;
    assert_eq!(h.dealer.calls().len(), 5);
}

/// Rotating taker addresses buys a fresh per-taker bucket each, but not past the ceiling over
/// all takers: -42024, and the dealer (which prices, signs and stores) is never asked.
#[tokio::test]
async fn many_addresses_from_one_caller_stop_at_the_ceiling() {
    let h = start(Profiler::new([], [], limit(1000, 1000)).with_ceiling(limit(1, 5))).await;
    let quote = |taker: String| json!([WETH, DAI, "1000", null, taker]);
    let takers: Vec<String> = (1..=8u8)
        .map(|n| alloy::primitives::Address::repeat_byte(0x60 + n).to_string())
        .collect();
    for taker in &takers[..5] {
        h.ok("dealer_getQuote", quote(taker.clone())).await;
    }
    for taker in &takers[5..] {
        assert_eq!(
            code(&h.call("dealer_getQuote", quote(taker.clone())).await),
            -42024
        );
    }
    assert_eq!(
        h.dealer.calls().len(),
        5,
        "nothing past the ceiling was priced"
    );
}

#[tokio::test]
async fn one_source_rotating_taker_addresses_stops_at_its_own_limit_and_other_sources_are_served() {
    let h = start(Profiler::new([], [], limit(1000, 1000)).with_per_source(limit(1, 5))).await;
    let quote = |taker: &String| json!([WETH, DAI, "1000", null, taker]);
    let takers: Vec<String> = (1..=8u8)
        .map(|n| alloy::primitives::Address::repeat_byte(0x70 + n).to_string())
        .collect();
    for taker in &takers[..5] {
        h.ok("dealer_getQuote", quote(taker)).await;
    }
    for taker in &takers[5..] {
        assert_eq!(code(&h.call("dealer_getQuote", quote(taker)).await), -42024);
    }
    // Every method spends the source's tokens, the taker-less ones too.
    assert_eq!(code(&h.call("dealer_time", json!([])).await), -42024);
    assert_eq!(
        h.dealer.calls().len(),
        5,
        "nothing past the limit was priced"
    );

    // Another source address has a bucket of its own.
    let other = reqwest::Client::builder()
        .local_address(Some("127.0.0.2".parse().unwrap()))
        .build()
        .unwrap();
    let answer: Value = other
        .post(format!("http://{}", h.public))
        .header("content-type", "application/json")
        .body(request("dealer_getQuote", quote(&takers[7])))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(answer.get("result").is_some(), "{answer}");
    assert_eq!(h.dealer.calls().len(), 6);
}

/// An integrator's key, and a quote request over HTTP carrying it (or none): status and body.
const ACME_KEY: &str = "acme-integrator-key-0123456789";

async fn quote_with_key(h: &Harness, key: Option<&str>, taker: &str) -> (u16, String) {
    let mut request = h
        .http
        .post(format!("http://{}", h.public))
        .header("content-type", "application/json")
        .body(request(
            "dealer_getQuote",
            json!([WETH, DAI, "1000", null, taker]),
        ));
    if let Some(key) = key {
        request = request.header("x-api-key", key);
    }
    let answer = request.send().await.unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

#[tokio::test]
async fn an_api_key_spends_its_own_budget_for_its_own_takers_and_an_unknown_key_is_refused() {
    let keys = ApiKeys::parse(&format!(
        "[[keys]]\nname = \"acme\"\nkey = \"{ACME_KEY}\"\n\
         rate-limit = {{ per-second = 1, burst = 6 }}\ntakers = [\"{TAKER}\"]\n"
    ))
    .unwrap();
    let h = start(
        Profiler::new([], [], limit(1, 2))
            .with_per_source(limit(1, 3))
            .with_api_keys(keys),
    )
    .await;
    let served = |answer: &(u16, String)| answer.0 == 200 && answer.1.contains("\"result\"");
    let refused = |answer: &(u16, String), code: i64| {
        answer.0 == 200 && answer.1.contains(&format!("\"code\":{code}"))
    };

    // A key never issued: HTTP 401 before any method, nothing priced.
    let unknown = quote_with_key(&h, Some("acme-integrator-key-guessed-000"), TAKER).await;
    assert_eq!(unknown.0, 401, "{unknown:?}");
    assert_eq!(h.quotes_seen(), 0);

    // Someone without a key names the keyed taker's address until its bucket (2) is empty.
    for _ in 0..2 {
        assert!(served(&quote_with_key(&h, None, TAKER).await));
    }
    assert!(refused(&quote_with_key(&h, None, TAKER).await, -42024));

    // The key's holder, from the same source (whose bucket of 3 is spent too), is served from
    // its key's bucket of 6: neither the address nor the source limits it.
    assert!(refused(
        &quote_with_key(&h, None, OTHER_TAKER).await,
        -42024
    ));
    // It names only its takers.
    assert!(refused(
        &quote_with_key(&h, Some(ACME_KEY), OTHER_TAKER).await,
        -42006
    ));
    for _ in 0..5 {
        let answer = quote_with_key(&h, Some(ACME_KEY), TAKER).await;
        assert!(served(&answer), "{answer:?}");
    }
    assert!(refused(
        &quote_with_key(&h, Some(ACME_KEY), TAKER).await,
        -42024
    ));
    assert_eq!(h.quotes_seen(), 2 + 5, "nothing refused was priced");
}

#[tokio::test]
async fn the_front_door_reads_its_api_keys_from_a_secret_file_and_refuses_a_bad_one() {
    let dir = std::env::temp_dir().join(format!("hedgeflow-api-keys-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let (token, keys) = (dir.join("admin-token"), dir.join("api-keys.toml"));
    std::fs::write(&token, TOKEN).unwrap();
    let config = |keys: &std::path::Path| -> FrontDoorConfig {
        serde_json::from_value(json!({
            "listen": "127.0.0.1:0",
            "admin-listen": "127.0.0.1:0",
            "admin-token": {"file": token},
            "api-keys": {"file": keys},
        }))
        .unwrap()
    };
    std::fs::write(
        &keys,
        format!(
            "[[keys]]\nname = \"acme\"\nkey = \"{ACME_KEY}\"\n\
             rate-limit = {{ per-second = 1, burst = 1 }}\n"
        ),
    )
    .unwrap();
    let door = FrontDoor::start(&config(&keys), Arc::new(Recording::default()))
        .await
        .unwrap();
    let h = Harness::over(&door);
    assert_eq!(
        quote_with_key(&h, Some("not-an-issued-key-0123456789"), TAKER)
            .await
            .0,
        401
    );
    assert_ne!(quote_with_key(&h, Some(ACME_KEY), TAKER).await.0, 401);
    door.stop().await;

    std::fs::write(
        &keys,
        "[[keys]]\nname = \"tiny\"\nkey = \"short\"\nrate-limit = { per-second = 1, burst = 1 }\n",
    )
    .unwrap();
    let error = FrontDoor::start(&config(&keys), Arc::new(Recording::default()))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("`tiny`") && !error.contains("\"short\""),
        "{error}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------- the admin endpoint

#[tokio::test]
async fn admin_requires_the_bearer_token() {
    let h = open().await;
    let deny = request("admin_denyTaker", json!([TAKER]));
    let wrong = [
        None,
        Some("Bearer wrong-token-0123456789".to_owned()),
        Some(TOKEN.to_owned()),
        Some(format!("Basic {TOKEN}")),
        Some("Bearer ".to_owned()),
        Some(format!("Bearer {TOKEN}x")),
    ];
    for authorization in wrong {
        let (status, _) = h
            .post(h.admin, deny.clone(), authorization.as_deref())
            .await;
        assert_eq!(status, 401, "{authorization:?}");
    }
    // nothing changed
    assert_eq!(
        h.ok("dealer_authStatus", json!([TAKER])).await,
        json!([true, "OPEN"])
    );
    // the scheme is case-insensitive
    let (status, answer) = h
        .post(h.admin, deny, Some(&format!("bearer {TOKEN}")))
        .await;
    assert_eq!(
        (status, answer.unwrap()["result"].clone()),
        (200, json!([true]))
    );
    assert_eq!(
        h.ok("dealer_authStatus", json!([TAKER])).await,
        json!([false, "BLACKLISTED"])
    );

    // admin params are checked too
    assert_eq!(
        code(&h.admin_call("admin_setRateLimit", json!([0, 5])).await),
        -32602
    );
    assert_eq!(
        code(&h.admin_call("admin_setRateLimit", json!([5])).await),
        -32602
    );
    assert_eq!(
        code(&h.admin_call("admin_allowTaker", json!(["nope"])).await),
        -42003
    );
    // public methods do not exist on the admin port
    assert_eq!(code(&h.admin_call("dealer_time", json!([])).await), -32601);

    // WebSocket: the upgrade itself needs the token
    match tokio_tungstenite::connect_async(format!("ws://{}", h.admin)).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 401)
        }
        other => panic!("expected 401, got {other:?}"),
    }
    let mut upgrade = format!("ws://{}", h.admin).into_client_request().unwrap();
    upgrade
        .headers_mut()
        .insert("authorization", format!("Bearer {TOKEN}").parse().unwrap());
    let (stream, _) = tokio_tungstenite::connect_async(upgrade).await.unwrap();
    let mut ws = Ws(stream);
    let answer = ws.call("admin_listTakers", json!([])).await;
    assert_eq!(answer["result"][1], json!([TAKER]));
}

// ---------------------------------------------------------------- from config

#[tokio::test]
async fn front_door_starts_from_config() {
    let path = std::env::temp_dir().join(format!("hedgeflow-admin-token-{}", Uuid::new_v4()));
    std::fs::write(&path, format!("{TOKEN}\n")).unwrap();
    let config: FrontDoorConfig = serde_json::from_value(json!({
        "listen": "127.0.0.1:0",
        "admin-listen": "127.0.0.1:0",
        "admin-token": {"file": path},
        "rate-limit": {"per-second": 10, "burst": 20},
        "deny": [OTHER_TAKER],
    }))
    .unwrap();
    let door = FrontDoor::start(&config, Arc::new(Recording::default()))
        .await
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    let h = Harness::over(&door);
    assert_eq!(
        h.ok("dealer_authStatus", json!([OTHER_TAKER])).await,
        json!([false, "BLACKLISTED"])
    );
    assert_eq!(
        h.admin("admin_listTakers", json!([])).await[2],
        json!({"perSecond": 10, "burst": 20})
    );
    assert_eq!(config.admin_token, SecretSource::File(path));
    door.stop().await;
    let after = reqwest::Client::new()
        .post(format!("http://{}", h.public))
        .send()
        .await;
    assert!(after.is_err(), "still serving after stop");
}

/// Profiles that can be told to fail their saves.
#[derive(Default)]
struct FlakyProfiles {
    saved: MemoryProfiles,
    failing: std::sync::atomic::AtomicBool,
}

#[async_trait::async_trait]
impl ProfileStore for FlakyProfiles {
    async fn load(&self) -> Result<Option<Profiles>, ProfileStoreError> {
        self.saved.load().await
    }

    async fn save(&self, profiles: &Profiles) -> Result<(), ProfileStoreError> {
        if self.failing.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(ProfileStoreError("disk full".into()));
        }
        self.saved.save(profiles).await
    }
}

#[tokio::test]
async fn admin_changes_are_saved_and_a_restart_starts_from_them() {
    let path = std::env::temp_dir().join(format!("hedgeflow-admin-token-{}", Uuid::new_v4()));
    std::fs::write(&path, TOKEN).unwrap();
    let config: FrontDoorConfig = serde_json::from_value(json!({
        "listen": "127.0.0.1:0",
        "admin-listen": "127.0.0.1:0",
        "admin-token": {"file": path},
        "rate-limit": {"per-second": 10, "burst": 20},
        "deny": [OTHER_TAKER],
    }))
    .unwrap();
    let store = Arc::new(FlakyProfiles::default());
    let door =
        FrontDoor::start_with_profiles(&config, Arc::new(Recording::default()), store.clone())
            .await
            .unwrap();
    // An empty store is seeded with the configured lists and rate limit.
    let saved = store.load().await.unwrap().unwrap();
    assert_eq!(saved.deny.len(), 1);
    assert_eq!(saved.rate_limit.burst.get(), 20);

    let h = Harness::over(&door);
    h.admin("admin_denyTaker", json!([TAKER])).await;
    h.admin("admin_removeTaker", json!([OTHER_TAKER])).await;
    h.admin("admin_setRateLimit", json!([3, 4])).await;
    let saved = store.load().await.unwrap().unwrap();
    assert_eq!(saved.deny, [addr(TAKER)].into());
    assert_eq!(
        (
            saved.rate_limit.per_second.get(),
            saved.rate_limit.burst.get()
        ),
        (3, 4)
    );

    // A change whose save fails is refused and undone: the admin's view is what a restart finds.
    store
        .failing
        .store(true, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(
        code(&h.admin_call("admin_allowTaker", json!([TAKER])).await),
        -32603
    );
    assert_eq!(
        code(&h.admin_call("admin_setRateLimit", json!([9, 9])).await),
        -32603
    );
    let listed = h.admin("admin_listTakers", json!([])).await;
    assert_eq!(listed, json!([[], [TAKER], {"perSecond": 3, "burst": 4}]));
    store
        .failing
        .store(false, std::sync::atomic::Ordering::SeqCst);
    door.stop().await;

    // Restarted on the same store, with the same config: the saved profiles win.
    let door =
        FrontDoor::start_with_profiles(&config, Arc::new(Recording::default()), store.clone())
            .await
            .unwrap();
    std::fs::remove_file(&path).unwrap();
    let h = Harness::over(&door);
    assert_eq!(
        h.admin("admin_listTakers", json!([])).await,
        json!([[], [TAKER], {"perSecond": 3, "burst": 4}])
    );
    assert_eq!(
        h.ok("dealer_authStatus", json!([OTHER_TAKER])).await,
        json!([true, "OPEN"])
    );
    assert_eq!(
        h.ok("dealer_authStatus", json!([TAKER])).await,
        json!([false, "BLACKLISTED"])
    );
    door.stop().await;
}
