//! Treasury transfer rows: `record_transfer` writes them, the CLI reads them.

use super::{Store, StoreError, entity::transfer};
use crate::observe;
use chrono::Utc;
use hedgeflow_proto::transfer::TransferRecord;
use sea_orm::{
    ActiveValue::Set, EntityTrait, QueryOrder, QuerySelect, TransactionTrait, sea_query::OnConflict,
};

impl Store {
    /// Upserts the row and appends the status to its history unless it is already the latest
    /// entry, so a retried write changes nothing.
    pub async fn record_transfer(&self, record: &TransferRecord) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        let existing = transfer::Entity::find_by_id(record.workflow_id.clone())
            .one(&txn)
            .await?;
        let now = Utc::now();
        let status = record.status.as_str();
        let history = super::append_status(
            &record.workflow_id,
            existing.as_ref().map(|row| &row.status_history),
            status,
            None,
            now,
        )?;
        let plan = record.plan.as_ref();
        let row = transfer::ActiveModel {
            workflow_id: Set(record.workflow_id.clone()),
            request_id: Set(record.request.request_id.clone()),
            chain: Set(record.request.chain.clone()),
            chain_id: Set(plan.map(|p| p.chain_id as i64)),
            token: Set(plan.map_or_else(|| record.request.token.clone(), |p| p.token.clone())),
            recipient: Set(record.request.to.to_string()),
            amount: Set(record.request.amount.to_string()),
            status: Set(status.to_owned()),
            tx_hash: Set(record.tx_hash.map(|h| h.to_string())),
            block_number: Set(record.receipt.as_ref().map(|r| r.block_number as i64)),
            error: Set(record.error.clone()),
            status_history: Set(history),
            created_at: Set(existing.as_ref().map_or(now, |row| row.created_at)),
            updated_at: Set(now),
        };
        transfer::Entity::insert(row)
            .on_conflict(
                OnConflict::column(transfer::Column::WorkflowId)
                    .update_columns([
                        transfer::Column::ChainId,
                        transfer::Column::Token,
                        transfer::Column::Status,
                        transfer::Column::TxHash,
                        transfer::Column::BlockNumber,
                        transfer::Column::Error,
                        transfer::Column::StatusHistory,
                        transfer::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec(&txn)
            .await?;
        txn.commit().await?;
        observe::transfer_recorded(record);
        Ok(())
    }

    pub async fn transfer(&self, workflow_id: &str) -> Result<Option<transfer::Model>, StoreError> {
        Ok(transfer::Entity::find_by_id(workflow_id.to_owned())
            .one(&self.db)
            .await?)
    }

    /// The newest transfers first.
    pub async fn recent_transfers(&self, limit: u64) -> Result<Vec<transfer::Model>, StoreError> {
        Ok(transfer::Entity::find()
            .order_by_desc(transfer::Column::UpdatedAt)
            .limit(limit)
            .all(&self.db)
            .await?)
    }
}
