//! The diff depth streams: Binance's local order book procedure, run against the exchange,
//! must reproduce its REST snapshots exactly.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use hedgeflow_paper_exchange::Config;
use reqwest::Method;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;

use crate::support::{Client, Exchange, dec, dec_of};

type Side = BTreeMap<Decimal, Decimal>;

#[derive(Debug, PartialEq)]
struct LocalBook {
    update_id: u64,
    bids: Side,
    asks: Side,
}

fn side(levels: &Value) -> Side {
    levels
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (dec_of(&l[0]), dec_of(&l[1])))
        .collect()
}

fn apply(side: &mut Side, levels: &Value) {
    for level in levels.as_array().unwrap() {
        let (price, qty) = (dec_of(&level[0]), dec_of(&level[1]));
        if qty.is_zero() {
            side.remove(&price);
        } else {
            side.insert(price, qty);
        }
    }
}

async fn snapshot(client: &Client) -> LocalBook {
    let (_, depth) = client.get("/api/v3/depth?symbol=ETHUSDT&limit=1000").await;
    LocalBook {
        update_id: depth["lastUpdateId"].as_u64().unwrap(),
        bids: side(&depth["bids"]),
        asks: side(&depth["asks"]),
    }
}

/// Reads text frames of a websocket into a channel, as JSON.
async fn subscribe(url: String) -> mpsc::UnboundedReceiver<Value> {
    let (socket, _) = connect_async(url).await.unwrap();
    let (_, mut read) = socket.split();
    let (sender, receiver) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(Ok(message)) = read.next().await {
            if let Message::Text(text) = message
                && sender
                    .send(serde_json::from_str(text.as_str()).unwrap())
                    .is_err()
            {
                break;
            }
        }
    });
    receiver
}

async fn next(events: &mut mpsc::UnboundedReceiver<Value>) -> Value {
    tokio::time::timeout(Duration::from_secs(5), events.recv())
        .await
        .expect("no event within 5 s")
        .expect("stream ended")
}

#[tokio::test]
async fn snapshot_plus_diffs_reproduces_later_snapshots() {
    // ticks slower than the 100 ms stream, so most events carry one update and line up with snapshots
    let config = Config {
        seed: Some(3),
        tick_interval: Duration::from_millis(300),
        ..Config::default()
    };
    let exchange = Exchange::start(config).await;
    let client = exchange.client();
    let mut events = subscribe(exchange.ws_url("/ws/ethusdt@depth@100ms")).await;

    // Binance's procedure: buffer, note the first U, snapshot until lastUpdateId >= U
    let first = next(&mut events).await;
    assert_eq!(
        (first["e"].as_str(), first["s"].as_str()),
        (Some("depthUpdate"), Some("ETHUSDT")),
        "{first}"
    );
    assert!(first["E"].as_u64().is_some());
    let mut buffered = vec![first.clone()];
    let mut book = loop {
        let book = snapshot(&client).await;
        if book.update_id >= first["U"].as_u64().unwrap() {
            break book;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };

    // over three seconds: user orders move the book too, and snapshots are taken along the way
    let bid = *book.bids.keys().next_back().unwrap();
    let mut snapshots = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    let mut round = 0;
    while tokio::time::Instant::now() < deadline {
        round += 1;
        if round % 5 == 0 {
            let price = (bid - dec("1") - Decimal::from(round)).to_string();
            let params = [
                ("symbol", "ETHUSDT"),
                ("side", "BUY"),
                ("type", "LIMIT"),
                ("timeInForce", "GTC"),
                ("quantity", "0.37"),
                ("price", price.as_str()),
            ];
            let (status, order) = client.signed(Method::POST, "/api/v3/order", &params).await;
            assert!(status.is_success(), "{order}");
        }
        snapshots.push(snapshot(&client).await);
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    while let Ok(event) = events.try_recv() {
        buffered.push(event);
    }

    let snapshot_id = book.update_id;
    let mut buffered = buffered
        .into_iter()
        .skip_while(|e| e["u"].as_u64().unwrap() <= snapshot_id)
        .peekable();
    let first_applied = buffered.peek().expect("no event after the snapshot");
    assert!(
        first_applied["U"].as_u64().unwrap() <= book.update_id + 1,
        "gap after the snapshot: {first_applied}"
    );
    let mut matched = 0;
    for event in buffered {
        let (first_id, last_id) = (event["U"].as_u64().unwrap(), event["u"].as_u64().unwrap());
        assert!(
            first_id <= book.update_id + 1 && last_id > book.update_id,
            "event out of sequence at {}: {event}",
            book.update_id
        );
        apply(&mut book.bids, &event["b"]);
        apply(&mut book.asks, &event["a"]);
        book.update_id = last_id;
        for taken in snapshots.iter().filter(|s| s.update_id == last_id) {
            assert_eq!(
                &book, taken,
                "local book differs from the snapshot at update {last_id}"
            );
            matched += 1;
        }
    }
    assert!(
        matched >= 3,
        "only {matched} snapshots lined up with an event's final update id"
    );
    let resting = dec("0.37");
    assert!(
        book.bids.values().any(|q| *q == resting),
        "the users' resting orders never reached the stream"
    );
}

#[tokio::test]
async fn combined_streams_are_wrapped_and_subscriptions_work() {
    let exchange = Exchange::start_default().await;
    let mut combined =
        subscribe(exchange.ws_url("/stream?streams=ethusdt@depth@100ms/btcusdt@depth")).await;
    let mut seen = BTreeMap::new();
    while seen.len() < 2 {
        let message = next(&mut combined).await;
        let stream = message["stream"]
            .as_str()
            .expect("combined events name their stream")
            .to_string();
        assert_eq!(message["data"]["e"], "depthUpdate");
        seen.insert(stream, message["data"]["s"].clone());
    }
    assert_eq!(seen["ethusdt@depth@100ms"], "ETHUSDT");
    assert_eq!(seen["btcusdt@depth"], "BTCUSDT");

    let (mut socket, _) = connect_async(exchange.ws_url("/ws")).await.unwrap();
    let subscribe = json!({ "method": "SUBSCRIBE", "params": ["ethbtc@depth@100ms"], "id": 7 });
    socket
        .send(Message::Text(subscribe.to_string().into()))
        .await
        .unwrap();
    socket
        .send(Message::Ping("are you there".into()))
        .await
        .unwrap();
    let (mut reply, mut pong, mut event) = (None, false, None);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while reply.is_none() || !pong || event.is_none() {
        let message = tokio::time::timeout_at(deadline, socket.next())
            .await
            .expect("timed out")
            .unwrap()
            .unwrap();
        match message {
            Message::Pong(payload) => pong = payload.as_ref() == b"are you there",
            Message::Text(text) => {
                let value: Value = serde_json::from_str(text.as_str()).unwrap();
                if value.get("e").is_some() {
                    event = Some(value);
                } else {
                    reply = Some(value);
                }
            }
            _ => {}
        }
    }
    assert_eq!(reply.unwrap(), json!({ "result": null, "id": 7 }));
    let event = event.unwrap();
    assert_eq!(event["s"], "ETHBTC");
    assert!(event["U"].as_u64().unwrap() <= event["u"].as_u64().unwrap());
}
