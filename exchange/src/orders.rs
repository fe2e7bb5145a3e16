//! Orders in Binance's terms: the request, the client order id that makes it idempotent, and
//! the order as Binance reports it (REST answers are converted here, their DTOs stay private).

use std::fmt;

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::error::Error;

/// Order side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Side {
    Buy,
    Sell,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Buy => "BUY",
            Side::Sell => "SELL",
        }
    }
}

/// How long a LIMIT order works.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TimeInForce {
    Gtc,
    Ioc,
    Fok,
}

impl TimeInForce {
    pub fn as_str(self) -> &'static str {
        match self {
            TimeInForce::Gtc => "GTC",
            TimeInForce::Ioc => "IOC",
            TimeInForce::Fok => "FOK",
        }
    }
}

/// Binance's order statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderStatus {
    New,
    PendingNew,
    PartiallyFilled,
    Filled,
    Canceled,
    PendingCancel,
    Rejected,
    Expired,
    ExpiredInMatch,
}

impl OrderStatus {
    /// Binance's name of the status.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::New => "NEW",
            OrderStatus::PendingNew => "PENDING_NEW",
            OrderStatus::PartiallyFilled => "PARTIALLY_FILLED",
            OrderStatus::Filled => "FILLED",
            OrderStatus::Canceled => "CANCELED",
            OrderStatus::PendingCancel => "PENDING_CANCEL",
            OrderStatus::Rejected => "REJECTED",
            OrderStatus::Expired => "EXPIRED",
            OrderStatus::ExpiredInMatch => "EXPIRED_IN_MATCH",
        }
    }

    /// Whether the order will never change again.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            OrderStatus::Filled
                | OrderStatus::Canceled
                | OrderStatus::Rejected
                | OrderStatus::Expired
                | OrderStatus::ExpiredInMatch
        )
    }
}

/// A client order id Binance accepts, `^[a-zA-Z0-9-_]{1,36}$`: the key that makes a
/// placement idempotent, derived by the caller from its own business key (e.g. the hedge).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ClientOrderId(String);

impl ClientOrderId {
    pub fn new(id: impl Into<String>) -> Result<Self, Error> {
        let id = id.into();
        let allowed = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        if id.is_empty() || id.len() > 36 || !id.bytes().all(allowed) {
            return Err(Error::InvalidClientOrderId(id));
        }
        Ok(ClientOrderId(id))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClientOrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What an order asks for, by type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderKind {
    Limit {
        price: Decimal,
        qty: Decimal,
        time_in_force: TimeInForce,
    },
    /// A LIMIT order refused rather than allowed to take liquidity.
    LimitMaker { price: Decimal, qty: Decimal },
    /// `quantity` in the base asset.
    Market { qty: Decimal },
    /// `quoteOrderQty`: the quote asset amount to spend (buy) or receive (sell).
    MarketQuote { quote_qty: Decimal },
}

/// A new order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderRequest {
    pub symbol: String,
    pub side: Side,
    pub kind: OrderKind,
    pub client_order_id: ClientOrderId,
}

impl OrderRequest {
    /// `POST /api/v3/order` parameters, asking for the FULL answer (with fills).
    pub(crate) fn params(&self) -> Vec<(&'static str, String)> {
        let mut params = vec![
            ("symbol", self.symbol.clone()),
            ("side", self.side.as_str().to_string()),
        ];
        let text = |d: Decimal| d.normalize().to_string();
        match self.kind {
            OrderKind::Limit {
                price,
                qty,
                time_in_force,
            } => params.extend([
                ("type", "LIMIT".to_string()),
                ("timeInForce", time_in_force.as_str().to_string()),
                ("quantity", text(qty)),
                ("price", text(price)),
            ]),
            OrderKind::LimitMaker { price, qty } => params.extend([
                ("type", "LIMIT_MAKER".to_string()),
                ("quantity", text(qty)),
                ("price", text(price)),
            ]),
            OrderKind::Market { qty } => {
                params.extend([("type", "MARKET".to_string()), ("quantity", text(qty))])
            }
            OrderKind::MarketQuote { quote_qty } => params.extend([
                ("type", "MARKET".to_string()),
                ("quoteOrderQty", text(quote_qty)),
            ]),
        }
        params.extend([
            ("newClientOrderId", self.client_order_id.to_string()),
            ("newOrderRespType", "FULL".to_string()),
        ]);
        params
    }
}

/// One execution from a FULL placement answer.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fill {
    pub price: Decimal,
    pub qty: Decimal,
    pub commission: Decimal,
    pub commission_asset: String,
    pub trade_id: i64,
}

/// An order as Binance reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    pub symbol: String,
    pub order_id: u64,
    /// The order's own client order id (a cancel's answer reports it as `origClientOrderId`).
    pub client_order_id: String,
    pub side: Side,
    pub status: OrderStatus,
    /// Zero for MARKET orders.
    pub price: Decimal,
    pub orig_qty: Decimal,
    pub executed_qty: Decimal,
    pub cumulative_quote_qty: Decimal,
    /// Only in the answer of the placement itself (FULL).
    pub fills: Vec<Fill>,
}

impl Order {
    /// Cumulative quote quantity over executed quantity; `None` before any execution.
    pub fn average_price(&self) -> Option<Decimal> {
        average(self.cumulative_quote_qty, self.executed_qty)
    }
}

pub(crate) fn average(quote: Decimal, base: Decimal) -> Option<Decimal> {
    (!base.is_zero()).then(|| (quote / base).normalize())
}

/// The fields every order answer (place FULL, query, cancel, openOrders) shares.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OrderDto {
    symbol: String,
    order_id: u64,
    client_order_id: String,
    orig_client_order_id: Option<String>,
    side: Side,
    status: OrderStatus,
    price: Decimal,
    orig_qty: Decimal,
    executed_qty: Decimal,
    cummulative_quote_qty: Decimal,
    #[serde(default)]
    fills: Vec<Fill>,
}

impl OrderDto {
    pub(crate) fn into_domain(self) -> Order {
        Order {
            symbol: self.symbol,
            order_id: self.order_id,
            client_order_id: self.orig_client_order_id.unwrap_or(self.client_order_id),
            side: self.side,
            status: self.status,
            price: self.price,
            orig_qty: self.orig_qty,
            executed_qty: self.executed_qty,
            cumulative_quote_qty: self.cummulative_quote_qty,
            fills: self.fills,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_order_ids_follow_binance_syntax() {
        for good in ["a", "hedge-ETHUSDT-1712345678_0", &"x".repeat(36)] {
            assert!(ClientOrderId::new(good).is_ok(), "{good}");
        }
        for bad in ["", &"x".repeat(37), "a b", "a.b", "a:b", "a/b", "é"] {
            assert!(
                matches!(ClientOrderId::new(bad), Err(Error::InvalidClientOrderId(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_cancel_answer_keeps_the_orders_own_client_id() {
        let answer = r#"{"symbol":"ETHUSDT","origClientOrderId":"hedge-1","orderId":4,"orderListId":-1,
            "clientOrderId":"cancel-9","transactTime":1,"price":"3000.00000000","origQty":"1.00000000",
            "executedQty":"0.25000000","origQuoteOrderQty":"0.00000000","cummulativeQuoteQty":"750.00000000",
            "status":"CANCELED","timeInForce":"GTC","type":"LIMIT","side":"BUY","selfTradePreventionMode":"NONE"}"#;
        let order = serde_json::from_str::<OrderDto>(answer)
            .unwrap()
            .into_domain();
        assert_eq!(order.client_order_id, "hedge-1");
        assert_eq!(order.status, OrderStatus::Canceled);
        assert_eq!(order.average_price(), Some(Decimal::from(3000)));
    }

    #[test]
    fn order_parameters_ask_for_the_full_answer() {
        let request = OrderRequest {
            symbol: "ETHUSDT".into(),
            side: Side::Sell,
            kind: OrderKind::Limit {
                price: "3000.10".parse().unwrap(),
                qty: "0.5000".parse().unwrap(),
                time_in_force: TimeInForce::Gtc,
            },
            client_order_id: ClientOrderId::new("h-1").unwrap(),
        };
        let params = request.params();
        assert!(params.contains(&("price", "3000.1".into())));
        assert!(params.contains(&("quantity", "0.5".into())));
        assert!(params.contains(&("newOrderRespType", "FULL".into())));
        assert!(params.contains(&("newClientOrderId", "h-1".into())));
    }
}
