//! Injected faults: placements applied but answered -1007 or late, and 429s with
//! `Retry-After`, as clients' recovery tests need them.

use std::time::{Duration, Instant};

use hedgeflow_paper_exchange::{Config, FaultConfig};
use reqwest::{Method, StatusCode};

use crate::support::{Exchange, assert_error};

fn config(faults: FaultConfig) -> Config {
    Config {
        seed: Some(7),
        faults,
        ..Config::default()
    }
}

const MARKET_BUY: [(&str, &str); 5] = [
    ("symbol", "ETHUSDT"),
    ("side", "BUY"),
    ("type", "MARKET"),
    ("quantity", "0.1"),
    ("newClientOrderId", "fault-1"),
];

#[tokio::test]
async fn an_unknown_status_placement_is_applied_and_answered_503() {
    let exchange = Exchange::start(config(FaultConfig {
        unknown_status_placements: 1,
        ..FaultConfig::default()
    }))
    .await;
    let client = exchange.client();
    let answer = client
        .signed(Method::POST, "/api/v3/order", &MARKET_BUY)
        .await;
    assert_error(&answer, StatusCode::SERVICE_UNAVAILABLE, -1007);
    let (status, order) = client
        .signed(
            Method::GET,
            "/api/v3/order",
            &[("symbol", "ETHUSDT"), ("origClientOrderId", "fault-1")],
        )
        .await;
    assert_eq!(
        (status, order["status"].as_str()),
        (StatusCode::OK, Some("FILLED")),
        "{order}"
    );
    // only the first placement is affected
    let mut second = MARKET_BUY;
    second[4].1 = "fault-2";
    let (status, _) = client.signed(Method::POST, "/api/v3/order", &second).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_hung_placement_is_applied_and_answered_late() {
    let exchange = Exchange::start(config(FaultConfig {
        hung_placements: 1,
        hang_for: Duration::from_millis(700),
        ..FaultConfig::default()
    }))
    .await;
    let client = exchange.client();
    let started = Instant::now();
    let (status, order) = client
        .signed(Method::POST, "/api/v3/order", &MARKET_BUY)
        .await;
    assert_eq!(
        (status, order["status"].as_str()),
        (StatusCode::OK, Some("FILLED"))
    );
    assert!(started.elapsed() >= Duration::from_millis(700));
}

#[tokio::test]
async fn rate_limited_requests_get_429_with_retry_after_and_every_answer_the_used_weight() {
    let exchange = Exchange::start(config(FaultConfig {
        rate_limited_requests: 1,
        retry_after: Duration::from_millis(1500),
        ..FaultConfig::default()
    }))
    .await;
    let url = format!("{}/api/v3/time", exchange.base_url());
    let limited = reqwest::get(&url).await.unwrap();
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.headers()["retry-after"], "2");
    assert_eq!(limited.headers()["x-mbx-used-weight-1m"], "1");
    let body: serde_json::Value = limited.json().await.unwrap();
    assert_eq!(body["code"], -1003);
    let served = reqwest::get(&url).await.unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(served.headers()["x-mbx-used-weight-1m"], "2");
}

#[tokio::test]
async fn faults_armed_at_runtime_fire_on_the_next_requests_and_only_a_known_key_arms_them() {
    let exchange = Exchange::start(config(FaultConfig::default())).await;
    let url = format!("{}/paper/v1/faults", exchange.base_url());
    let arm = |key: Option<&'static str>, body: &'static str| {
        let mut request = reqwest::Client::new().post(&url).body(body);
        if let Some(key) = key {
            request = request.header("X-MBX-APIKEY", key);
        }
        async move {
            let answer = request.send().await.unwrap();
            (
                answer.status(),
                answer.json::<serde_json::Value>().await.unwrap(),
            )
        }
    };
    let counts = r#"{"unknownStatusPlacements":1,"rateLimitedRequests":1}"#;
    assert_error(&arm(None, counts).await, StatusCode::UNAUTHORIZED, -2014);
    assert_error(
        &arm(Some("nobody"), counts).await,
        StatusCode::UNAUTHORIZED,
        -2015,
    );
    let key = hedgeflow_paper_exchange::DEV_API_KEY;
    let typo = r#"{"unknownStatus":1}"#;
    assert_error(&arm(Some(key), typo).await, StatusCode::BAD_REQUEST, -1102);
    // Nothing was armed by the refused requests: a placement goes through.
    let client = exchange.client();
    let mut first = MARKET_BUY;
    first[4].1 = "armed-0";
    let (status, _) = client.signed(Method::POST, "/api/v3/order", &first).await;
    assert_eq!(status, StatusCode::OK);

    let (status, armed) = arm(Some(key), counts).await;
    assert_eq!(status, StatusCode::OK, "{armed}");
    let time = format!("{}/api/v3/time", exchange.base_url());
    let limited = reqwest::get(&time).await.unwrap();
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let answer = client
        .signed(Method::POST, "/api/v3/order", &MARKET_BUY)
        .await;
    assert_error(&answer, StatusCode::SERVICE_UNAVAILABLE, -1007);
    let mut next = MARKET_BUY;
    next[4].1 = "armed-2";
    let (status, _) = client.signed(Method::POST, "/api/v3/order", &next).await;
    assert_eq!(status, StatusCode::OK);
}
