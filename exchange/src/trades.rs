//! The account's trades (`GET /api/v3/myTrades`): what Binance keeps of every execution, with
//! its commission, whatever the user data stream or a placement's answer showed of it.

use reqwest::Method;
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::error::Error;
use crate::rest::Client;

/// The most trades one `myTrades` answer holds.
const PAGE: usize = 1000;

/// One execution of one of the account's orders, as `myTrades` answers it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Trade {
    pub symbol: String,
    pub id: i64,
    pub order_id: u64,
    pub price: Decimal,
    pub qty: Decimal,
    pub quote_qty: Decimal,
    pub commission: Decimal,
    pub commission_asset: String,
    /// Unix ms.
    pub time: u64,
    pub is_buyer: bool,
    pub is_maker: bool,
}

impl Client {
    /// Every trade of the order `order_id` on `symbol`, oldest first
    /// (`GET /api/v3/myTrades?orderId=`, read a page of 1000 at a time). Read-only: safe to
    /// repeat.
    #[tracing::instrument(skip(self))]
    pub async fn order_trades(&self, symbol: &str, order_id: u64) -> Result<Vec<Trade>, Error> {
        let mut trades: Vec<Trade> = Vec::new();
        loop {
            let mut params = vec![
                ("symbol", symbol.to_string()),
                ("orderId", order_id.to_string()),
                ("limit", PAGE.to_string()),
            ];
            if let Some(last) = trades.last() {
                params.push(("fromId", (last.id + 1).to_string()));
            }
            let page: Vec<Trade> = self
                .signed(Method::GET, "/api/v3/myTrades", &params)
                .await?;
            let full = page.len() >= PAGE;
            trades.extend(page);
            if !full {
                return Ok(trades);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trade_reads_binances_fields() {
        let answer = r#"{"symbol":"BNBBTC","id":28457,"orderId":100234,"orderListId":-1,
            "price":"4.00000100","qty":"12.00000000","quoteQty":"48.000012",
            "commission":"10.10000000","commissionAsset":"BNB","time":1499865549590,
            "isBuyer":true,"isMaker":false,"isBestMatch":true}"#;
        let trade = serde_json::from_str::<Trade>(answer).unwrap();
        assert_eq!(trade.id, 28457);
        assert_eq!(trade.order_id, 100234);
        assert_eq!(trade.commission, "10.1".parse().unwrap());
        assert_eq!(trade.commission_asset, "BNB");
        assert!(trade.is_buyer && !trade.is_maker);
    }
}
