//! The user data stream through the WebSocket API: connect, subscribe with
//! `userDataStream.subscribe.signature`, hand every `executionReport` on, and reconnect with
//! backoff whenever the connection or the subscription ends.
//!
//! Events pushed while disconnected are lost (Binance does not replay them); followers must
//! not rely on the stream alone, which is why [`crate::OrderWatch`] also polls.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::json;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::error::{CODE_INVALID_TIMESTAMP, Error};
use crate::execution_report::{EventFrame, ExecutionReport, StreamEvent};
use crate::rest::Client;
use crate::signing::ws_payload;

const SUBSCRIBE_ID: &str = "subscribe";
const FIRST_RECONNECT_DELAY: Duration = Duration::from_millis(200);
const MAX_RECONNECT_DELAY: Duration = Duration::from_secs(10);

/// The WebSocket API's answer to a request.
#[derive(Deserialize)]
struct ResponseFrame {
    id: Option<String>,
    status: u16,
    error: Option<ErrorBody>,
}

#[derive(Deserialize)]
struct ErrorBody {
    code: i64,
    msg: String,
}

/// Follows the user data stream forever, calling `on_report` for each `executionReport`;
/// `connected` tells whether a subscription is live.
pub(crate) async fn follow(
    client: &Client,
    connected: &AtomicBool,
    on_report: impl Fn(ExecutionReport),
) {
    reconnecting(connected, || run_session(client, connected, &on_report)).await
}

/// Runs `session` (one connection, until it fails or closes) again and again, with a backoff
/// that starts over once a session got as far as `connected`.
pub(crate) async fn reconnecting<S, Fut>(connected: &AtomicBool, mut session: S) -> !
where
    S: FnMut() -> Fut,
    Fut: Future<Output = Result<(), Error>>,
{
    let mut delay = FIRST_RECONNECT_DELAY;
    loop {
        let ended = session()
            .await
            .err()
            .unwrap_or_else(|| Error::Stream("connection closed".into()));
        let was_subscribed = connected.swap(false, Ordering::SeqCst);
        if was_subscribed {
            delay = FIRST_RECONNECT_DELAY;
        }
        tracing::warn!(error = %ended, ?delay, "user data stream down; reconnecting");
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(MAX_RECONNECT_DELAY);
    }
}

/// A websocket connection to `url`, opened within `timeout`.
pub(crate) async fn connect(
    url: &str,
    timeout: Duration,
) -> Result<WebSocketStream<MaybeTlsStream<TcpStream>>, Error> {
    let (socket, _) = tokio::time::timeout(timeout, tokio_tungstenite::connect_async(url))
        .await
        .map_err(|_| Error::Timeout(timeout))?
        .map_err(|e| Error::Stream(e.to_string()))?;
    Ok(socket)
}

async fn run_session(
    client: &Client,
    connected: &AtomicBool,
    on_report: &impl Fn(ExecutionReport),
) -> Result<(), Error> {
    let config = client.config();
    let stream_error = |e: &dyn std::fmt::Display| Error::Stream(e.to_string());
    let socket = connect(config.ws_api_url.as_str(), config.timeout).await?;
    let (mut sink, mut source) = socket.split();

    if client.clock().offset_ms().is_none() {
        client.sync_time().await?;
    }
    let recv_window = config.recv_window.as_millis() as u64;
    let timestamp = client.clock().server_now_ms();
    let signed = [
        ("apiKey", config.credentials.api_key.clone()),
        ("recvWindow", recv_window.to_string()),
        ("timestamp", timestamp.to_string()),
    ];
    let signature = config.credentials.signer().sign(&ws_payload(&signed))?;
    let request = json!({
        "id": SUBSCRIBE_ID,
        "method": "userDataStream.subscribe.signature",
        "params": {
            "apiKey": config.credentials.api_key,
            "recvWindow": recv_window,
            "timestamp": timestamp,
            "signature": signature,
        },
    });
    sink.send(Message::Text(request.to_string().into()))
        .await
        .map_err(|e| stream_error(&e))?;

    while let Some(message) = source.next().await {
        let text = match message.map_err(|e| stream_error(&e))? {
            Message::Text(text) => text,
            Message::Close(_) => return Ok(()),
            // tungstenite answers pings by itself
            _ => continue,
        };
        if let Ok(frame) = serde_json::from_str::<EventFrame>(&text) {
            match frame.event {
                StreamEvent::ExecutionReport(report) => on_report(*report),
                StreamEvent::Terminated => {
                    return Err(Error::Stream("subscription terminated".into()));
                }
                StreamEvent::Other => {}
            }
        } else if let Ok(response) = serde_json::from_str::<ResponseFrame>(&text)
            && response.id.as_deref() == Some(SUBSCRIBE_ID)
        {
            if let Some(error) = response.error {
                if error.code == CODE_INVALID_TIMESTAMP {
                    client.sync_time().await?;
                }
                return Err(Error::Api {
                    status: response.status,
                    code: error.code,
                    msg: error.msg,
                });
            }
            connected.store(true, Ordering::SeqCst);
            tracing::info!("user data stream subscribed");
        }
    }
    Ok(())
}
