//! `watch_receipt`: wait for confirmations, notice reverts and reorgs.

use super::{ChainError, Chains};
use crate::{failure::to_activity_error, observe};
use alloy::{eips::BlockNumberOrTag, providers::Provider};
use hedgeflow_proto::Amount;
use hedgeflow_proto::{
    activities::definitions,
    chain::{ConfirmedReceipt, ReceiptOutcome, WatchReceipt},
};
use std::sync::Arc;
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};
use tracing::{Instrument, info_span};

/// Consecutive checks without a receipt, after one was seen, before calling it a reorg: a single
/// lagging provider must not look like one.
const MISSING_CHECKS_FOR_REORG: u32 = 3;

/// Read-only chain activities; needs no secret.
pub struct ReceiptWatcher {
    chains: Chains,
}

impl ReceiptWatcher {
    pub fn new(chains: Chains) -> Self {
        Self { chains }
    }
}

#[activities]
impl ReceiptWatcher {
    /// See [`definitions::WatchReceipt`]. The last block the receipt was seen in is kept in
    /// the heartbeat, so a retry still recognises a reorg that happened while no worker watched.
    #[activity(definition = definitions::WatchReceipt)]
    pub async fn watch_receipt(
        self: Arc<Self>,
        ctx: ActivityContext,
        watch: WatchReceipt,
    ) -> Result<ReceiptOutcome, ActivityError> {
        let span = info_span!(
            "watch_receipt",
            tx = %watch.tx_hash,
            workflow_id = ctx.info().workflow_id.as_deref().unwrap_or_default(),
        );
        self.watch(&ctx, watch)
            .instrument(span)
            .await
            .map_err(to_activity_error)
    }
}

impl ReceiptWatcher {
    async fn watch(
        &self,
        ctx: &ActivityContext,
        watch: WatchReceipt,
    ) -> Result<ReceiptOutcome, ChainError> {
        let chain = self.chains.by_id(watch.chain_id)?;
        let mut seen_in: Option<u64> = ctx.heartbeat_details().deserialize().ok().flatten();
        let mut missing = 0;
        loop {
            let head = chain.head();
            // Any provider that has the receipt: one behind the others must not look like a reorg.
            let receipt = chain.receipt(watch.tx_hash).await?;
            match receipt {
                None => {
                    if let Some(last_seen_block) = seen_in {
                        missing += 1;
                        if missing >= MISSING_CHECKS_FOR_REORG {
                            observe::receipt_reorged(&watch.tx_hash, last_seen_block);
                            return Ok(ReceiptOutcome::Reorged { last_seen_block });
                        }
                    }
                }
                Some(receipt) => {
                    missing = 0;
                    let block_number = receipt.block_number.unwrap_or_default();
                    if !receipt.status() {
                        observe::receipt_reverted(&watch.tx_hash, block_number);
                        return Err(ChainError::Reverted {
                            tx_hash: watch.tx_hash,
                            block_number,
                        });
                    }
                    seen_in = Some(block_number);
                    let confirmations = head.saturating_add(1).saturating_sub(block_number);
                    if confirmations >= watch.confirmations
                        && self.still_canonical(chain, &receipt).await?
                    {
                        let confirmed = ConfirmedReceipt {
                            tx_hash: watch.tx_hash,
                            block_number,
                            block_hash: receipt.block_hash.unwrap_or_default(),
                            gas_used: receipt.gas_used,
                            effective_gas_price: Amount(alloy::primitives::U256::from(
                                receipt.effective_gas_price,
                            )),
                            confirmations,
                        };
                        observe::receipt_confirmed(&confirmed);
                        return Ok(ReceiptOutcome::Confirmed(confirmed));
                    }
                }
            }
            let _ = ctx.record_heartbeat(seen_in).await;
            if ctx.is_cancelled() {
                return Err(ChainError::Cancelled);
            }
            chain.next_head(head, chain.config.poll_interval * 4).await;
        }
    }

    /// The receipt's block is still the chain's block at that height.
    async fn still_canonical(
        &self,
        chain: &super::ChainClient,
        receipt: &alloy::rpc::types::TransactionReceipt,
    ) -> Result<bool, ChainError> {
        let number = receipt.block_number.unwrap_or_default();
        let block = chain
            .provider
            .get_block_by_number(BlockNumberOrTag::Number(number))
            .await
            .map_err(ChainError::rpc)?;
        Ok(block.is_some_and(|block| Some(block.header.hash) == receipt.block_hash))
    }
}
