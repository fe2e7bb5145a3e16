//! Escrow order rows (written by `record_escrow_order`, read by the ops CLI and the evaluation),
//! the per-order error table, and the cursors of chain readers.

use super::{
    Store, StoreError,
    entity::{chain_cursor, escrow_order, escrow_order_error},
};
use crate::observe;
use alloy::primitives::U256;
use chrono::{DateTime, Utc};
use hedgeflow_proto::escrow::{EscrowRecord, EscrowStatus};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait, prelude::Json, sea_query::OnConflict,
};

/// Filters of `hedgeflow orders list`.
#[derive(Clone, Debug, Default)]
pub struct OrderFilter {
    pub status: Option<EscrowStatus>,
    pub chain_id: Option<u64>,
    pub limit: u64,
}

/// The order's row as `record` makes it, keeping the transactions `existing` (the row before)
/// has and the record does not.
fn escrow_order_row(
    record: &EscrowRecord,
    existing: Option<&escrow_order::Model>,
    history: Json,
    now: DateTime<Utc>,
) -> escrow_order::ActiveModel {
    let status = record.status.as_str();
    let order = &record.order;
    let tx = |found: Option<&hedgeflow_proto::escrow::FoundTx>| {
        (
            found.map(|t| t.tx_hash.to_string()),
            found.map(|t| t.block_number as i64),
        )
    };
    let (transfer_tx, transfer_block) = tx(record.transfer.as_ref());
    let (claim_tx, claim_block) = tx(record.claim.as_ref());
    let release = record.release.as_ref();
    let keep =
        |new: Option<String>, old: Option<&Option<String>>| new.or_else(|| old.cloned().flatten());
    escrow_order::ActiveModel {
        workflow_id: Set(record.workflow_id.clone()),
        chain_id: Set(order.chain_id as i64),
        order_id: Set(order.order_id as i64),
        recipient: Set(order.recipient.to_string()),
        amount: Set(order.amount.to_string()),
        fee: Set(order.fee.to_string()),
        set_order_tx: Set(order.tx_hash.to_string()),
        set_order_block: Set(order.block_number as i64),
        source: Set(order.source.as_str().to_owned()),
        status: Set(status.to_owned()),
        // A detail belongs to its status: a new status without one clears the old one.
        detail: Set(record.detail.clone()),
        transfer_tx: Set(keep(transfer_tx, existing.map(|r| &r.transfer_tx))),
        transfer_block: Set(transfer_block.or(existing.and_then(|r| r.transfer_block))),
        claim_tx: Set(keep(claim_tx, existing.map(|r| &r.claim_tx))),
        claim_block: Set(claim_block.or(existing.and_then(|r| r.claim_block))),
        release_tx: Set(keep(
            release.map(|r| r.tx_hash.to_string()),
            existing.map(|r| &r.release_tx),
        )),
        release_block: Set(release
            .map(|r| r.block_number as i64)
            .or(existing.and_then(|r| r.release_block))),
        status_history: Set(history),
        created_at: Set(existing.map_or(now, |row| row.created_at)),
        updated_at: Set(now),
    }
}

impl Store {
    /// Upserts the order's row, appends the status to its history (once), and stores the
    /// record's error under its sequence number (once).
    pub async fn record_escrow_order(&self, record: &EscrowRecord) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        let existing = escrow_order::Entity::find_by_id(record.workflow_id.clone())
            .one(&txn)
            .await?;
        let now = Utc::now();
        let status = record.status.as_str();
        let history = super::append_status(
            &record.workflow_id,
            existing.as_ref().map(|row| &row.status_history),
            status,
            record.detail.as_deref(),
            now,
        )?;
        let row = escrow_order_row(record, existing.as_ref(), history, now);
        escrow_order::Entity::insert(row)
            .on_conflict(
                OnConflict::column(escrow_order::Column::WorkflowId)
                    .update_columns([
                        escrow_order::Column::Status,
                        escrow_order::Column::Detail,
                        escrow_order::Column::TransferTx,
                        escrow_order::Column::TransferBlock,
                        escrow_order::Column::ClaimTx,
                        escrow_order::Column::ClaimBlock,
                        escrow_order::Column::ReleaseTx,
                        escrow_order::Column::ReleaseBlock,
                        escrow_order::Column::StatusHistory,
                        escrow_order::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec(&txn)
            .await?;
        if let Some(error) = &record.error {
            let row = escrow_order_error::ActiveModel {
                workflow_id: Set(record.workflow_id.clone()),
                seq: Set(error.seq as i32),
                step: Set(error.step.clone()),
                message: Set(error.message.clone()),
                at: Set(now),
            };
            // The primary key is (workflow, seq): a retried write inserts nothing.
            escrow_order_error::Entity::insert(row)
                .on_conflict_do_nothing()
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        observe::escrow_order_recorded(record);
        Ok(())
    }

    pub async fn escrow_order(
        &self,
        workflow_id: &str,
    ) -> Result<Option<escrow_order::Model>, StoreError> {
        Ok(escrow_order::Entity::find_by_id(workflow_id.to_owned())
            .one(&self.db)
            .await?)
    }

    /// The newest order numbered `order_id` on `chain_id` (a reorg can give one id to two).
    pub async fn escrow_order_numbered(
        &self,
        chain_id: u64,
        order_id: u64,
    ) -> Result<Option<escrow_order::Model>, StoreError> {
        Ok(escrow_order::Entity::find()
            .filter(escrow_order::Column::ChainId.eq(chain_id as i64))
            .filter(escrow_order::Column::OrderId.eq(order_id as i64))
            .order_by_desc(escrow_order::Column::CreatedAt)
            .one(&self.db)
            .await?)
    }

    /// The order's errors, oldest first.
    pub async fn escrow_order_errors(
        &self,
        workflow_id: &str,
    ) -> Result<Vec<escrow_order_error::Model>, StoreError> {
        Ok(escrow_order_error::Entity::find()
            .filter(escrow_order_error::Column::WorkflowId.eq(workflow_id))
            .order_by_asc(escrow_order_error::Column::Seq)
            .all(&self.db)
            .await?)
    }

    /// Orders matching the filter, newest first.
    pub async fn escrow_orders(
        &self,
        filter: &OrderFilter,
    ) -> Result<Vec<escrow_order::Model>, StoreError> {
        let mut query = escrow_order::Entity::find();
        if let Some(status) = filter.status {
            query = query.filter(escrow_order::Column::Status.eq(status.as_str()));
        }
        if let Some(chain_id) = filter.chain_id {
            query = query.filter(escrow_order::Column::ChainId.eq(chain_id as i64));
        }
        Ok(query
            .order_by_desc(escrow_order::Column::CreatedAt)
            .order_by_desc(escrow_order::Column::OrderId)
            .limit(filter.limit)
            .all(&self.db)
            .await?)
    }

    /// How many orders each L2 holds in each status, by chain id then status.
    pub async fn escrow_order_counts(&self) -> Result<Vec<(u64, String, u64)>, StoreError> {
        let rows: Vec<(i64, String, i64)> = escrow_order::Entity::find()
            .select_only()
            .column(escrow_order::Column::ChainId)
            .column(escrow_order::Column::Status)
            .column_as(escrow_order::Column::WorkflowId.count(), "count")
            .group_by(escrow_order::Column::ChainId)
            .group_by(escrow_order::Column::Status)
            .order_by_asc(escrow_order::Column::ChainId)
            .order_by_asc(escrow_order::Column::Status)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(chain, status, count)| (chain as u64, status, count as u64))
            .collect())
    }

    /// Wei promised to accepted orders whose L1 transfer has not happened yet (PROCESSING or
    /// TRANSFERRING), other than `except`: the evaluation keeps it out of the free balance.
    pub async fn escrow_reserved(&self, except: &str) -> Result<U256, StoreError> {
        let rows: Vec<(String, String)> = escrow_order::Entity::find()
            .select_only()
            .column(escrow_order::Column::WorkflowId)
            .column(escrow_order::Column::Amount)
            .filter(escrow_order::Column::Status.is_in([
                EscrowStatus::Processing.as_str(),
                EscrowStatus::Transferring.as_str(),
            ]))
            .filter(escrow_order::Column::TransferTx.is_null())
            .into_tuple()
            .all(&self.db)
            .await?;
        sum_amounts(rows, except)
    }

    /// Wei paid (or being paid) on L1 for orders of L2 `chain_id` set in blocks after
    /// `final_through` (not final yet, so a reorg could still replace them), other than
    /// `except`: the reorg exposure the evaluation caps.
    pub async fn escrow_unfinal_exposure(
        &self,
        chain_id: u64,
        final_through: u64,
        except: &str,
    ) -> Result<U256, StoreError> {
        let rows: Vec<(String, String)> = escrow_order::Entity::find()
            .select_only()
            .column(escrow_order::Column::WorkflowId)
            .column(escrow_order::Column::Amount)
            .filter(escrow_order::Column::ChainId.eq(chain_id as i64))
            .filter(escrow_order::Column::SetOrderBlock.gt(final_through as i64))
            .filter(escrow_order::Column::Status.is_not_in([
                EscrowStatus::Pending.as_str(),
                EscrowStatus::Processing.as_str(),
                EscrowStatus::Dropped.as_str(),
            ]))
            .into_tuple()
            .all(&self.db)
            .await?;
        sum_amounts(rows, except)
    }

    pub async fn cursor(&self, name: &str) -> Result<Option<u64>, StoreError> {
        Ok(chain_cursor::Entity::find_by_id(name.to_owned())
            .one(&self.db)
            .await?
            .map(|row| row.block as u64))
    }

    pub async fn set_cursor(&self, name: &str, block: u64) -> Result<(), StoreError> {
        let row = chain_cursor::ActiveModel {
            name: Set(name.to_owned()),
            block: Set(block as i64),
            updated_at: Set(Utc::now()),
        };
        chain_cursor::Entity::insert(row)
            .on_conflict(
                OnConflict::column(chain_cursor::Column::Name)
                    .update_columns([chain_cursor::Column::Block, chain_cursor::Column::UpdatedAt])
                    .to_owned(),
            )
            .exec(&self.db)
            .await?;
        Ok(())
    }
}

/// The sum of `(workflow id, amount)` rows but `except`'s.
fn sum_amounts(rows: Vec<(String, String)>, except: &str) -> Result<U256, StoreError> {
    rows.into_iter()
        .filter(|(id, _)| id != except)
        .try_fold(U256::ZERO, |sum, (id, amount)| {
            let amount: U256 = amount
                .parse()
                .map_err(|_| StoreError::Corrupt(id, format!("amount {amount:?}")))?;
            Ok(sum.saturating_add(amount))
        })
}
