//! The OpenRPC document (`dealer/openrpc.json`) against the server it describes, over real
//! sockets and the recording dealer: `rpc.discover` serves it as committed; it names exactly the
//! methods served; its error codes are exactly those the front door and the dealer's errors can
//! answer; and its schemas accept the params sent and the answers given.

#![allow(clippy::too_many_lines, reason = "a test reads as one story")]

// The recording dealer, without its call log: the front-door tests check what reaches it.
#[allow(dead_code)]
mod common;

use common::{DAI, Recording, USDC, WETH, limit};
use futures::{SinkExt, StreamExt};
use hedgeflow_dealer::api::{FillError, FillState, QuoteError};
use hedgeflow_dealer::profiler::{Profiler, Refusal};
use hedgeflow_dealer::rpc::{self, error::RpcError};
use hedgeflow_proto::rfq::fill::FillStatus;
use jsonrpsee::types::error::{
    INVALID_REQUEST_CODE, METHOD_NOT_FOUND_CODE, OVERSIZED_REQUEST_CODE, PARSE_ERROR_CODE,
    TOO_BIG_BATCH_REQUEST_CODE, TOO_MANY_SUBSCRIPTIONS_CODE,
};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::Arc;
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

const TAKER: &str = "0x7Df1567399D981562a81596E221D220FEFD1ff9B";

fn document() -> Value {
    serde_json::from_str(include_str!("../openrpc.json")).expect("openrpc.json is JSON")
}

// ---------------------------------------------------------------- the document

struct Document(Value);

impl Document {
    fn method(&self, name: &str) -> &Value {
        self.methods()
            .find(|m| m["name"] == name)
            .unwrap_or_else(|| panic!("{name} is not in the document"))
    }

    fn methods(&self) -> impl Iterator<Item = &Value> {
        self.0["methods"].as_array().unwrap().iter()
    }

    /// `value`, or what its local `$ref` points at.
    fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        match value["$ref"].as_str() {
            Some(reference) => self
                .0
                .pointer(reference.trim_start_matches('#'))
                .unwrap_or_else(|| panic!("{reference} does not resolve")),
            None => value,
        }
    }

    /// The codes `method` lists.
    fn error_codes(&self, method: &str) -> BTreeSet<i64> {
        self.method(method)["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|error| self.resolve(error)["code"].as_i64().unwrap())
            .collect()
    }

    /// `schema` as a draft 7 validator (OpenRPC 1.2.6's dialect) whose local `$ref`s resolve
    /// against the document's components.
    fn validator(&self, schema: &Value) -> jsonschema::Validator {
        let root = json!({"allOf": [schema], "components": self.0["components"]});
        jsonschema::draft7::new(&root).unwrap_or_else(|e| panic!("{schema}: {e}"))
    }

    /// Checks `params` against `method`'s param descriptors: no more slots than it takes, every
    /// required slot present, every slot valid.
    fn check_params(&self, method: &str, params: &Value) {
        let descriptors = self.method(method)["params"].as_array().unwrap();
        let params = params.as_array().unwrap();
        assert!(params.len() <= descriptors.len(), "{method}: {params:?}");
        for (index, descriptor) in descriptors.iter().enumerate() {
            let name = &descriptor["name"];
            match params.get(index) {
                None => assert!(
                    descriptor["required"] != true,
                    "{method}: required param {name} left out"
                ),
                Some(value) => self.check(
                    &format!("{method} param {name} ="),
                    &descriptor["schema"],
                    value,
                ),
            }
        }
    }

    fn check(&self, what: &str, schema: &Value, value: &Value) {
        if let Err(error) = self.validator(schema).validate(value) {
            panic!("{what} {value}: {error}");
        }
    }

    fn check_result(&self, method: &str, result: &Value) {
        self.check(
            &format!("{method} result"),
            &self.method(method)["result"]["schema"],
            result,
        );
    }
}

// ---------------------------------------------------------------- the server

struct Server {
    /// Keeps the server running.
    _running: rpc::RunningServer,
    addr: std::net::SocketAddr,
    dealer: Arc<Recording>,
    http: reqwest::Client,
    doc: Document,
}

async fn start() -> Server {
    let dealer = Arc::new(Recording::default());
    let profiler = Arc::new(Profiler::new([], [], limit(1000, 1000)));
    let running = rpc::serve("127.0.0.1:0".parse().unwrap(), dealer.clone(), profiler)
        .await
        .unwrap();
    Server {
        addr: running.local_addr,
        _running: running,
        dealer,
        http: reqwest::Client::new(),
        doc: Document(document()),
    }
}

fn request(id: u64, method: &str, params: &Value) -> String {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string()
}

impl Server {
    /// One call over HTTP: the whole response object.
    async fn call(&self, method: &str, params: Value) -> Value {
        self.http
            .post(format!("http://{}", self.addr))
            .header("content-type", "application/json")
            .body(request(1, method, &params))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// A call whose params the document accepts, answered with a result it accepts.
    async fn ok(&self, method: &str, params: Value) -> Value {
        self.doc.check_params(method, &params);
        let response = self.call(method, params.clone()).await;
        let result = response
            .get("result")
            .unwrap_or_else(|| panic!("{method} {params}: {response}"));
        self.doc.check_result(method, result);
        result.clone()
    }

    /// A call refused with `code`, which the document lists for `method`.
    async fn refused(&self, method: &str, params: Value, code: i64) {
        let response = self.call(method, params.clone()).await;
        assert_eq!(response["error"]["code"], code, "{method} {params}");
        assert!(
            self.doc.error_codes(method).contains(&code),
            "{method} answers {code}, which the document does not list for it"
        );
    }
}

// ---------------------------------------------------------------- tests

#[tokio::test]
async fn rpc_discover_serves_the_committed_document() {
    let server = start().await;
    assert_eq!(
        server.call("rpc.discover", json!([])).await["result"],
        document()
    );
    server.refused("rpc.discover", json!([1]), -32602).await;
}

#[test]
fn the_document_is_openrpc_with_positional_params_and_local_refs_that_resolve() {
    let doc = Document(document());
    assert_eq!(doc.0["openrpc"], "1.2.6");
    for method in doc.methods() {
        let name = &method["name"];
        assert_eq!(method["paramStructure"], "by-position", "{name}");
        // OpenRPC: optional params come after every required one.
        let required: Vec<bool> = method["params"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["required"] == true)
            .collect();
        assert!(required.is_sorted_by(|a, b| a >= b), "{name}: {required:?}");
        assert!(method["result"]["schema"].is_object(), "{name}");
    }
    fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                out.extend(map.get("$ref").and_then(Value::as_str));
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc.0, &mut all);
    for reference in all.into_iter().filter(|r| r.starts_with('#')) {
        doc.resolve(&json!({"$ref": reference}));
    }
}

#[tokio::test]
async fn the_document_names_exactly_the_methods_served() {
    let server = start().await;
    let names: Vec<&str> = server
        .doc
        .methods()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    let named: BTreeSet<&str> = names.iter().copied().collect();
    assert_eq!(named.len(), names.len(), "a method is described twice");
    assert_eq!(
        named,
        BTreeSet::from(rpc::METHODS),
        "the document's methods are not rpc::METHODS"
    );
    for name in names {
        let response = server.call(name, json!([])).await;
        assert_ne!(
            response["error"]["code"], METHOD_NOT_FOUND_CODE,
            "{name} is described but not served"
        );
    }
    let unknown = server.call("dealer_nope", json!([])).await;
    assert_eq!(unknown["error"]["code"], METHOD_NOT_FOUND_CODE, "{unknown}");
}

/// Every `QuoteError`. The match stops compiling when a variant is added: list it above too.
fn every_quote_error() -> Vec<QuoteError> {
    let all = vec![
        QuoteError::InvalidAddress(String::new()),
        QuoteError::InvalidAsset(String::new()),
        QuoteError::TwoSizes,
        QuoteError::TakerNotAuthorized,
        QuoteError::TemporaryRestriction(String::new()),
        QuoteError::UnsupportedMarket,
        QuoteError::TooLarge(String::new()),
        QuoteError::TooSmall(String::new()),
        QuoteError::Unavailable(String::new()),
        QuoteError::RateLimited,
    ];
    for error in &all {
        match error {
            QuoteError::InvalidAddress(_)
            | QuoteError::InvalidAsset(_)
            | QuoteError::TwoSizes
            | QuoteError::TakerNotAuthorized
            | QuoteError::TemporaryRestriction(_)
            | QuoteError::UnsupportedMarket
            | QuoteError::TooLarge(_)
            | QuoteError::TooSmall(_)
            | QuoteError::Unavailable(_)
            | QuoteError::RateLimited => {}
        }
    }
    all
}

/// Every `FillError`. The match stops compiling when a variant is added: list it above too.
fn every_fill_error() -> Vec<FillError> {
    let all = vec![
        FillError::Expired,
        FillError::UnknownQuote,
        FillError::AlreadyFilled,
        FillError::ValidationFailed(String::new()),
        FillError::InsufficientBalance,
        FillError::InsufficientAllowance,
        FillError::QuoteValidation(String::new()),
        FillError::InvalidUuid,
        FillError::RateLimited,
        FillError::Internal,
    ];
    for error in &all {
        match error {
            FillError::Expired
            | FillError::UnknownQuote
            | FillError::AlreadyFilled
            | FillError::ValidationFailed(_)
            | FillError::InsufficientBalance
            | FillError::InsufficientAllowance
            | FillError::QuoteValidation(_)
            | FillError::InvalidUuid
            | FillError::RateLimited
            | FillError::Internal => {}
        }
    }
    all
}

/// Every `Refusal`'s code. The match stops compiling when a variant is added: list it too.
fn every_refusal_code() -> BTreeSet<i64> {
    [Refusal::NotAuthorized, Refusal::RateLimited]
        .into_iter()
        .map(|refusal| {
            match refusal {
                Refusal::NotAuthorized | Refusal::RateLimited => {}
            }
            i64::from(RpcError::from(refusal).code)
        })
        .collect()
}

/// The constants of `rpc/error.rs`, read from its source so that a new one cannot be missed.
fn front_door_codes() -> BTreeSet<i64> {
    let source = include_str!("../src/rpc/error.rs");
    let declared = source
        .lines()
        .filter(|l| l.starts_with("pub const "))
        .count();
    let codes: Vec<i64> = source
        .lines()
        .filter_map(|line| {
            let (_, value) = line.strip_prefix("pub const ")?.split_once(": i32 = ")?;
            value.strip_suffix(';')?.parse().ok()
        })
        .collect();
    assert_eq!(
        codes.len(),
        declared,
        "a constant of rpc/error.rs did not parse"
    );
    codes.into_iter().collect()
}

#[test]
fn the_document_lists_exactly_the_error_codes_answered() {
    let doc = Document(document());
    let listed: Vec<i64> = doc.0["components"]["errors"]
        .as_object()
        .unwrap()
        .values()
        .map(|error| error["code"].as_i64().unwrap())
        .collect();
    let listed_once: BTreeSet<i64> = listed.iter().copied().collect();
    assert_eq!(listed_once.len(), listed.len(), "a code is listed twice");

    let quote: BTreeSet<i64> = every_quote_error()
        .iter()
        .map(|e| i64::from(e.code()))
        .collect();
    let fill: BTreeSet<i64> = every_fill_error()
        .iter()
        .map(|e| i64::from(e.code()))
        .collect();
    // jsonrpsee answers these itself, under our server's limits.
    let jsonrpsee = [
        PARSE_ERROR_CODE,
        INVALID_REQUEST_CODE,
        METHOD_NOT_FOUND_CODE,
        TOO_MANY_SUBSCRIPTIONS_CODE,
        OVERSIZED_REQUEST_CODE,
        TOO_BIG_BATCH_REQUEST_CODE,
    ]
    .map(i64::from);
    let mut answered = front_door_codes();
    answered.extend(&quote);
    answered.extend(&fill);
    answered.extend(every_refusal_code());
    answered.extend(jsonrpsee);
    assert_eq!(
        listed_once,
        answered,
        "listed but never answered: {:?}; answered but not listed: {:?}",
        listed_once.difference(&answered).collect::<Vec<_>>(),
        answered.difference(&listed_once).collect::<Vec<_>>(),
    );

    // The dealer may answer any of its errors where it is asked.
    let get_quote = doc.error_codes("dealer_getQuote");
    assert!(quote.is_subset(&get_quote), "{quote:?} ⊄ {get_quote:?}");
    let submit_fill = doc.error_codes("dealer_submitFill");
    assert!(fill.is_subset(&submit_fill), "{fill:?} ⊄ {submit_fill:?}");
}

#[tokio::test]
async fn real_params_and_answers_match_the_schemas() {
    let server = start().await;
    server.ok("dealer_time", json!([])).await;
    server.ok("dealer_time", json!([1_000])).await;
    server.ok("dealer_authStatus", json!([TAKER])).await;
    server.ok("dealer_getMarkets", json!([])).await;
    server
        .ok("dealer_getMarkets", json!([WETH, null, 0, 2]))
        .await;
    server
        .ok("dealer_getMarkets", json!([null, null, 1, 2]))
        .await;

    let quote = server
        .ok(
            "dealer_getQuote",
            json!([WETH, DAI, "1435000000000000000", null, TAKER]),
        )
        .await;
    let order = &quote[0]["order"];
    assert!(order.is_object(), "{quote}");
    let indicative = server
        .ok(
            "dealer_getQuote",
            json!([DAI, WETH, null, "5000", TAKER, false, {"note": 1}]),
        )
        .await;
    assert!(indicative[0].get("order").is_none(), "{indicative}");

    let quote_id = quote[0]["quoteId"].as_str().unwrap();
    let expiry: u64 = order["expiry"].as_str().unwrap().parse().unwrap();
    let fill = json!([
        quote_id,
        order["salt"],
        format!("0x{}", "1c".repeat(65)),
        TAKER,
        "0x",
        quote[1]["gasPrice"],
        expiry
    ]);
    server.ok("dealer_submitFill", fill.clone()).await;

    let id: Uuid = quote_id.parse().unwrap();
    let requested = fill_state(id, "fill requested");
    let failed = FillState {
        transaction_hash: Some(alloy::primitives::B256::repeat_byte(0xab)),
        reason: Some("reverted".into()),
        ..fill_state(id, "fill failed")
    };
    server
        .dealer
        .fill_states
        .lock()
        .unwrap()
        .insert(id, vec![requested, failed]);
    server.ok("dealer_getFillStatus", json!([quote_id])).await;
    server.ok("dealer_getFillStatus", json!([quote_id])).await;

    // Refusals answer codes their method lists.
    server.refused("dealer_time", json!([-1]), -32602).await;
    server
        .refused("dealer_authStatus", json!(["0x1234"]), -42001)
        .await;
    server
        .refused("dealer_getMarkets", json!([WETH, WETH]), -42002)
        .await;
    server
        .refused(
            "dealer_getQuote",
            json!([WETH, DAI, "1000", "2000", TAKER]),
            -42005,
        )
        .await;
    server
        .refused(
            "dealer_getQuote",
            json!([DAI, USDC, "1000", null, TAKER]),
            -42009,
        )
        .await;
    *server.dealer.quote_error.lock().unwrap() = Some(QuoteError::Unavailable("halt".into()));
    server
        .refused(
            "dealer_getQuote",
            json!([WETH, DAI, "1000", null, TAKER]),
            -42013,
        )
        .await;
    server
        .dealer
        .fill_errors
        .lock()
        .unwrap()
        .insert(id, FillError::AlreadyFilled);
    server.refused("dealer_submitFill", fill, -42016).await;
    server
        .refused("dealer_getFillStatus", json!([Uuid::new_v4()]), -42015)
        .await;
    // Subscriptions are WebSocket only.
    server
        .refused("dealer_subscribeFillStatus", json!([quote_id]), -32603)
        .await;
    server
        .refused("dealer_unsubscribeFillStatus", json!([1]), -32603)
        .await;
}

fn fill_state(quote_id: Uuid, status: &str) -> FillState {
    FillState {
        quote_id,
        status: status.into(),
        transaction_hash: None,
        reason: None,
        updated_at_ms: 1,
    }
}

type WsStream =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn send(ws: &mut WsStream, id: u64, method: &str, params: &Value) {
    ws.send(Message::text(request(id, method, params)))
        .await
        .unwrap();
}

/// The next JSON message.
async fn receive(ws: &mut WsStream) -> Value {
    loop {
        match ws.next().await.unwrap().unwrap() {
            Message::Text(text) => return serde_json::from_str(text.as_str()).unwrap(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[tokio::test]
async fn fill_status_subscription_matches_the_schemas() {
    let server = start().await;
    let doc = &server.doc;
    let id = Uuid::new_v4();
    // Not final: the subscription stays open until it is stopped.
    server
        .dealer
        .fill_states
        .lock()
        .unwrap()
        .insert(id, vec![fill_state(id, "fill requested")]);
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{}", server.addr))
        .await
        .unwrap();

    let subscribe = json!([id]);
    doc.check_params("dealer_subscribeFillStatus", &subscribe);
    send(&mut ws, 1, "dealer_subscribeFillStatus", &subscribe).await;
    let subscribed = receive(&mut ws).await;
    doc.check_result("dealer_subscribeFillStatus", &subscribed["result"]);

    let subscription = &doc.method("dealer_subscribeFillStatus")["x-subscription"];
    let notification = receive(&mut ws).await;
    assert_eq!(notification["method"], subscription["notification"]);
    doc.check(
        "dealer_fillStatus params",
        &subscription["schema"],
        &notification["params"],
    );

    let unsubscribe_method = subscription["unsubscribe"].as_str().unwrap();
    let unsubscribe = json!([subscribed["result"]]);
    doc.check_params(unsubscribe_method, &unsubscribe);
    send(&mut ws, 2, unsubscribe_method, &unsubscribe).await;
    let unsubscribed = receive(&mut ws).await;
    assert_eq!(unsubscribed["result"], true, "{unsubscribed}");
    doc.check_result(unsubscribe_method, &unsubscribed["result"]);
}

/// What the document states of the server's limits and statuses is what the code defines, so
/// neither can change without the other.
#[test]
fn the_documents_limits_and_statuses_are_the_codes() {
    let document = document();
    let description = document["info"]["description"].as_str().unwrap();
    for stated in [
        format!("up to {} calls", rpc::MAX_BATCH),
        format!("up to {} bytes", rpc::MAX_REQUEST_BYTES),
    ] {
        assert!(description.contains(&stated), "info.description: {stated}");
    }
    let statuses: Vec<&str> = document["components"]["schemas"]["FillStatus"]["items"][1]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|status| status.as_str().unwrap())
        .collect();
    let defined: Vec<&str> = std::iter::once("quoted")
        .chain(FillStatus::ALL.iter().map(FillStatus::as_str))
        .collect();
    assert_eq!(statuses, defined);
}
