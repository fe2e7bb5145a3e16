//! `rfq_quotes`: one row per signed quote the dealer served — the request, how it was priced,
//! the signed order — and, once the taker asks, its fill request.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rfq_quotes")]
pub struct Model {
    /// The v4 UUID the taker fills by.
    #[sea_orm(primary_key, auto_increment = false)]
    pub quote_id: String,
    pub chain_id: i64,
    /// The `RfqSettlement` the order is signed for.
    pub settlement: String,
    pub taker: String,
    pub maker_asset: String,
    pub taker_asset: String,
    /// Base units, decimal.
    pub maker_amount: String,
    pub taker_amount: String,
    /// Which size the taker fixed: `maker` or `taker`.
    pub size_side: String,
    /// The fixed size, base units, decimal.
    pub size: String,
    /// The dealer's market (e.g. `WETH/USDC`) and the taker's side of its base asset.
    pub market: String,
    pub side: String,
    /// All-in price, quote per base, decimal.
    pub price: String,
    /// The maker's priced quote: amounts, expiry and every price input (book snapshot ids,
    /// fees, mid, volatility, premium, widening, skew, position, hedge price).
    pub pricing: Json,
    /// The signed `RfqOrder`, field by field.
    pub rfq_order: Json,
    /// Its EIP-712 digest, 0x hex: the order's id on chain.
    #[sea_orm(unique)]
    pub order_hash: String,
    /// The hot wallet's signature of `order_hash`, 0x hex.
    pub signature: String,
    pub quoted_at: DateTimeUtc,
    /// After this, fills are refused.
    pub expires_at: DateTimeUtc,
    /// `quoted`, `fill requested`, then the fill workflow's statuses (`fill rejected`, `fill
    /// submitted`, `filled, unhedged`, `fill failed`), then the hedger's `hedged`.
    pub status: String,
    /// `[{"status", "at"}]`, oldest first.
    pub status_history: Json,
    /// The taker's `dealer_submitFill` (salt, signature, signer, data, gas price, expiry).
    pub fill_request: Option<Json>,
    pub fill_requested_at: Option<DateTimeUtc>,
    /// The settlement transaction (0x hex) and its block, once sent.
    pub fill_tx: Option<String>,
    pub fill_block: Option<i64>,
    /// Why the fill was refused or failed.
    pub fill_detail: Option<String>,
    /// The hedge order that covered the fill (`rfq_hedges.client_order_id`), the hedge trade as
    /// the exchange reported it (order id, side, size, average price, fees, time), and the
    /// quote's realized P&L after hedging, in the market's quote asset.
    pub hedge_order: Option<String>,
    pub hedge_trade: Option<Json>,
    pub realized_pnl: Option<String>,
    /// The settled fill as its market's hedger takes it (`FilledTrade`), and when it settled:
    /// what the unhedged-fills sweep hands to a hedger again.
    pub filled_trade: Option<Json>,
    pub filled_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
