//! The user data stream's events as the WebSocket API pushes them:
//! `{"subscriptionId":N,"event":{"e":...}}`. Only what following orders needs is read:
//! `executionReport` (user-data-stream.md, "Order Update") and `eventStreamTerminated`.

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::orders::{OrderStatus, Side};

/// What happened to the order (`x`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExecutionType {
    New,
    Canceled,
    Replaced,
    Rejected,
    Trade,
    Expired,
    TradePrevention,
    #[serde(other)]
    Other,
}

/// One `executionReport`: an order's state after one change.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ExecutionReport {
    #[serde(rename = "E")]
    pub event_time: i64,
    #[serde(rename = "s")]
    pub symbol: String,
    /// `c`: the order's client order id, except in a cancel's report, where it is the cancel
    /// request's; see [`ExecutionReport::client_order_id`].
    #[serde(rename = "c")]
    pub(crate) client_order_id: String,
    /// `C`: in a cancel's report, the canceled order's client order id; else empty.
    #[serde(rename = "C", default)]
    pub(crate) orig_client_order_id: String,
    #[serde(rename = "S")]
    pub side: Side,
    #[serde(rename = "q")]
    pub orig_qty: Decimal,
    #[serde(rename = "p")]
    pub price: Decimal,
    #[serde(rename = "x")]
    pub execution_type: ExecutionType,
    #[serde(rename = "X")]
    pub status: OrderStatus,
    #[serde(rename = "i")]
    pub order_id: u64,
    /// `l`: quantity of this execution.
    #[serde(rename = "l")]
    pub last_qty: Decimal,
    /// `z`: quantity executed so far.
    #[serde(rename = "z")]
    pub executed_qty: Decimal,
    /// `L`: price of this execution.
    #[serde(rename = "L")]
    pub last_price: Decimal,
    /// `n`: commission of this execution.
    #[serde(rename = "n")]
    pub commission: Decimal,
    /// `N`: its asset (null when there was no execution).
    #[serde(rename = "N")]
    pub commission_asset: Option<String>,
    #[serde(rename = "T")]
    pub transaction_time: i64,
    /// `t`: trade id, -1 when there was no execution.
    #[serde(rename = "t")]
    pub trade_id: i64,
    /// `Z`: quote quantity executed so far.
    #[serde(rename = "Z")]
    pub cumulative_quote_qty: Decimal,
    /// `Y`: quote quantity of this execution.
    #[serde(rename = "Y")]
    pub last_quote_qty: Decimal,
    #[serde(rename = "m")]
    pub is_maker: bool,
}

impl ExecutionReport {
    /// The client order id of the order this report is about.
    pub fn client_order_id(&self) -> &str {
        if self.orig_client_order_id.is_empty() {
            &self.client_order_id
        } else {
            &self.orig_client_order_id
        }
    }
}

/// One pushed event of a user data stream subscription.
#[derive(Debug, Deserialize)]
#[serde(tag = "e")]
pub(crate) enum StreamEvent {
    #[serde(rename = "executionReport")]
    ExecutionReport(Box<ExecutionReport>),
    /// The subscription ended (unsubscribed, or the session closed).
    #[serde(rename = "eventStreamTerminated")]
    Terminated,
    #[serde(other)]
    Other,
}

/// A pushed frame, `{"subscriptionId":N,"event":{...}}`.
#[derive(Debug, Deserialize)]
pub(crate) struct EventFrame {
    pub event: StreamEvent,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// user-data-stream.md's example, as pushed by the WebSocket API.
    const DOCUMENTED: &str = r#"{"subscriptionId":0,"event":{"e":"executionReport","E":1499405658658,
        "s":"ETHBTC","c":"mUvoqJxFIILMdfAW5iGSOW","S":"BUY","o":"LIMIT","f":"GTC","q":"1.00000000",
        "p":"0.10264410","P":"0.00000000","F":"0.00000000","g":-1,"C":"","x":"NEW","X":"NEW","r":"NONE",
        "i":4293153,"l":"0.00000000","z":"0.00000000","L":"0.00000000","n":"0","N":null,"T":1499405658657,
        "t":-1,"v":3,"I":8641984,"w":true,"m":false,"M":false,"O":1499405658657,"Z":"0.00000000",
        "Y":"0.00000000","Q":"0.00000000","W":1499405658657,"V":"NONE"}}"#;

    #[test]
    fn the_documented_execution_report_parses() {
        let frame: EventFrame = serde_json::from_str(DOCUMENTED).unwrap();
        let StreamEvent::ExecutionReport(report) = frame.event else {
            panic!("not an execution report");
        };
        assert_eq!(report.client_order_id(), "mUvoqJxFIILMdfAW5iGSOW");
        assert_eq!(report.execution_type, ExecutionType::New);
        assert_eq!(report.status, OrderStatus::New);
        assert_eq!(report.order_id, 4293153);
        assert_eq!(report.price, "0.1026441".parse().unwrap());
        assert_eq!(report.commission_asset, None);
        assert_eq!(report.trade_id, -1);
    }

    #[test]
    fn a_fill_and_a_cancel_report_name_the_order() {
        let trade = DOCUMENTED
            .replace(r#""x":"NEW","X":"NEW""#, r#""x":"TRADE","X":"FILLED""#)
            .replace(r#""l":"0.00000000""#, r#""l":"1.00000000""#)
            .replace(r#""n":"0","N":null"#, r#""n":"0.00100000","N":"ETH""#)
            .replace(r#""t":-1"#, r#""t":77"#);
        let frame: EventFrame = serde_json::from_str(&trade).unwrap();
        let StreamEvent::ExecutionReport(report) = frame.event else {
            panic!("not an execution report");
        };
        assert_eq!(report.status, OrderStatus::Filled);
        assert_eq!(report.last_qty, rust_decimal::Decimal::ONE);
        assert_eq!(report.commission_asset.as_deref(), Some("ETH"));
        assert_eq!(report.trade_id, 77);

        let cancel = DOCUMENTED
            .replace(r#""C":"""#, r#""C":"hedge-7""#)
            .replace(r#""x":"NEW","X":"NEW""#, r#""x":"CANCELED","X":"CANCELED""#);
        let frame: EventFrame = serde_json::from_str(&cancel).unwrap();
        let StreamEvent::ExecutionReport(report) = frame.event else {
            panic!("not an execution report");
        };
        assert_eq!(report.client_order_id(), "hedge-7");

        let ended: EventFrame = serde_json::from_str(
            r#"{"subscriptionId":0,"event":{"e":"eventStreamTerminated","E":1}}"#,
        )
        .unwrap();
        assert!(matches!(ended.event, StreamEvent::Terminated));
        let other: EventFrame = serde_json::from_str(
            r#"{"subscriptionId":0,"event":{"e":"outboundAccountPosition","E":1,"u":1,"B":[]}}"#,
        )
        .unwrap();
        assert!(matches!(other.event, StreamEvent::Other));
    }
}
