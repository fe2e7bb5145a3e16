//! SIGNED endpoint security over a real socket, with API keys of every kind (HMAC, Ed25519,
//! RSA) on REST and on the WebSocket API. Ed25519 and RSA requests are signed apart from the
//! crate's verification code, by the test utilities' keys (AWS-LC).

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use hedgeflow_paper_exchange::test_utils::keys::TestKey;
use hedgeflow_paper_exchange::{Config, DEV_API_KEY, DEV_SECRET_KEY};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;

use crate::support::{Client, Exchange, assert_error, now_ms, sign};

#[tokio::test]
async fn a_good_signature_is_accepted_in_query_or_body() {
    let exchange = Exchange::start_default().await;
    let client = exchange.client();
    let (status, account) = client.signed(Method::GET, "/api/v3/account", &[]).await;
    assert_eq!(status, StatusCode::OK, "{account}");
    assert_eq!(account["accountType"], "SPOT");

    // everything in a form body, signature included
    let body = format!(
        "symbol=ETHUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=1000&timestamp={}",
        now_ms()
    );
    let body = format!("{body}&signature={}", sign(&client.secret, &body));
    let url = format!("{}/api/v3/order", client.base);
    let (status, order) = client.send_unsigned(Method::POST, &url, &body).await;
    assert_eq!(status, StatusCode::OK, "{order}");
    assert_eq!(order["status"], "NEW");

    // split between query and body: Binance signs the query string followed by the body
    let query = format!("symbol=ETHUSDT&orderId={}", order["orderId"]);
    let body = format!("timestamp={}", now_ms());
    let (status, canceled) = client
        .send_raw(Method::DELETE, "/api/v3/order", &query, &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{canceled}");
    assert_eq!(canceled["status"], "CANCELED");
}

#[tokio::test]
async fn bad_signatures_keys_and_timestamps_are_rejected_like_binance() {
    let exchange = Exchange::start_default().await;
    let client = exchange.client();
    let base = &client.base;

    let query = format!("timestamp={}", now_ms());
    let wrong = sign("not-the-secret", &query);
    let bad_signature = client
        .send_unsigned(
            Method::GET,
            &format!("{base}/api/v3/account?{query}&signature={wrong}"),
            "",
        )
        .await;
    assert_error(&bad_signature, StatusCode::BAD_REQUEST, -1022);

    let stale = format!("timestamp={}", now_ms() - 10_000);
    assert_error(
        &client
            .send_raw(Method::GET, "/api/v3/account", &stale, "")
            .await,
        StatusCode::BAD_REQUEST,
        -1021,
    );
    let in_window = format!("timestamp={}&recvWindow=20000", now_ms() - 10_000);
    assert_eq!(
        client
            .send_raw(Method::GET, "/api/v3/account", &in_window, "")
            .await
            .0,
        StatusCode::OK
    );
    let future = format!("timestamp={}", now_ms() + 5_000);
    assert_error(
        &client
            .send_raw(Method::GET, "/api/v3/account", &future, "")
            .await,
        StatusCode::BAD_REQUEST,
        -1021,
    );
    let too_wide = format!("timestamp={}&recvWindow=60001", now_ms());
    assert_error(
        &client
            .send_raw(Method::GET, "/api/v3/account", &too_wide, "")
            .await,
        StatusCode::BAD_REQUEST,
        -1102,
    );
    let unsigned = format!("{base}/api/v3/account?timestamp={}", now_ms());
    assert_error(
        &client.send_unsigned(Method::GET, &unsigned, "").await,
        StatusCode::BAD_REQUEST,
        -1102,
    );

    let stranger = Client::new(base.clone(), "unknown-key", &client.secret);
    let unknown = stranger.signed(Method::GET, "/api/v3/account", &[]).await;
    assert_error(&unknown, StatusCode::UNAUTHORIZED, -2015);
    let anonymous = reqwest::get(format!(
        "{base}/api/v3/openOrders?timestamp={}&signature=00",
        now_ms()
    ))
    .await
    .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = anonymous.json().await.unwrap();
    assert_eq!(body["code"], -2014);
}

const ED25519_API_KEY: &str = "hedgeflowTestEd25519ApiKey";
const RSA_API_KEY: &str = "hedgeflowTestRsaApiKey";

/// An account's key as the test holds it: what signs for it.
enum Key {
    Hmac(&'static str),
    Pair(TestKey),
}

impl Key {
    /// The `signature` of `payload`: hex for HMAC, base64 for Ed25519 and RSA.
    fn sign(&self, payload: &str) -> String {
        match self {
            Key::Hmac(secret) => sign(secret, payload),
            Key::Pair(key) => key.sign(payload),
        }
    }
}

/// An exchange with an account of each kind: the dev account (HMAC), an Ed25519 one and an
/// RSA one.
async fn exchange_with_every_kind(ed25519: &TestKey, rsa: &TestKey) -> Exchange {
    let mut config = Config {
        seed: Some(7),
        ..Config::default()
    };
    config.accounts.push(ed25519.account(ED25519_API_KEY));
    config.accounts.push(rsa.account(RSA_API_KEY));
    Exchange::start(config).await
}

/// `GET /api/v3/account` with `signature` as given, percent-encoded into the query string.
async fn account(client: &Client, query: &str, signature: &str) -> (StatusCode, Value) {
    let signature: String = form_urlencoded::byte_serialize(signature.as_bytes()).collect();
    let url = format!(
        "{}/api/v3/account?{query}&signature={signature}",
        client.base
    );
    client.send_unsigned(Method::GET, &url, "").await
}

/// `userDataStream.subscribe.signature` of `api_key` with `signature` as given, and the answer.
async fn subscribe(exchange: &Exchange, api_key: &str, timestamp: u64, signature: &str) -> Value {
    let (mut socket, _) = connect_async(exchange.ws_url("/ws-api/v3")).await.unwrap();
    let request = json!({
        "id": 1,
        "method": "userDataStream.subscribe.signature",
        "params": {
            "apiKey": api_key,
            "timestamp": timestamp,
            "signature": signature,
        },
    });
    socket
        .send(Message::Text(request.to_string().into()))
        .await
        .unwrap();
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("an answer within 5 s")
            .expect("socket open")
            .unwrap();
        if let Message::Text(text) = frame {
            return serde_json::from_str(text.as_str()).unwrap();
        }
    }
}

/// For each kind: a signed request is accepted, a wrong signature (of another payload) and a
/// signature by another key of the same kind are refused with -1022, on REST and on the
/// WebSocket API.
#[tokio::test]
async fn every_key_kind_is_verified_on_rest_and_the_websocket_api() {
    let (ed25519, rsa) = (TestKey::ed25519(), TestKey::rsa());
    let exchange = exchange_with_every_kind(&ed25519, &rsa).await;
    let cases = [
        (
            "hmac",
            DEV_API_KEY,
            Key::Hmac(DEV_SECRET_KEY),
            Key::Hmac("another-secret"),
        ),
        (
            "ed25519",
            ED25519_API_KEY,
            Key::Pair(ed25519),
            Key::Pair(TestKey::ed25519()),
        ),
        (
            "rsa",
            RSA_API_KEY,
            Key::Pair(rsa),
            Key::Pair(TestKey::rsa()),
        ),
    ];
    for (kind, api_key, key, other) in &cases {
        let client = Client::new(exchange.base_url(), api_key, "");
        let query = format!("timestamp={}", now_ms());
        let (status, body) = account(&client, &query, &key.sign(&query)).await;
        assert_eq!(status, StatusCode::OK, "{kind}: {body}");
        assert_eq!(body["accountType"], "SPOT", "{kind}");
        let wrong = key.sign(&format!("{query}&recvWindow=5000"));
        assert_error(
            &account(&client, &query, &wrong).await,
            StatusCode::BAD_REQUEST,
            -1022,
        );
        assert_error(
            &account(&client, &query, &other.sign(&query)).await,
            StatusCode::BAD_REQUEST,
            -1022,
        );

        let timestamp = now_ms();
        let payload = format!("apiKey={api_key}&timestamp={timestamp}");
        let good = subscribe(&exchange, api_key, timestamp, &key.sign(&payload)).await;
        assert_eq!(good["status"], 200, "{kind}: {good}");
        assert!(good["result"]["subscriptionId"].is_u64(), "{kind}: {good}");
        for bad in [key.sign(&format!("{payload}0")), other.sign(&payload)] {
            let refused = subscribe(&exchange, api_key, timestamp, &bad).await;
            assert_eq!(
                (&refused["status"], &refused["error"]["code"]),
                (&json!(400), &json!(-1022)),
                "{kind}: {refused}"
            );
        }
    }
}

/// An Ed25519 or RSA order placed with the signature in the form body, and signatures of the
/// wrong kind: HMAC's hex for a key pair's account, and a key pair's signature for an HMAC
/// account, are -1022; so is an unencoded base64 signature whose `+` reads as a space.
#[tokio::test]
async fn key_pair_signatures_place_orders_and_wrong_kinds_are_refused() {
    let (ed25519, rsa) = (TestKey::ed25519(), TestKey::rsa());
    let exchange = exchange_with_every_kind(&ed25519, &rsa).await;
    for (api_key, key) in [(ED25519_API_KEY, &ed25519), (RSA_API_KEY, &rsa)] {
        let client = Client::new(exchange.base_url(), api_key, "");
        let body = format!(
            "symbol=ETHUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=1000&timestamp={}",
            now_ms()
        );
        let signature: String =
            form_urlencoded::byte_serialize(key.sign(&body).as_bytes()).collect();
        let url = format!("{}/api/v3/order", client.base);
        let (status, order) = client
            .send_unsigned(Method::POST, &url, &format!("{body}&signature={signature}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{api_key}: {order}");
        assert_eq!(order["status"], "NEW");

        let query = format!("timestamp={}", now_ms());
        assert_error(
            &account(&client, &query, &sign("any-secret", &query)).await,
            StatusCode::BAD_REQUEST,
            -1022,
        );
        // a signature holding `+`, sent as it is: Binance's clients must percent-encode it
        let (query, signature) = (0..)
            .map(|n| format!("timestamp={}&recvWindow={}", now_ms(), 5000 + n))
            .map(|query| {
                let signature = key.sign(&query);
                (query, signature)
            })
            .find(|(_, signature)| signature.contains('+'))
            .unwrap();
        let url = format!(
            "{}/api/v3/account?{query}&signature={signature}",
            client.base
        );
        assert_error(
            &client.send_unsigned(Method::GET, &url, "").await,
            StatusCode::BAD_REQUEST,
            -1022,
        );
    }
    let hmac = Client::new(exchange.base_url(), DEV_API_KEY, DEV_SECRET_KEY);
    let query = format!("timestamp={}", now_ms());
    assert_error(
        &account(&hmac, &query, &ed25519.sign(&query)).await,
        StatusCode::BAD_REQUEST,
        -1022,
    );
}

/// An account's key must be one kind: a secret or a public key, which must be Ed25519 or RSA.
#[tokio::test]
async fn accounts_with_unusable_keys_are_refused_at_start() {
    let key = TestKey::ed25519();
    let mut both = key.account("both");
    both.secret_key = "also-a-secret".into();
    let mut neither = key.account("neither");
    neither.public_key = None;
    let mut not_pem = key.account("not-pem");
    not_pem.public_key = Some(key.private_key_pem.clone());
    for (account, expected) in [
        (both, "not both"),
        (neither, "set secret-key (HMAC) or public-key"),
        (not_pem, "not a PEM public key"),
    ] {
        let mut config = Config::default();
        config.accounts.push(account);
        let error = config.validate().unwrap_err().to_string();
        assert!(error.contains(expected), "{error}");
        assert!(!error.contains("also-a-secret"), "{error}");
    }
}
