//! The futures user data stream: a listen key (`POST /fapi/v1/listenKey`, kept alive every
//! 30 minutes with `PUT`), the websocket `<futures ws base>/ws/<listenKey>`, and every
//! `ORDER_TRADE_UPDATE` handed on as an [`ExecutionReport`], so that the futures watch
//! shares the Spot watch's bookkeeping. Reconnects with backoff (a new or extended key each
//! time) when the connection fails or the key expires.
//!
//! Events pushed while disconnected are lost; [`super::FuturesOrderWatch`] also polls.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::StreamExt;
use reqwest::Method;
use rust_decimal::Decimal;
use serde::Deserialize;
use tokio_tungstenite::tungstenite::Message;

use super::FuturesClient;
use crate::error::Error;
use crate::execution_report::{ExecutionReport, ExecutionType};
use crate::orders::{OrderStatus, Side};
use crate::user_stream::{connect, reconnecting};

/// Binance expires a listen key 60 minutes after its last keepalive.
const KEEPALIVE_EVERY: Duration = Duration::from_secs(30 * 60);

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListenKeyDto {
    listen_key: String,
}

/// One pushed event of the futures user data stream (only what following orders needs).
#[derive(Deserialize)]
#[serde(tag = "e")]
enum FuturesEvent {
    #[serde(rename = "ORDER_TRADE_UPDATE")]
    OrderTradeUpdate {
        #[serde(rename = "E")]
        event_time: i64,
        #[serde(rename = "o")]
        order: Box<OrderUpdateDto>,
    },
    #[serde(rename = "listenKeyExpired")]
    ListenKeyExpired,
    #[serde(other)]
    Other,
}

/// The `o` object of `ORDER_TRADE_UPDATE`.
#[derive(Deserialize)]
struct OrderUpdateDto {
    s: String,
    c: String,
    #[serde(rename = "S")]
    side: Side,
    q: Decimal,
    p: Decimal,
    ap: Decimal,
    x: ExecutionType,
    #[serde(rename = "X")]
    status: OrderStatus,
    i: u64,
    l: Decimal,
    z: Decimal,
    #[serde(rename = "L")]
    last_price: Decimal,
    /// Only with a trade.
    n: Option<Decimal>,
    #[serde(rename = "N")]
    commission_asset: Option<String>,
    #[serde(rename = "T")]
    time: i64,
    t: i64,
    m: bool,
}

impl OrderUpdateDto {
    /// The update as the Spot stream's report: the cumulative quote is the average price
    /// times the executed quantity (futures do not send it).
    fn into_report(self, event_time: i64) -> ExecutionReport {
        let trade = self.x == ExecutionType::Trade;
        ExecutionReport {
            event_time,
            symbol: self.s,
            client_order_id: self.c,
            orig_client_order_id: String::new(),
            side: self.side,
            orig_qty: self.q,
            price: self.p,
            execution_type: self.x,
            status: self.status,
            order_id: self.i,
            last_qty: self.l,
            executed_qty: self.z,
            last_price: self.last_price,
            commission: self.n.unwrap_or_default(),
            commission_asset: self.commission_asset.filter(|_| trade),
            transaction_time: self.time,
            // futures send 0 without a trade; the Spot convention is -1
            trade_id: if trade { self.t } else { -1 },
            cumulative_quote_qty: self.ap * self.z,
            last_quote_qty: self.l * self.last_price,
            is_maker: self.m,
        }
    }
}

impl FuturesClient {
    /// The account's listen key: a new one, or the live one extended.
    pub async fn listen_key(&self) -> Result<String, Error> {
        let key: ListenKeyDto = self.rest.keyed(Method::POST, "/fapi/v1/listenKey").await?;
        Ok(key.listen_key)
    }

    /// Keeps the account's listen key alive for another 60 minutes.
    pub async fn keepalive_listen_key(&self) -> Result<(), Error> {
        let _: serde_json::Value = self.rest.keyed(Method::PUT, "/fapi/v1/listenKey").await?;
        Ok(())
    }

    /// Closes the account's user data stream.
    pub async fn close_listen_key(&self) -> Result<(), Error> {
        let _: serde_json::Value = self
            .rest
            .keyed(Method::DELETE, "/fapi/v1/listenKey")
            .await?;
        Ok(())
    }
}

/// Follows the futures user data stream forever, calling `on_report` for each
/// `ORDER_TRADE_UPDATE`; `connected` tells whether a connection is live.
pub(crate) async fn follow(
    client: &FuturesClient,
    connected: &AtomicBool,
    on_report: impl Fn(ExecutionReport),
) {
    reconnecting(connected, || run_session(client, connected, &on_report)).await
}

async fn run_session(
    client: &FuturesClient,
    connected: &AtomicBool,
    on_report: &impl Fn(ExecutionReport),
) -> Result<(), Error> {
    let key = client.listen_key().await?;
    let mut url = client.config().futures_ws_url.clone();
    url.set_path(&format!("/ws/{key}"));
    let mut socket = connect(url.as_str(), client.config().timeout).await?;
    connected.store(true, Ordering::SeqCst);
    tracing::info!("futures user data stream connected");
    let start = tokio::time::Instant::now() + KEEPALIVE_EVERY;
    let mut keepalive = tokio::time::interval_at(start, KEEPALIVE_EVERY);
    loop {
        tokio::select! {
            message = socket.next() => {
                let text = match message {
                    None | Some(Ok(Message::Close(_))) => return Ok(()),
                    Some(Err(e)) => return Err(Error::Stream(e.to_string())),
                    Some(Ok(Message::Text(text))) => text,
                    // tungstenite answers pings by itself
                    Some(Ok(_)) => continue,
                };
                match serde_json::from_str::<FuturesEvent>(&text) {
                    Ok(FuturesEvent::OrderTradeUpdate { event_time, order }) => {
                        on_report(order.into_report(event_time));
                    }
                    Ok(FuturesEvent::ListenKeyExpired) => {
                        return Err(Error::Stream("listen key expired".into()));
                    }
                    Ok(FuturesEvent::Other) => {}
                    Err(e) => tracing::warn!(error = %e, "unreadable futures user data event"),
                }
            }
            _ = keepalive.tick() => client.keepalive_listen_key().await?,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_documented_order_trade_update_becomes_a_report() {
        // Binance's ORDER_TRADE_UPDATE example, a partial fill
        let event = r#"{"e":"ORDER_TRADE_UPDATE","E":1568879465651,"T":1568879465650,"o":{
            "s":"BTCUSDT","c":"TEST","S":"SELL","o":"TRAILING_STOP_MARKET","f":"GTC","q":"0.001",
            "p":"0","ap":"7000","sp":"7103.04","x":"TRADE","X":"PARTIALLY_FILLED","i":8886774,
            "l":"0.0005","z":"0.0005","L":"7000","N":"USDT","n":"0.0014","T":1568879465650,"t":12,
            "b":"0","a":"9.91","m":false,"R":false,"wt":"CONTRACT_PRICE","ot":"TRAILING_STOP_MARKET",
            "ps":"BOTH","cp":false,"AP":"7476.89","cr":"5.0","pP":false,"si":0,"ss":0,"rp":"0",
            "V":"EXPIRE_TAKER","pm":"OPPONENT","gtd":0}}"#;
        let FuturesEvent::OrderTradeUpdate { event_time, order } =
            serde_json::from_str(event).unwrap()
        else {
            panic!("not an order update");
        };
        let report = order.into_report(event_time);
        assert_eq!(report.client_order_id(), "TEST");
        assert_eq!(report.status, OrderStatus::PartiallyFilled);
        assert_eq!(report.trade_id, 12);
        assert_eq!(report.commission_asset.as_deref(), Some("USDT"));
        assert_eq!(report.cumulative_quote_qty, "3.5".parse().unwrap());
        let expired: FuturesEvent =
            serde_json::from_str(r#"{"e":"listenKeyExpired","E":1,"listenKey":"k"}"#).unwrap();
        assert!(matches!(expired, FuturesEvent::ListenKeyExpired));
    }
}
