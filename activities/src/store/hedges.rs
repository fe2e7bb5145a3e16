//! The hedger's rows: each epoch's hedge in `rfq_hedges`, and on every quote it covered the
//! hedge trade, the realized P&L and the status `hedged`.

use super::{
    Store, StoreError,
    entity::{rfq_hedge, rfq_quote},
};
use chrono::{DateTime, Utc};
use hedgeflow_proto::{rfq::fill::FillStatus, rfq::hedge::HedgeRecord};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
    sea_query::Expr,
};
use std::collections::HashMap;

impl Store {
    /// Stores an epoch's hedge and writes it on every quote it covered, in one transaction.
    /// Idempotent: the hedge row is keyed by its client order id, and a quote already recorded
    /// with this hedge is left as it is.
    pub async fn record_hedge(&self, record: &HedgeRecord) -> Result<(), StoreError> {
        let execution = &record.execution;
        let key = &execution.client_order_id;
        let trade = serde_json::to_value(execution).map_err(|e| corrupt(key, e))?;
        let quotes = serde_json::to_value(&record.quotes).map_err(|e| corrupt(key, e))?;
        let executed_at =
            DateTime::<Utc>::from_timestamp_millis(execution.at_ms as i64).unwrap_or_else(Utc::now);
        let row = rfq_hedge::ActiveModel {
            client_order_id: Set(key.clone()),
            market: Set(record.market.clone()),
            epoch: Set(record.epoch as i64),
            symbol: Set(execution.symbol.clone()),
            side: Set(execution.side.as_str().to_owned()),
            status: Set(execution.status.clone()),
            order_id: Set(execution.order_id.map(|id| id as i64)),
            executed: Set(execution.executed.to_string()),
            average_price: Set(execution.average_price.map(|p| p.to_string())),
            fees_in_quote: Set(execution.fees_in_quote.to_string()),
            net: Set(record.net.to_string()),
            carried_in: Set(record.carried_in.to_string()),
            carried_out: Set(record.carried_out.to_string()),
            execution: Set(trade.clone()),
            quotes: Set(quotes),
            executed_at: Set(executed_at),
        };
        let txn = self.db.begin().await?;
        rfq_hedge::Entity::insert(row)
            .on_conflict_do_nothing_on([rfq_hedge::Column::ClientOrderId])
            .exec(&txn)
            .await?;
        let hedged = FillStatus::Hedged.as_str();
        // Every covered quote in one read; a hedge naming one that does not exist is refused.
        let ids = record.quotes.iter().map(|q| q.quote_id.as_str());
        let rows: HashMap<String, rfq_quote::Model> = rfq_quote::Entity::find()
            .filter(rfq_quote::Column::QuoteId.is_in(ids))
            .all(&txn)
            .await?
            .into_iter()
            .map(|row| (row.quote_id.clone(), row))
            .collect();
        for quote in &record.quotes {
            let row = rows.get(&quote.quote_id).ok_or_else(|| {
                StoreError::Corrupt(quote.quote_id.clone(), "hedge of an unknown quote".into())
            })?;
            if row.hedge_order.as_deref() == Some(key.as_str()) {
                continue;
            }
            let detail = format!("{key}: {} {}", execution.status, execution.executed);
            let history = super::append_status(
                &quote.quote_id,
                Some(&row.status_history),
                hedged,
                Some(&detail),
                Utc::now(),
            )?;
            rfq_quote::Entity::update_many()
                .col_expr(rfq_quote::Column::Status, Expr::value(hedged))
                .col_expr(rfq_quote::Column::StatusHistory, Expr::value(history))
                .col_expr(rfq_quote::Column::HedgeOrder, Expr::value(key.as_str()))
                .col_expr(rfq_quote::Column::HedgeTrade, Expr::value(trade.clone()))
                .col_expr(
                    rfq_quote::Column::RealizedPnl,
                    Expr::value(quote.pnl.to_string()),
                )
                .filter(rfq_quote::Column::QuoteId.eq(quote.quote_id.as_str()))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        crate::observe::rfq_hedge_recorded(record);
        Ok(())
    }

    /// A market's hedges, newest first.
    pub async fn rfq_hedges(&self, market: &str) -> Result<Vec<rfq_hedge::Model>, StoreError> {
        Ok(rfq_hedge::Entity::find()
            .filter(rfq_hedge::Column::Market.eq(market))
            .order_by_desc(rfq_hedge::Column::Epoch)
            .all(&self.db)
            .await?)
    }
}

fn corrupt(key: &str, error: serde_json::Error) -> StoreError {
    StoreError::Corrupt(key.to_owned(), error.to_string())
}
