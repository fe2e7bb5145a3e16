//! The futures user data stream at `/ws/<listenKey>`: the `ORDER_TRADE_UPDATE` and
//! `ACCOUNT_UPDATE` events of the key's account, raw, until the key expires or is deleted
//! (then `listenKeyExpired` and the connection closes).
//!
//! A connection that falls too far behind is closed rather than silently skipping events, as
//! the WebSocket API's user data stream does.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use futures::{SinkExt, StreamExt};
use serde_json::json;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

use crate::api::Shared;
use crate::api::user_data::futures_event;
use crate::engine::accounts::AccountId;
use crate::engine::futures::events::FuturesEvent;
use crate::engine::now_ms;
use crate::engine::user_data::UserEvent;

const PING_EVERY: Duration = Duration::from_secs(20);
/// How often a quiet connection checks that its key is still live.
const KEY_CHECK_EVERY: Duration = Duration::from_secs(1);

/// A user data stream connection about to start: the live listen key and its account.
pub struct UserStream {
    shared: Arc<Shared>,
    key: String,
    account: AccountId,
    events: broadcast::Receiver<Arc<UserEvent<FuturesEvent>>>,
}

impl UserStream {
    /// The user data stream of `path`, if it is a live listen key (otherwise `path` names
    /// market streams). Subscribes to the events at once, so that none after the request is
    /// missed.
    pub fn find(shared: &Arc<Shared>, path: &str) -> Option<Self> {
        let exchange = shared.exchange();
        let account = exchange.futures.listen_keys.account_of(path, now_ms())?;
        Some(UserStream {
            shared: shared.clone(),
            key: path.to_string(),
            account,
            events: exchange.futures.events.subscribe(),
        })
    }

    pub fn upgrade(self, ws: WebSocketUpgrade) -> Response {
        ws.on_upgrade(move |socket| run(socket, self.shared, self.key, self.account, self.events))
    }
}

async fn run(
    socket: WebSocket,
    shared: Arc<Shared>,
    key: String,
    account: AccountId,
    mut events: broadcast::Receiver<Arc<UserEvent<FuturesEvent>>>,
) {
    let (mut sink, mut source) = socket.split();
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + PING_EVERY, PING_EVERY);
    let mut key_check = tokio::time::interval(KEY_CHECK_EVERY);
    let live = |shared: &Shared| {
        let now = now_ms();
        shared.exchange().futures.listen_keys.account_of(&key, now) == Some(account)
    };
    loop {
        let outgoing = tokio::select! {
            event = events.recv() => match event {
                Ok(event) if event.account == account => Some(Message::Text(futures_event(&event.event).to_string().into())),
                Ok(_) => None,
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "futures user data stream subscriber fell behind; closing it");
                    break;
                }
                Err(RecvError::Closed) => break,
            },
            incoming = source.next() => match incoming {
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                // tungstenite answers pings itself; nothing else needs an answer
                Some(Ok(_)) => None,
            },
            _ = key_check.tick() => {
                if live(&shared) {
                    None
                } else {
                    let now = now_ms();
                    let expired = json!({ "e": "listenKeyExpired", "E": now, "listenKey": key });
                    let _ = sink.send(Message::Text(expired.to_string().into())).await;
                    break;
                }
            }
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
