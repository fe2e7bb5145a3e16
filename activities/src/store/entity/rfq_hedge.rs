//! `rfq_hedges`: one row per epoch the hedger hedged, keyed by the order's client order id
//! (`hedge-<market>-<epoch>`): the exchange's answer, the net and carry, the quotes covered.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rfq_hedges")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub client_order_id: String,
    pub market: String,
    pub epoch: i64,
    pub symbol: String,
    /// `buy` or `sell`, on the exchange.
    pub side: String,
    /// Binance's final status, or `NOT_PLACED`.
    pub status: String,
    pub order_id: Option<i64>,
    /// Decimals as strings: base executed, average price, fees in the quote asset.
    pub executed: String,
    pub average_price: Option<String>,
    pub fees_in_quote: String,
    /// Signed base quantities (positive: to buy): the epoch's net, and the carry in and out.
    pub net: String,
    pub carried_in: String,
    pub carried_out: String,
    /// The whole `HedgeExecution`.
    pub execution: Json,
    /// `[{"quote_id", "pnl"}]`.
    pub quotes: Json,
    pub executed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
