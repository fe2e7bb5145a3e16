//! Reading order requests' parameters, with Binance's error for each way they can be wrong.

use rust_decimal::Decimal;

use crate::api::error::ApiError;
use crate::api::params::Params;
use crate::engine::exchange::manage::OrderRef;
use crate::engine::exchange::place::{MarketSize, NewOrder, OrderKind};
use crate::engine::orders::{Side, TimeInForce};

/// Binance's syntax for client order ids.
const CLIENT_ORDER_ID_SYNTAX: &str = "^[\\.A-Z\\:/a-z0-9_-]{1,36}$";

/// Which response `POST /api/v3/order` sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RespType {
    Ack,
    Result,
    Full,
}

/// The parameters of `POST /api/v3/order`.
pub fn new_order(params: &Params) -> Result<(NewOrder, RespType), ApiError> {
    let symbol = params.required("symbol")?.to_string();
    let side = match params.required("side")? {
        "BUY" => Side::Buy,
        "SELL" => Side::Sell,
        _ => return Err(ApiError::invalid_side()),
    };
    let order_type = params.required("type")?;
    let quantity = params.decimal("quantity")?;
    let price = params.decimal("price")?;
    let quote_order_qty = params.decimal("quoteOrderQty")?;
    let time_in_force = match params.get("timeInForce") {
        None => None,
        Some("GTC") => Some(TimeInForce::Gtc),
        Some("IOC") => Some(TimeInForce::Ioc),
        Some("FOK") => Some(TimeInForce::Fok),
        Some(_) => return Err(ApiError::invalid_time_in_force()),
    };
    let kind = order_kind(order_type, quantity, price, quote_order_qty, time_in_force)?;
    let resp_type = resp_type(params)?;
    let client_order_id = client_order_id(params, "newClientOrderId")?;
    Ok((
        NewOrder {
            symbol,
            side,
            kind,
            client_order_id,
        },
        resp_type,
    ))
}

/// The order's type and what it asks for, from the parameters each type requires and refuses.
fn order_kind(
    order_type: &str,
    quantity: Option<Decimal>,
    price: Option<Decimal>,
    quote_order_qty: Option<Decimal>,
    time_in_force: Option<TimeInForce>,
) -> Result<OrderKind, ApiError> {
    let refuse = |name: &str, value: bool| {
        if value {
            Err(ApiError::not_required(name))
        } else {
            Ok(())
        }
    };
    let kind = match order_type {
        "LIMIT" => {
            refuse("quoteOrderQty", quote_order_qty.is_some())?;
            OrderKind::Limit {
                time_in_force: time_in_force.ok_or_else(|| ApiError::mandatory("timeInForce"))?,
                qty: quantity.ok_or_else(|| ApiError::mandatory("quantity"))?,
                price: price.ok_or_else(|| ApiError::mandatory("price"))?,
            }
        }
        "LIMIT_MAKER" => {
            refuse("timeInForce", time_in_force.is_some())?;
            refuse("quoteOrderQty", quote_order_qty.is_some())?;
            OrderKind::LimitMaker {
                qty: quantity.ok_or_else(|| ApiError::mandatory("quantity"))?,
                price: price.ok_or_else(|| ApiError::mandatory("price"))?,
            }
        }
        "MARKET" => {
            refuse("timeInForce", time_in_force.is_some())?;
            refuse("price", price.is_some())?;
            match (quantity, quote_order_qty) {
                (Some(qty), None) => OrderKind::Market(MarketSize::Base(qty)),
                (None, Some(amount)) => OrderKind::Market(MarketSize::Quote(amount)),
                (Some(_), Some(_)) => return Err(ApiError::not_required("quoteOrderQty")),
                (None, None) => return Err(ApiError::one_of("quantity", "quoteOrderQty")),
            }
        }
        "STOP_LOSS" => {
            return Err(ApiError::new_order_rejected(
                "Stop loss orders are not supported for this symbol.",
            ));
        }
        "STOP_LOSS_LIMIT" => {
            return Err(ApiError::new_order_rejected(
                "Stop loss limit orders are not supported for this symbol.",
            ));
        }
        "TAKE_PROFIT" => {
            return Err(ApiError::new_order_rejected(
                "Take profit orders are not supported for this symbol.",
            ));
        }
        "TAKE_PROFIT_LIMIT" => {
            return Err(ApiError::new_order_rejected(
                "Take profit limit orders are not supported for this symbol.",
            ));
        }
        _ => return Err(ApiError::invalid_order_type()),
    };
    Ok(kind)
}

/// `newOrderRespType`, FULL when absent.
fn resp_type(params: &Params) -> Result<RespType, ApiError> {
    let resp_type = match params.get("newOrderRespType") {
        None | Some("FULL") => RespType::Full,
        Some("RESULT") => RespType::Result,
        Some("ACK") => RespType::Ack,
        Some(_) => {
            return Err(ApiError::illegal_chars(
                "newOrderRespType",
                "ACK, RESULT, FULL",
            ));
        }
    };
    Ok(resp_type)
}

/// `orderId` and/or `origClientOrderId`, at least one.
pub fn order_ref(params: &Params) -> Result<OrderRef, ApiError> {
    let by = OrderRef {
        order_id: params.integer("orderId")?,
        client_order_id: client_order_id(params, "origClientOrderId")?,
    };
    if by.order_id.is_none() && by.client_order_id.is_none() {
        return Err(ApiError::one_of("origClientOrderId", "orderId"));
    }
    Ok(by)
}

/// An optional client order id parameter, checked against Binance's syntax.
pub fn client_order_id(params: &Params, name: &str) -> Result<Option<String>, ApiError> {
    let Some(id) = params.get(name) else {
        return Ok(None);
    };
    let legal = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b':' | b'/' | b'_' | b'-');
    if id.len() > 36 || !id.bytes().all(legal) {
        return Err(ApiError::illegal_chars(name, CLIENT_ORDER_ID_SYNTAX));
    }
    Ok(Some(id.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(query: &str) -> i32 {
        new_order(&Params::parse(Some(query), b"").unwrap())
            .unwrap_err()
            .code
    }

    #[test]
    fn order_parameters_fail_with_binance_codes() {
        assert_eq!(code("side=BUY&type=LIMIT"), -1102);
        assert_eq!(code("symbol=ETHUSDT&side=UP&type=LIMIT"), -1117);
        assert_eq!(code("symbol=ETHUSDT&side=BUY&type=ICEBERG"), -1116);
        assert_eq!(code("symbol=ETHUSDT&side=BUY&type=STOP_LOSS"), -2010);
        assert_eq!(
            code("symbol=ETHUSDT&side=BUY&type=LIMIT&quantity=1&price=1"),
            -1102
        );
        assert_eq!(
            code("symbol=ETHUSDT&side=BUY&type=LIMIT&timeInForce=DAY&quantity=1&price=1"),
            -1115
        );
        assert_eq!(code("symbol=ETHUSDT&side=BUY&type=MARKET"), -1102);
        assert_eq!(
            code("symbol=ETHUSDT&side=BUY&type=MARKET&quantity=1&timeInForce=GTC"),
            -1106
        );
        assert_eq!(
            code("symbol=ETHUSDT&side=BUY&type=MARKET&quantity=1&newClientOrderId=a%20b"),
            -1100
        );
        assert_eq!(
            code("symbol=ETHUSDT&side=BUY&type=MARKET&quantity=1&newOrderRespType=ALL"),
            -1100
        );
    }

    #[test]
    fn a_well_formed_limit_order_parses() {
        let params = Params::parse(
            Some("symbol=ETHUSDT&side=SELL&type=LIMIT&timeInForce=IOC&quantity=1.5&price=3000.10&newClientOrderId=my-1&newOrderRespType=ACK"),
            b"",
        )
        .unwrap();
        let (order, resp) = new_order(&params).unwrap();
        assert_eq!(resp, RespType::Ack);
        assert_eq!(order.client_order_id.as_deref(), Some("my-1"));
        assert!(matches!(
            order.kind,
            OrderKind::Limit { time_in_force: TimeInForce::Ioc, qty, price } if qty == "1.5".parse().unwrap() && price == "3000.1".parse().unwrap()
        ));
    }
}
