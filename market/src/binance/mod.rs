//! Binance Spot market data: the REST depth snapshot and the websocket diff depth stream
//! (`<symbol>@depth@100ms`), the two inputs of the local-book procedure in [`crate::sync`].
//! Public endpoints only: no API key reaches this module.

mod dto;

use crate::sync::{Diff, Snapshot};
use futures::{Stream, StreamExt};
use tokio_tungstenite::tungstenite::Message;
use url::Url;

/// Why market data could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("depth snapshot request failed: {0}")]
    Http(#[from] reqwest::Error),
    #[error("exchange answered {status}: {body}")]
    Api { status: u16, body: String },
    #[error("websocket: {0}")]
    Websocket(#[from] tokio_tungstenite::tungstenite::Error),
    #[error("unexpected message on the depth stream: {0}")]
    Decode(#[from] serde_json::Error),
    #[error("the depth stream closed")]
    Closed,
    #[error("bad endpoint url: {0}")]
    Url(#[from] url::ParseError),
}

/// Decodes a `depthUpdate` event as the stream sends it.
pub fn decode_diff(text: &str) -> Result<Diff, serde_json::Error> {
    serde_json::from_str::<dto::DepthUpdate>(text).map(dto::DepthUpdate::into_domain)
}

/// Decodes a `GET /api/v3/depth` body.
pub fn decode_snapshot(text: &str) -> Result<Snapshot, serde_json::Error> {
    serde_json::from_str::<dto::DepthSnapshot>(text).map(dto::DepthSnapshot::into_domain)
}

/// The public market-data endpoints of one Binance-compatible exchange.
#[derive(Clone, Debug)]
pub struct MarketData {
    rest: Url,
    websocket: Url,
    http: reqwest::Client,
    snapshot_limit: u32,
}

impl MarketData {
    /// `rest` is the API base (`https://api.binance.com`), `websocket` the stream base
    /// (`wss://stream.binance.com:9443`); `snapshot_limit` is the depth snapshot's level count.
    pub fn new(rest: Url, websocket: Url, snapshot_limit: u32) -> Self {
        Self {
            rest,
            websocket,
            http: reqwest::Client::new(),
            snapshot_limit,
        }
    }

    /// `GET /api/v3/depth`: the book at `lastUpdateId`.
    pub async fn snapshot(&self, symbol: &str) -> Result<Snapshot, Error> {
        let url = self.rest.join("api/v3/depth")?;
        let response = self
            .http
            .get(url)
            .query(&[
                ("symbol", symbol),
                ("limit", &self.snapshot_limit.to_string()),
            ])
            .send()
            .await?;
        let status = response.status();
        if !status.is_success() {
            return Err(Error::Api {
                status: status.as_u16(),
                body: response.text().await.unwrap_or_default(),
            });
        }
        Ok(decode_snapshot(&response.text().await?)?)
    }

    /// Opens `/ws/<symbol>@depth@100ms`. The stream ends when the connection does; pings are
    /// answered by the websocket library while the stream is polled.
    pub async fn diffs(
        &self,
        symbol: &str,
    ) -> Result<impl Stream<Item = Result<Diff, Error>> + use<>, Error> {
        let url = self
            .websocket
            .join(&format!("ws/{}@depth@100ms", symbol.to_lowercase()))?;
        let (socket, _) = tokio_tungstenite::connect_async(url.as_str()).await?;
        Ok(socket.filter_map(|message| async move {
            match message {
                Ok(Message::Text(text)) => Some(decode_diff(&text).map_err(Error::from)),
                Ok(Message::Close(_)) => None,
                Ok(_) => None,
                Err(error) => Some(Err(error.into())),
            }
        }))
    }
}
