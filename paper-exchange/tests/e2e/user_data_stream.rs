//! The WebSocket API's user data stream: subscription with a signature, and an event for
//! every change of the account's orders and balances.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use hedgeflow_paper_exchange::{DEV_API_KEY, DEV_SECRET_KEY};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

use crate::support::{Exchange, dec, dec_of, now_ms, sign};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The next text frame, as JSON.
async fn next(socket: &mut Socket) -> Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("no frame within 5 s")
            .expect("socket closed")
            .unwrap();
        if let Message::Text(text) = frame {
            return serde_json::from_str(text.as_str()).unwrap();
        }
    }
}

async fn request(socket: &mut Socket, request: Value) -> Value {
    socket
        .send(Message::Text(request.to_string().into()))
        .await
        .unwrap();
    next(socket).await
}

/// `userDataStream.subscribe.signature`, signed as Binance's WebSocket API documents: the
/// parameters but `signature`, sorted by name.
fn subscribe(id: u64, secret: &str, timestamp: u64) -> Value {
    let payload = format!("apiKey={DEV_API_KEY}&recvWindow=5000&timestamp={timestamp}");
    json!({
        "id": id,
        "method": "userDataStream.subscribe.signature",
        "params": {
            "apiKey": DEV_API_KEY,
            "recvWindow": 5000,
            "timestamp": timestamp,
            "signature": sign(secret, &payload),
        },
    })
}

/// The next `executionReport` event, skipping balance events.
async fn next_report(socket: &mut Socket) -> Value {
    loop {
        let frame = next(socket).await;
        if frame["event"]["e"] == "executionReport" {
            assert_eq!(frame["subscriptionId"], 0, "{frame}");
            return frame["event"].clone();
        }
    }
}

#[tokio::test]
async fn subscriptions_are_signed_and_checked_like_rest() {
    let exchange = Exchange::start_default().await;
    let (mut socket, _) = connect_async(exchange.ws_url("/ws-api/v3")).await.unwrap();
    let pong = request(&mut socket, json!({"id": "p", "method": "ping"})).await;
    assert_eq!(pong, json!({"id": "p", "status": 200, "result": {}}));
    let time = request(&mut socket, json!({"id": 2, "method": "time"})).await;
    assert!(time["result"]["serverTime"].as_u64().is_some(), "{time}");

    let bad = request(&mut socket, subscribe(3, "not-the-secret", now_ms())).await;
    assert_eq!(
        (bad["status"].as_u64(), &bad["error"]["code"]),
        (Some(400), &json!(-1022)),
        "{bad}"
    );
    let stale = request(&mut socket, subscribe(4, DEV_SECRET_KEY, now_ms() - 60_000)).await;
    assert_eq!(stale["error"]["code"], -1021, "{stale}");
    let unknown = request(&mut socket, json!({"id": 5, "method": "order.place"})).await;
    assert_eq!(unknown["error"]["code"], -1020, "{unknown}");
    let none = request(
        &mut socket,
        json!({"id": 6, "method": "userDataStream.unsubscribe"}),
    )
    .await;
    assert_eq!(none["error"]["code"], -2036, "{none}");

    let good = request(&mut socket, subscribe(7, DEV_SECRET_KEY, now_ms())).await;
    assert_eq!(
        good,
        json!({"id": 7, "status": 200, "result": {"subscriptionId": 0}})
    );
    let bye = request(
        &mut socket,
        json!({"id": 8, "method": "userDataStream.unsubscribe"}),
    )
    .await;
    assert_eq!(bye, json!({"id": 8, "status": 200, "result": {}}));
    let ended = next(&mut socket).await;
    assert_eq!(ended["subscriptionId"], 0);
    assert_eq!(ended["event"]["e"], "eventStreamTerminated");
}

#[tokio::test]
async fn every_order_change_is_pushed_as_an_execution_report() {
    let exchange = Exchange::start_default().await;
    let client = exchange.client();
    let (mut socket, _) = connect_async(exchange.ws_url("/ws-api/v3")).await.unwrap();
    let good = request(&mut socket, subscribe(1, DEV_SECRET_KEY, now_ms())).await;
    assert_eq!(good["status"], 200, "{good}");

    // a resting order, then its cancel
    let (_, depth) = client.get("/api/v3/depth?symbol=ETHUSDT&limit=1").await;
    let price = (dec_of(&depth["bids"][0][0]) * dec("0.8"))
        .round_dp(2)
        .to_string();
    let (status, _) = client
        .signed(
            Method::POST,
            "/api/v3/order",
            &[
                ("symbol", "ETHUSDT"),
                ("side", "BUY"),
                ("type", "LIMIT"),
                ("timeInForce", "GTC"),
                ("quantity", "0.5"),
                ("price", &price),
                ("newClientOrderId", "uds-1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let new = next_report(&mut socket).await;
    assert_eq!(
        (&new["x"], &new["X"], &new["c"], &new["C"]),
        (&json!("NEW"), &json!("NEW"), &json!("uds-1"), &json!(""))
    );
    assert_eq!(
        (&new["q"], &new["l"], &new["N"], &new["t"]),
        (
            &json!("0.50000000"),
            &json!("0.00000000"),
            &Value::Null,
            &json!(-1)
        )
    );
    let position = next(&mut socket).await;
    assert_eq!(
        position["event"]["e"], "outboundAccountPosition",
        "{position}"
    );
    let usdt = position["event"]["B"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["a"] == "USDT")
        .unwrap()
        .clone();
    assert_eq!(dec_of(&usdt["l"]), dec(&price) * dec("0.5"));

    let (status, _) = client
        .signed(
            Method::DELETE,
            "/api/v3/order",
            &[
                ("symbol", "ETHUSDT"),
                ("origClientOrderId", "uds-1"),
                ("newClientOrderId", "uds-cancel"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let canceled = next_report(&mut socket).await;
    // a cancel's report names the cancel request in `c` and the order in `C`
    assert_eq!(
        (
            &canceled["x"],
            &canceled["X"],
            &canceled["c"],
            &canceled["C"]
        ),
        (
            &json!("CANCELED"),
            &json!("CANCELED"),
            &json!("uds-cancel"),
            &json!("uds-1")
        )
    );

    // a market order: NEW, then one TRADE per fill with its commission, the last one FILLED
    let (status, order) = client
        .signed(
            Method::POST,
            "/api/v3/order",
            &[
                ("symbol", "ETHUSDT"),
                ("side", "BUY"),
                ("type", "MARKET"),
                ("quantity", "2"),
                ("newClientOrderId", "uds-2"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(next_report(&mut socket).await["x"], "NEW");
    let fills = order["fills"].as_array().unwrap();
    for (index, fill) in fills.iter().enumerate() {
        let trade = next_report(&mut socket).await;
        assert_eq!(
            (&trade["x"], &trade["c"], &trade["N"], &trade["m"]),
            (
                &json!("TRADE"),
                &json!("uds-2"),
                &json!("ETH"),
                &json!(false)
            )
        );
        assert_eq!(
            (&trade["l"], &trade["L"], &trade["n"], &trade["t"]),
            (
                &fill["qty"],
                &fill["price"],
                &fill["commission"],
                &fill["tradeId"]
            )
        );
        let last = index + 1 == fills.len();
        assert_eq!(trade["X"], if last { "FILLED" } else { "PARTIALLY_FILLED" });
        if last {
            assert_eq!(trade["z"], "2.00000000");
            assert_eq!(trade["Z"], order["cummulativeQuoteQty"]);
        }
    }
}
