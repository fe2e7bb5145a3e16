//! Futures orders: the request (MARKET or LIMIT, optionally reduce-only, in one-way mode),
//! the order as Binance reports it, and the order endpoints. None of these retries a
//! placement: see [`FuturesClient::place_once`].

use reqwest::Method;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::FuturesClient;
use crate::error::Error;
use crate::orders::{ClientOrderId, OrderStatus, Side, TimeInForce, average};
use crate::place_once::{Placed, Placement, place_once};
use crate::trading::none_if_missing;
use crate::watch::PolledOrder;

/// What a futures order asks for, by type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FuturesOrderKind {
    /// `quantity` of the base asset at the market.
    Market { qty: Decimal },
    Limit {
        price: Decimal,
        qty: Decimal,
        time_in_force: TimeInForce,
    },
}

/// A new futures order (one-way mode: `positionSide` BOTH).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuturesOrderRequest {
    pub symbol: String,
    pub side: Side,
    pub kind: FuturesOrderKind,
    /// Only reduces the position: Binance refuses it when it would open or increase one, and
    /// trims it to the position.
    pub reduce_only: bool,
    pub client_order_id: ClientOrderId,
}

impl FuturesOrderRequest {
    /// `POST /fapi/v1/order` parameters, asking for the RESULT answer.
    fn params(&self) -> Vec<(&'static str, String)> {
        let text = |d: Decimal| d.normalize().to_string();
        let mut params = vec![
            ("symbol", self.symbol.clone()),
            ("side", self.side.as_str().to_string()),
        ];
        match self.kind {
            FuturesOrderKind::Market { qty } => {
                params.extend([("type", "MARKET".to_string()), ("quantity", text(qty))])
            }
            FuturesOrderKind::Limit {
                price,
                qty,
                time_in_force,
            } => params.extend([
                ("type", "LIMIT".to_string()),
                ("timeInForce", time_in_force.as_str().to_string()),
                ("quantity", text(qty)),
                ("price", text(price)),
            ]),
        }
        params.extend([
            ("reduceOnly", self.reduce_only.to_string()),
            ("newClientOrderId", self.client_order_id.to_string()),
            ("newOrderRespType", "RESULT".to_string()),
        ]);
        params
    }
}

/// A futures order as Binance reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuturesOrder {
    pub symbol: String,
    pub order_id: u64,
    pub client_order_id: String,
    pub side: Side,
    pub status: OrderStatus,
    /// Zero for MARKET orders.
    pub price: Decimal,
    pub orig_qty: Decimal,
    pub executed_qty: Decimal,
    /// Quote (USDT) value executed so far.
    pub cum_quote: Decimal,
    pub reduce_only: bool,
    pub update_time: u64,
}

impl FuturesOrder {
    /// Executed value over executed quantity; `None` before any execution.
    pub fn average_price(&self) -> Option<Decimal> {
        average(self.cum_quote, self.executed_qty)
    }
}

impl Placed for FuturesOrder {
    fn order_id(&self) -> String {
        self.order_id.to_string()
    }
}

impl From<FuturesOrder> for PolledOrder {
    fn from(order: FuturesOrder) -> Self {
        PolledOrder {
            symbol: order.symbol,
            order_id: order.order_id,
            client_order_id: order.client_order_id,
            status: order.status,
            executed_qty: order.executed_qty,
            cumulative_quote_qty: order.cum_quote,
            // futures order answers carry no fills; commissions come from the stream
            fills: Vec::new(),
        }
    }
}

/// The fields every futures order answer (place, query, cancel, openOrders) shares.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FuturesOrderDto {
    symbol: String,
    order_id: u64,
    client_order_id: String,
    side: Side,
    status: OrderStatus,
    price: Decimal,
    orig_qty: Decimal,
    executed_qty: Decimal,
    cum_quote: Decimal,
    reduce_only: bool,
    update_time: u64,
}

impl From<FuturesOrderDto> for FuturesOrder {
    fn from(dto: FuturesOrderDto) -> Self {
        FuturesOrder {
            symbol: dto.symbol,
            order_id: dto.order_id,
            client_order_id: dto.client_order_id,
            side: dto.side,
            status: dto.status,
            price: dto.price,
            orig_qty: dto.orig_qty,
            executed_qty: dto.executed_qty,
            cum_quote: dto.cum_quote,
            reduce_only: dto.reduce_only,
            update_time: dto.update_time,
        }
    }
}

impl FuturesClient {
    /// Places `order` at most once per client order id, with the contract of
    /// [`crate::Client::place_once`]: it asks by client order id first, places only when
    /// Binance has no such order, and resolves an unknown outcome (or -4116, "ClientOrderId
    /// is duplicated.") by asking again; never two orders for one client order id, and
    /// concurrent calls for one id in this process are refused.
    #[tracing::instrument(skip_all, fields(client_order_id = %order.client_order_id, symbol = %order.symbol))]
    pub async fn place_once(
        &self,
        order: &FuturesOrderRequest,
    ) -> Result<Placement<FuturesOrder>, Error> {
        let id = &order.client_order_id;
        place_once(
            &self.rest,
            id,
            || self.order(&order.symbol, id),
            || self.place(order),
        )
        .await
    }

    /// Places `order` once (`POST /fapi/v1/order`, RESULT answer). Not idempotent by itself:
    /// an unknown outcome must be resolved by client order id, as `place_once` does.
    #[tracing::instrument(skip_all, fields(client_order_id = %order.client_order_id, symbol = %order.symbol))]
    pub async fn place(&self, order: &FuturesOrderRequest) -> Result<FuturesOrder, Error> {
        let placed: FuturesOrderDto = self
            .rest
            .signed(Method::POST, "/fapi/v1/order", &order.params())
            .await?;
        let placed = FuturesOrder::from(placed);
        tracing::info!(order_id = placed.order_id, status = ?placed.status, "futures order placed");
        Ok(placed)
    }

    /// The order with `client_order_id` on `symbol` (`GET /fapi/v1/order`); `None` when
    /// Binance says it does not exist (-2013).
    #[tracing::instrument(skip(self))]
    pub async fn order(
        &self,
        symbol: &str,
        client_order_id: &ClientOrderId,
    ) -> Result<Option<FuturesOrder>, Error> {
        let order = self
            .rest
            .by_client_order_id::<FuturesOrderDto>(
                Method::GET,
                "/fapi/v1/order",
                symbol,
                client_order_id,
            )
            .await;
        Ok(none_if_missing(order)?.map(FuturesOrder::from))
    }

    /// Cancels the open order with `client_order_id` (`DELETE /fapi/v1/order`).
    #[tracing::instrument(skip(self))]
    pub async fn cancel(
        &self,
        symbol: &str,
        client_order_id: &ClientOrderId,
    ) -> Result<FuturesOrder, Error> {
        let order: FuturesOrderDto = self
            .rest
            .by_client_order_id(Method::DELETE, "/fapi/v1/order", symbol, client_order_id)
            .await?;
        Ok(order.into())
    }

    /// Open orders, of one symbol or all (`GET /fapi/v1/openOrders`).
    pub async fn open_orders(&self, symbol: Option<&str>) -> Result<Vec<FuturesOrder>, Error> {
        let params: Vec<_> = symbol
            .map(|s| ("symbol", s.to_string()))
            .into_iter()
            .collect();
        let orders: Vec<FuturesOrderDto> = self
            .rest
            .signed(Method::GET, "/fapi/v1/openOrders", &params)
            .await?;
        Ok(orders.into_iter().map(FuturesOrder::from).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_documented_order_answer_parses() {
        // Binance's `POST /fapi/v1/order` response example, with a fill
        let answer = r#"{"clientOrderId":"testOrder","cumQty":"0","cumQuote":"150.5","executedQty":"0.05",
            "orderId":22542179,"avgPrice":"3010.00000","origQty":"0.05","price":"0","reduceOnly":true,
            "side":"SELL","positionSide":"BOTH","status":"FILLED","stopPrice":"0","closePosition":false,
            "symbol":"ETHUSDT","timeInForce":"GTC","type":"MARKET","origType":"MARKET","updateTime":1566818724722,
            "workingType":"CONTRACT_PRICE","priceProtect":false,"priceMatch":"NONE",
            "selfTradePreventionMode":"NONE","goodTillDate":0}"#;
        let order = FuturesOrder::from(serde_json::from_str::<FuturesOrderDto>(answer).unwrap());
        assert_eq!(order.status, OrderStatus::Filled);
        assert!(order.reduce_only);
        assert_eq!(order.average_price(), Some(Decimal::from(3010)));
    }

    #[test]
    fn parameters_ask_for_the_result_answer() {
        let request = FuturesOrderRequest {
            symbol: "ETHUSDT".into(),
            side: Side::Sell,
            kind: FuturesOrderKind::Market {
                qty: "0.5000".parse().unwrap(),
            },
            reduce_only: true,
            client_order_id: ClientOrderId::new("h-1").unwrap(),
        };
        let params = request.params();
        assert!(params.contains(&("quantity", "0.5".into())));
        assert!(params.contains(&("reduceOnly", "true".into())));
        assert!(params.contains(&("newOrderRespType", "RESULT".into())));
        assert!(!params.iter().any(|(name, _)| *name == "price"));
    }
}
