//! SIGNED endpoint security over a real socket.

use reqwest::{Method, StatusCode};

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
