//! Binance's WebSocket API at `/ws-api/v3`, the part a trading client needs to follow its
//! orders: requests `{"id","method","params"}` answered `{"id","status","result"|"error"}`,
//! and the user data stream pushed as `{"subscriptionId","event"}` frames after
//! `userDataStream.subscribe.signature`.
//!
//! - [`methods`]: one connection's session and the methods it answers.
//!
//! A connection that falls too far behind the account events is closed rather than silently
//! skipping some: a client that reconnects knows it may have missed events and can query
//! its orders, a client with a silent gap does not.

mod methods;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use futures::{SinkExt, StreamExt};
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

use crate::api::Shared;
use crate::engine::user_data::{SpotEvent, UserEvent};
use methods::Session;

/// Binance's WebSocket API pings every 20 seconds.
const PING_EVERY: Duration = Duration::from_secs(20);

/// `GET /ws-api/v3`
pub async fn upgrade(State(shared): State<Arc<Shared>>, ws: WebSocketUpgrade) -> Response {
    // before the upgrade completes, so that no event after the request is missed
    let events = shared.exchange().ledger.events.subscribe();
    ws.on_upgrade(move |socket| run(socket, shared, events))
}

async fn run(
    socket: WebSocket,
    shared: Arc<Shared>,
    mut events: broadcast::Receiver<Arc<UserEvent<SpotEvent>>>,
) {
    let (mut sink, mut source) = socket.split();
    let mut session = Session::default();
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + PING_EVERY, PING_EVERY);
    loop {
        let frames: Vec<Message> = tokio::select! {
            event = events.recv() => match event {
                Ok(event) => session.frames_for(&event).into_iter().map(|f| Message::Text(f.into())).collect(),
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "user data stream subscriber fell behind; closing it");
                    break;
                }
                Err(RecvError::Closed) => break,
            },
            incoming = source.next() => match incoming {
                Some(Ok(Message::Text(text))) => session
                    .answer(&shared, text.as_str())
                    .into_iter()
                    .map(|f| Message::Text(f.into()))
                    .collect(),
                // tungstenite answers pings itself
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Binary(_))) => Vec::new(),
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
            },
            _ = ping.tick() => vec![Message::Ping(Default::default())],
        };
        for frame in frames {
            if sink.send(frame).await.is_err() {
                return;
            }
        }
    }
    let _ = sink.send(Message::Close(None)).await;
}
