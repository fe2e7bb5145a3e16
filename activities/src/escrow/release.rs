//! Waiting for our funds on L2: the claim's message reaches the `Escrow` through the messenger,
//! which marks the order claimed and pays `amount + fee` to our L2 address. The release counts
//! only once it is `finality-depth` blocks deep: a reorg can take it away (the order is OPEN
//! again and the messenger delivers the claim anew), and the wait goes on for the new one.

use super::{
    EscrowChains, EscrowError,
    contracts::{Escrow, order_status},
};
use crate::chain::ChainError;
use alloy::{
    primitives::{B256, U256},
    providers::Provider,
    rpc::types::Filter,
    sol_types::SolEvent,
};
use hedgeflow_proto::escrow::{EscrowOrder, Released};
use std::time::Duration;
use temporalio_sdk::activities::ActivityContext;

pub async fn await_release(
    ctx: &ActivityContext,
    chains: &EscrowChains,
    order: &EscrowOrder,
) -> Result<Released, EscrowError> {
    let (l2, config) = chains.l2(order.chain_id)?;
    let escrow = Escrow::new(config.escrow, &l2.provider);
    loop {
        let seen = l2.head();
        let final_through = seen.saturating_sub(config.finality_depth);
        let on_chain = escrow.get_order(U256::from(order.order_id)).call().await?;
        match on_chain.status {
            order_status::CLAIMED => {
                let filter = Filter::new()
                    .address(config.escrow)
                    .event_signature(Escrow::ClaimPayment::SIGNATURE_HASH)
                    .topic1(B256::from(U256::from(order.order_id)))
                    .from_block(order.block_number);
                let logs = l2
                    .provider
                    .get_logs(&filter)
                    .await
                    .map_err(ChainError::rpc)?;
                let found = logs.iter().find_map(|log| {
                    let event = log.log_decode::<Escrow::ClaimPayment>().ok()?;
                    Some(Released {
                        tx_hash: log.transaction_hash?,
                        block_number: log.block_number?,
                        amount: event.inner.data.amount.into(),
                    })
                });
                if let Some(released) = found
                    && released.block_number <= final_through
                {
                    return Ok(released);
                }
            }
            order_status::RECLAIMED => return Err(EscrowError::Reclaimed(order.workflow_id())),
            _ => {}
        }
        let _ = ctx.record_heartbeat(seen).await;
        if ctx.is_cancelled() {
            return Err(EscrowError::Cancelled);
        }
        l2.next_head(seen, Duration::from_secs(5)).await;
    }
}
