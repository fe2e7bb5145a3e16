//! The REST endpoints the exchange role uses: trading rules, orders by client order id, and
//! balances. None of these retries a placement: see [`crate::Client::place_once`] for that.

use reqwest::Method;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::{CODE_NO_SUCH_ORDER, Error};
use crate::filters::{ExchangeInfoDto, SymbolFilters};
use crate::orders::{ClientOrderId, Order, OrderDto, OrderRequest};
use crate::rest::Client;

/// One asset's balance.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Balance {
    pub asset: String,
    pub free: Decimal,
    pub locked: Decimal,
}

/// The best bid and ask of a symbol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Touch {
    pub bid: Decimal,
    pub ask: Decimal,
}

impl Touch {
    pub fn mid(&self) -> Decimal {
        (self.bid + self.ask) / Decimal::TWO
    }
}

#[derive(Deserialize)]
struct DepthDto {
    bids: Vec<(Decimal, Decimal)>,
    asks: Vec<(Decimal, Decimal)>,
}

#[derive(Deserialize)]
struct AccountDto {
    balances: Vec<Balance>,
}

/// A query's answer, `None` when Binance says the order does not exist (-2013).
pub(crate) fn none_if_missing<T>(answer: Result<T, Error>) -> Result<Option<T>, Error> {
    match answer {
        Ok(found) => Ok(Some(found)),
        Err(e) if e.code() == Some(CODE_NO_SUCH_ORDER) => Ok(None),
        Err(e) => Err(e),
    }
}

impl Client {
    /// The trading rules of `symbol` (`GET /api/v3/exchangeInfo?symbol=`).
    pub async fn symbol_filters(&self, symbol: &str) -> Result<SymbolFilters, Error> {
        let info: ExchangeInfoDto = self
            .public(
                Method::GET,
                "/api/v3/exchangeInfo",
                &[("symbol", symbol.to_string())],
            )
            .await?;
        info.into_domain(symbol).ok_or_else(|| Error::Decode {
            status: 200,
            reason: format!("exchangeInfo does not list {symbol}"),
        })
    }

    /// The best bid and ask of `symbol` (`GET /api/v3/depth?limit=5`); an error when a side is
    /// empty, since nothing can be priced against it.
    pub async fn touch(&self, symbol: &str) -> Result<Touch, Error> {
        let depth: DepthDto = self
            .public(
                Method::GET,
                "/api/v3/depth",
                &[("symbol", symbol.to_string()), ("limit", "5".to_string())],
            )
            .await?;
        match (depth.bids.first(), depth.asks.first()) {
            (Some(&(bid, _)), Some(&(ask, _))) => Ok(Touch { bid, ask }),
            _ => Err(Error::Decode {
                status: 200,
                reason: format!("the {symbol} book has an empty side"),
            }),
        }
    }

    /// Places `order` once (`POST /api/v3/order`, FULL answer). Not idempotent by itself: an
    /// unknown outcome must be resolved by client order id, as `place_once` does.
    #[tracing::instrument(skip_all, fields(client_order_id = %order.client_order_id, symbol = %order.symbol))]
    pub async fn place(&self, order: &OrderRequest) -> Result<Order, Error> {
        let placed: OrderDto = self
            .signed(Method::POST, "/api/v3/order", &order.params())
            .await?;
        let placed = placed.into_domain();
        tracing::info!(order_id = placed.order_id, status = ?placed.status, "order placed");
        Ok(placed)
    }

    /// The order with `client_order_id` on `symbol` (`GET /api/v3/order`); `None` when
    /// Binance says it does not exist (-2013).
    #[tracing::instrument(skip(self))]
    pub async fn query(
        &self,
        symbol: &str,
        client_order_id: &ClientOrderId,
    ) -> Result<Option<Order>, Error> {
        let order = self
            .by_client_order_id::<OrderDto>(Method::GET, "/api/v3/order", symbol, client_order_id)
            .await;
        Ok(none_if_missing(order)?.map(OrderDto::into_domain))
    }

    /// Cancels the open order with `client_order_id` (`DELETE /api/v3/order`).
    #[tracing::instrument(skip(self))]
    pub async fn cancel(
        &self,
        symbol: &str,
        client_order_id: &ClientOrderId,
    ) -> Result<Order, Error> {
        let order: OrderDto = self
            .by_client_order_id(Method::DELETE, "/api/v3/order", symbol, client_order_id)
            .await?;
        Ok(order.into_domain())
    }

    /// A SIGNED request about the order `client_order_id` on `symbol` (query or cancel, Spot
    /// or futures: both name it `origClientOrderId`).
    pub(crate) async fn by_client_order_id<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        symbol: &str,
        client_order_id: &ClientOrderId,
    ) -> Result<T, Error> {
        let params = [
            ("symbol", symbol.to_string()),
            ("origClientOrderId", client_order_id.to_string()),
        ];
        self.signed(method, path, &params).await
    }

    /// Open orders, of one symbol or all (`GET /api/v3/openOrders`).
    pub async fn open_orders(&self, symbol: Option<&str>) -> Result<Vec<Order>, Error> {
        let params: Vec<_> = symbol
            .map(|s| ("symbol", s.to_string()))
            .into_iter()
            .collect();
        let orders: Vec<OrderDto> = self
            .signed(Method::GET, "/api/v3/openOrders", &params)
            .await?;
        Ok(orders.into_iter().map(OrderDto::into_domain).collect())
    }

    /// Non-zero balances (`GET /api/v3/account?omitZeroBalances=true`).
    pub async fn balances(&self) -> Result<Vec<Balance>, Error> {
        let account: AccountDto = self
            .signed(
                Method::GET,
                "/api/v3/account",
                &[("omitZeroBalances", "true".to_string())],
            )
            .await?;
        Ok(account.balances)
    }
}
