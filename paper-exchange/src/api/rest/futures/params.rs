//! Reading futures order requests, with Binance's error for each way they can be wrong.

use crate::api::error::ApiError;
use crate::api::params::Params;
use crate::api::rest::order_params::client_order_id;
use crate::engine::futures::place::NewFuturesOrder;
use crate::engine::orders::{Side, TimeInForce};

/// Which response `POST /fapi/v1/order` sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RespType {
    /// The order as accepted, before it executed (Binance futures' default).
    Ack,
    /// The order after its immediate executions.
    Result,
}

/// The parameters of `POST /fapi/v1/order`.
pub fn new_order(params: &Params) -> Result<(NewFuturesOrder, RespType), ApiError> {
    let symbol = params.required("symbol")?.to_string();
    let side = match params.required("side")? {
        "BUY" => Side::Buy,
        "SELL" => Side::Sell,
        _ => return Err(ApiError::invalid_side()),
    };
    match params.get("positionSide") {
        None | Some("BOTH") => {}
        // the accounts are in one-way mode, where Binance refuses hedge-mode sides
        Some("LONG" | "SHORT") => return Err(ApiError::position_side_mismatch()),
        Some(_) => return Err(ApiError::illegal_chars("positionSide", "BOTH, LONG, SHORT")),
    }
    let qty = params
        .decimal("quantity")?
        .ok_or_else(|| ApiError::mandatory("quantity"))?;
    let price = params.decimal("price")?;
    let time_in_force = match params.get("timeInForce") {
        None => None,
        Some("GTC") => Some(TimeInForce::Gtc),
        Some("IOC") => Some(TimeInForce::Ioc),
        Some("FOK") => Some(TimeInForce::Fok),
        Some(_) => return Err(ApiError::invalid_time_in_force()),
    };
    let limit = match params.required("type")? {
        "LIMIT" => Some((
            price.ok_or_else(|| ApiError::mandatory("price"))?,
            time_in_force.ok_or_else(|| ApiError::mandatory("timeInForce"))?,
        )),
        "MARKET" => {
            if price.is_some() {
                return Err(ApiError::not_required("price"));
            }
            if time_in_force.is_some() {
                return Err(ApiError::not_required("timeInForce"));
            }
            None
        }
        _ => return Err(ApiError::invalid_order_type()),
    };
    let reduce_only = match params.get("reduceOnly") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(ApiError::illegal_chars("reduceOnly", "true, false")),
    };
    let resp_type = match params.get("newOrderRespType") {
        None | Some("ACK") => RespType::Ack,
        Some("RESULT") => RespType::Result,
        Some(_) => return Err(ApiError::illegal_chars("newOrderRespType", "ACK, RESULT")),
    };
    Ok((
        NewFuturesOrder {
            symbol,
            side,
            qty,
            limit,
            reduce_only,
            client_order_id: client_order_id(params, "newClientOrderId")?,
        },
        resp_type,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> Result<(NewFuturesOrder, RespType), ApiError> {
        new_order(&Params::parse(Some(query), b"").unwrap())
    }

    #[test]
    fn futures_order_parameters_fail_with_binance_codes() {
        let code = |query: &str| parse(query).unwrap_err().code;
        assert_eq!(code("symbol=ETHUSDT&side=BUY&type=MARKET"), -1102);
        assert_eq!(
            code("symbol=ETHUSDT&side=BUY&type=MARKET&quantity=1&positionSide=LONG"),
            -4061
        );
        assert_eq!(code("symbol=ETHUSDT&side=BUY&type=STOP&quantity=1"), -1116);
        assert_eq!(
            code("symbol=ETHUSDT&side=BUY&type=LIMIT&quantity=1&price=1"),
            -1102
        );
        assert_eq!(
            code("symbol=ETHUSDT&side=BUY&type=MARKET&quantity=1&reduceOnly=yes"),
            -1100
        );
        assert_eq!(
            code("symbol=ETHUSDT&side=BUY&type=MARKET&quantity=1&price=1"),
            -1106
        );
    }

    #[test]
    fn a_reduce_only_limit_order_parses() {
        let (order, resp) = parse(
            "symbol=ETHUSDT&side=SELL&type=LIMIT&timeInForce=IOC&quantity=1.5&price=3000.10&reduceOnly=true&positionSide=BOTH&newClientOrderId=h-1&newOrderRespType=RESULT",
        )
        .unwrap();
        assert_eq!(resp, RespType::Result);
        assert!(order.reduce_only);
        assert_eq!(
            order.limit,
            Some(("3000.1".parse().unwrap(), TimeInForce::Ioc))
        );
        assert_eq!(order.client_order_id.as_deref(), Some("h-1"));
        assert_eq!(
            parse("symbol=ETHUSDT&side=BUY&type=MARKET&quantity=1")
                .unwrap()
                .1,
            RespType::Ack
        );
    }
}
