//! What the L1 `PaymentRegistry` already did. Asked before every transfer and claim, so a step
//! retried after a crash mid-send finds its transaction instead of sending another.

use super::{EscrowChains, EscrowError, contracts::PaymentRegistry};
use crate::{chain::ChainError, observe};
use alloy::{
    primitives::{B256, U256},
    providers::Provider,
    rpc::types::Filter,
    sol_types::SolEvent,
};
use hedgeflow_proto::escrow::{ClaimBatch, ClaimPlan, EscrowOrder, FoundTx};

/// `(transferred, claimed)` for the order's registry key.
async fn state(chains: &EscrowChains, order: &EscrowOrder) -> Result<(bool, bool), EscrowError> {
    let registry = PaymentRegistry::new(chains.config.payment_registry, &chains.l1().provider);
    let key = registry
        .transferKey(
            U256::from(order.order_id),
            order.recipient,
            order.amount.0,
            order.chain_id as u128,
        )
        .call()
        .await?;
    let state = registry.transfers(key).call().await?;
    Ok((state.transferred, state.claimed))
}

/// The registry event `E` for this order, matched by its indexed order id (topic 1) and chain id
/// (topic `chain_id_topic`: 3 in `Transfer`, 2 in `ClaimPayment`).
async fn find_event<E: SolEvent>(
    chains: &EscrowChains,
    order: &EscrowOrder,
    chain_id_topic: usize,
) -> Result<Option<FoundTx>, EscrowError> {
    let chain_topic = B256::from(U256::from(order.chain_id));
    let filter = Filter::new()
        .address(chains.config.payment_registry)
        .event_signature(E::SIGNATURE_HASH)
        .topic1(B256::from(U256::from(order.order_id)))
        .from_block(chains.config.registry_start_block);
    let filter = match chain_id_topic {
        3 => filter.topic3(chain_topic),
        _ => filter.topic2(chain_topic),
    };
    let logs = chains
        .l1()
        .provider
        .get_logs(&filter)
        .await
        .map_err(ChainError::rpc)?;
    Ok(logs.iter().rev().find_map(|log| {
        Some(FoundTx {
            tx_hash: log.transaction_hash?,
            block_number: log.block_number?,
        })
    }))
}

/// The order's transfer, if the registry has one.
pub async fn find_transfer(
    chains: &EscrowChains,
    order: &EscrowOrder,
) -> Result<Option<FoundTx>, EscrowError> {
    let (transferred, _) = state(chains, order).await?;
    if !transferred {
        return Ok(None);
    }
    // The registry's word is final; the log only tells which transaction it was.
    find_event::<PaymentRegistry::Transfer>(chains, order, 3)
        .await?
        .map(Some)
        .ok_or_else(|| {
            EscrowError::NotYet(format!(
                "the registry holds order {}'s transfer but no provider returned its log yet",
                order.order_id
            ))
        })
}

pub async fn plan_claims(
    chains: &EscrowChains,
    batch: &ClaimBatch,
) -> Result<ClaimPlan, EscrowError> {
    let mut plan = ClaimPlan::default();
    for claim in &batch.claims {
        match state(chains, &claim.order).await? {
            (false, _) => plan.invalid.push((
                claim.workflow_id.clone(),
                "no transfer for this order in the PaymentRegistry; nothing to claim".into(),
            )),
            (true, true) => {
                let found = find_event::<PaymentRegistry::ClaimPayment>(chains, &claim.order, 2)
                    .await?
                    .ok_or_else(|| {
                        EscrowError::NotYet(format!(
                            "order {} is claimed but no provider returned the claim's log yet",
                            claim.order.order_id
                        ))
                    })?;
                plan.already_claimed
                    .push((claim.workflow_id.clone(), found));
            }
            (true, false) => plan.to_claim.push(claim.clone()),
        }
    }
    observe::escrow_claims_planned(
        batch.claims.first().map_or(0, |c| c.order.chain_id),
        plan.to_claim.len(),
    );
    Ok(plan)
}
