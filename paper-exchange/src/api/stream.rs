//! The websocket market streams: diff depth `<symbol>@depth@100ms` and `<symbol>@depth`, the
//! perpetuals' `<symbol>@markPrice@1s` and `<symbol>@markPrice` (3 s), raw at
//! `/ws/<stream>` or combined at `/stream?streams=a/b` (wrapped as `{"stream":..,"data":..}`),
//! with Binance's `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY` and
//! `GET_PROPERTY` messages. The server pings every 20 seconds and answers pings.
//!
//! A connection that falls too far behind is closed rather than silently skipping events: a
//! gap would break the client's local book, and reconnecting is Binance's documented remedy.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

use crate::api::Shared;
use crate::engine::depth::{Diff, Speed};
use crate::engine::orders::amount;

const PING_EVERY: Duration = Duration::from_secs(20);

/// One event of a market stream (diff depth, mark price), serialized once for every
/// subscriber.
#[derive(Debug)]
pub struct StreamEvent {
    /// The stream it belongs to, e.g. `ethusdt@depth@100ms`.
    pub stream: String,
    /// `stream` in lower case, as subscriptions are kept (Binance's names are not case
    /// sensitive, `markPrice` has an upper-case letter).
    key: String,
    /// The raw (unwrapped) payload.
    pub json: String,
}

impl StreamEvent {
    /// `<symbol>@markPrice@1s` (`every_second`) or `<symbol>@markPrice` (every 3 s): the mark
    /// and index price (both the synthetic mid) and the reported, never charged, funding.
    pub fn mark_price(
        symbol: &str,
        every_second: bool,
        mark: rust_decimal::Decimal,
        funding_rate: rust_decimal::Decimal,
        event_time: u64,
    ) -> Self {
        let suffix = if every_second {
            "@markPrice@1s"
        } else {
            "@markPrice"
        };
        let json = json!({
            "e": "markPriceUpdate",
            "E": event_time,
            "s": symbol,
            "p": amount(mark),
            "i": amount(mark),
            "P": amount(mark),
            "r": amount(funding_rate),
            "T": crate::api::rest::futures::next_funding_time(event_time),
        });
        let stream = format!("{}{suffix}", symbol.to_ascii_lowercase());
        StreamEvent {
            key: stream.to_ascii_lowercase(),
            stream,
            json: json.to_string(),
        }
    }

    pub fn depth(symbol: &str, speed: Speed, diff: &Diff, event_time: u64) -> Self {
        let suffix = match speed {
            Speed::Fast => "@depth@100ms",
            Speed::Slow => "@depth",
        };
        let levels = |levels: &[(rust_decimal::Decimal, rust_decimal::Decimal)]| {
            levels
                .iter()
                .map(|(p, q)| [amount(*p), amount(*q)])
                .collect::<Vec<_>>()
        };
        let json = json!({
            "e": "depthUpdate",
            "E": event_time,
            "s": symbol,
            "U": diff.first_update_id,
            "u": diff.final_update_id,
            "b": levels(&diff.bids),
            "a": levels(&diff.asks),
        });
        let stream = format!("{}{suffix}", symbol.to_ascii_lowercase());
        StreamEvent {
            key: stream.to_ascii_lowercase(),
            stream,
            json: json.to_string(),
        }
    }
}

/// `/ws` with no stream: subscribe later with `SUBSCRIBE`.
pub async fn raw_without_streams(
    State(shared): State<Arc<Shared>>,
    ws: WebSocketUpgrade,
) -> Response {
    upgrade(ws, &shared, Vec::new(), false)
}

/// `/ws/<stream>` (several separated by `/`), raw payloads; `/ws/<listenKey>` is the futures
/// user data stream of the key's account.
pub async fn raw(
    State(shared): State<Arc<Shared>>,
    Path(streams): Path<String>,
    ws: WebSocketUpgrade,
) -> Response {
    if let Some(user_stream) = crate::api::futures_stream::UserStream::find(&shared, &streams) {
        return user_stream.upgrade(ws);
    }
    upgrade(
        ws,
        &shared,
        streams.split('/').map(str::to_string).collect(),
        false,
    )
}

/// `/stream?streams=a/b`, wrapped payloads.
pub async fn combined(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
    ws: WebSocketUpgrade,
) -> Response {
    let streams = query
        .get("streams")
        .map(|s| s.split('/').map(str::to_string).collect())
        .unwrap_or_default();
    upgrade(ws, &shared, streams, true)
}

fn upgrade(
    ws: WebSocketUpgrade,
    shared: &Shared,
    streams: Vec<String>,
    combined: bool,
) -> Response {
    // subscribe before the upgrade completes, so no event published after the request is missed
    let events = shared.events.resubscribe();
    let subscription = Subscription {
        streams: streams
            .into_iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.to_ascii_lowercase())
            .collect(),
        combined,
    };
    ws.on_upgrade(move |socket| run(socket, events, subscription))
}

/// What one connection receives.
struct Subscription {
    streams: BTreeSet<String>,
    combined: bool,
}

async fn run(
    socket: WebSocket,
    mut events: broadcast::Receiver<Arc<StreamEvent>>,
    mut subscription: Subscription,
) {
    let (mut sink, mut source) = socket.split();
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + PING_EVERY, PING_EVERY);
    loop {
        let outgoing = tokio::select! {
            event = events.recv() => match event {
                Ok(event) if subscription.streams.contains(&event.key) => Some(Message::Text(subscription.frame(&event).into())),
                Ok(_) => None,
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "depth stream subscriber fell behind; closing it");
                    break;
                }
                Err(RecvError::Closed) => break,
            },
            incoming = source.next() => match incoming {
                Some(Ok(Message::Text(text))) => Some(Message::Text(subscription.control(&text).into())),
                // tungstenite answers pings itself; pongs and binary frames need no answer
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Binary(_))) => None,
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
            },
            _ = ping.tick() => Some(Message::Ping(Default::default())),
        };
        if let Some(message) = outgoing
            && sink.send(message).await.is_err()
        {
            break;
        }
    }
    let _ = sink.send(Message::Close(None)).await;
}

impl Subscription {
    fn frame(&self, event: &StreamEvent) -> String {
        if self.combined {
            format!(r#"{{"stream":"{}","data":{}}}"#, event.stream, event.json)
        } else {
            event.json.clone()
        }
    }

    /// Answers one JSON control message, as Binance does.
    fn control(&mut self, text: &Utf8Bytes) -> String {
        let request: Value = match serde_json::from_str(text.as_str()) {
            Ok(request) => request,
            Err(e) => return json!({ "code": 3, "msg": format!("Invalid JSON: {e}") }).to_string(),
        };
        let id = request.get("id").cloned().unwrap_or(Value::Null);
        let params = request
            .get("params")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let names = || {
            params
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_ascii_lowercase)
        };
        let result = match request.get("method").and_then(Value::as_str) {
            Some("SUBSCRIBE") => {
                self.streams.extend(names());
                Value::Null
            }
            Some("UNSUBSCRIBE") => {
                names().for_each(|name| {
                    self.streams.remove(&name);
                });
                Value::Null
            }
            Some("LIST_SUBSCRIPTIONS") => json!(self.streams),
            Some("SET_PROPERTY") => match (params.first().and_then(Value::as_str), params.get(1)) {
                (Some("combined"), Some(Value::Bool(combined))) => {
                    self.combined = *combined;
                    Value::Null
                }
                (Some("combined"), _) => {
                    return json!({ "code": 1, "msg": "Invalid value type: expected Boolean" })
                        .to_string();
                }
                _ => return json!({ "code": 0, "msg": "Unknown property", "id": id }).to_string(),
            },
            Some("GET_PROPERTY") => match params.first().and_then(Value::as_str) {
                Some("combined") => json!(self.combined),
                _ => return json!({ "code": 0, "msg": "Unknown property", "id": id }).to_string(),
            },
            Some(other) => {
                let msg = format!(
                    "Invalid request: unknown variant `{other}`, expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`"
                );
                return json!({ "code": 2, "msg": msg }).to_string();
            }
            None => {
                return json!({ "code": 2, "msg": "Invalid request: missing field `method`" })
                    .to_string();
            }
        };
        json!({ "result": result, "id": id }).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_messages_change_the_subscription() {
        let mut subscription = Subscription {
            streams: BTreeSet::new(),
            combined: false,
        };
        let mut send = |text: &str| {
            serde_json::from_str::<Value>(&subscription.control(&text.into())).unwrap()
        };
        let reply = send(r#"{"method":"SUBSCRIBE","params":["ETHUSDT@depth@100ms"],"id":1}"#);
        assert_eq!(reply, json!({ "result": null, "id": 1 }));
        let reply = send(r#"{"method":"LIST_SUBSCRIPTIONS","id":2}"#);
        assert_eq!(reply, json!({ "result": ["ethusdt@depth@100ms"], "id": 2 }));
        subscription
            .control(&r#"{"method":"SET_PROPERTY","params":["combined",true],"id":3}"#.into());
        assert!(subscription.combined);
        subscription
            .control(&r#"{"method":"UNSUBSCRIBE","params":["ethusdt@depth@100ms"],"id":4}"#.into());
        assert!(subscription.streams.is_empty());
        assert!(subscription.control(&"{".into()).contains(r#""code":3"#));
        assert!(
            subscription
                .control(&r#"{"method":"FOO","id":5}"#.into())
                .contains(r#""code":2"#)
        );
    }
}
