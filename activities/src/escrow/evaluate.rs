//! Whether an order is worth and safe to fill. Every refusal is a [`Decision::Drop`] with a
//! reason ops can read; only transient trouble (RPC, DB, an order not yet confirmed) is an error
//! the engine retries.

use super::{
    EscrowChains, EscrowConfig, EscrowError,
    config::L2Escrow,
    contracts::{Escrow, order_status},
};
use crate::{chain::ChainClient, store::Store};
use alloy::{
    primitives::{Address, U256},
    providers::Provider,
};
use hedgeflow_proto::{
    Amount,
    escrow::{Accepted, Decision, EscrowOrder},
};
use std::time::Duration;

/// How long the evaluation waits for the order's L2 confirmations before letting the engine
/// retry (the activity's timeout is 30 s).
const CONFIRMATION_WAIT: Duration = Duration::from_secs(20);

pub async fn evaluate(
    chains: &EscrowChains,
    store: &Store,
    hot_wallet: Address,
    order: &EscrowOrder,
) -> Result<Decision, EscrowError> {
    let config = &chains.config;
    let (l2, escrow_config) = chains.l2(order.chain_id)?;
    let l1 = chains.l1();
    let drop = |reason: String| Ok(Decision::Drop { reason });

    let block_number = match placed_in_block(l2, escrow_config, order).await? {
        Ok(block_number) => block_number,
        Err(reason) => return drop(reason),
    };
    if let Some(reason) =
        refused_on_l2(l2, escrow_config, config, store, order, block_number).await?
    {
        return drop(reason);
    }

    if order.amount.0 > config.max_order.0 {
        return drop(format!(
            "amount {} ETH is above the per-order cap of {} ETH",
            order.amount.format_units(18),
            config.max_order.format_units(18)
        ));
    }

    let min_fee = match covered_on_l1(chains, store, hot_wallet, order).await? {
        Ok(min_fee) => min_fee,
        Err(reason) => return drop(reason),
    };

    Ok(Decision::Accept(Accepted {
        l1_chain_id: l1.config.chain_id,
        payment_registry: config.payment_registry,
        confirmations: config.confirmations(&order.amount, l1.config.confirmations),
        min_fee: min_fee.into(),
    }))
}

/// The L2 block the order's transaction placed it in, or why the order is dropped.
async fn placed_in_block(
    l2: &ChainClient,
    escrow_config: &L2Escrow,
    order: &EscrowOrder,
) -> Result<Result<u64, String>, EscrowError> {
    // The order is where its transaction is now: a reorg may have dropped the transaction,
    // mined it again in a later block, or mined it again under another order id (which then
    // has its own workflow).
    let Some(placed) = l2.receipt(order.tx_hash).await? else {
        return Err(EscrowError::NotYet(format!(
            "the order's L2 transaction {} is not on chain (reorganised out?)",
            order.tx_hash
        )));
    };
    let placed_as = placed
        .inner
        .logs()
        .iter()
        .filter(|log| log.address() == escrow_config.escrow)
        .find_map(|log| super::orders::decode(order.chain_id, log, order.source));
    match placed_as {
        Some(now) if now.order_id == order.order_id => Ok(Ok(now.block_number)),
        now => Ok(Err(format!(
            "its L2 transaction {} now placed {} (reorganised)",
            order.tx_hash,
            now.map_or("no order".into(), |now| format!("order {}", now.order_id))
        ))),
    }
}

/// Why the order, placed in `block_number`, is dropped for what the L2 escrow says of it; `None`
/// when it is confirmed, open, as placed, and not reclaimable too soon.
async fn refused_on_l2(
    l2: &ChainClient,
    escrow_config: &L2Escrow,
    config: &EscrowConfig,
    store: &Store,
    order: &EscrowOrder,
    block_number: u64,
) -> Result<Option<String>, EscrowError> {
    // The order must be on the L2 under enough blocks (more for a bigger order, finality when
    // the value already paid against blocks that may reorg is at its cap), and say what the
    // event said.
    let final_through = l2.head().saturating_sub(escrow_config.finality_depth);
    let exposure = if block_number > final_through {
        store
            .escrow_unfinal_exposure(order.chain_id, final_through, &order.workflow_id())
            .await?
    } else {
        U256::ZERO
    };
    let confirmations = escrow_config.confirmations(&order.amount, exposure);
    let wanted = block_number + confirmations - 1;
    if l2.head() < wanted && l2.next_head(wanted - 1, CONFIRMATION_WAIT).await < wanted {
        return Err(EscrowError::NotYet(format!(
            "waiting for L2 block {wanted} ({confirmations} confirmations; {} ETH paid against \
             blocks not yet final)",
            Amount::from(exposure).format_units(18)
        )));
    }
    let escrow = Escrow::new(escrow_config.escrow, &l2.provider);
    let on_chain = escrow.get_order(U256::from(order.order_id)).call().await?;
    if on_chain.status == order_status::NONE {
        return Err(EscrowError::NotYet(format!(
            "order {} is not on the L2 escrow (yet)",
            order.order_id
        )));
    }
    if on_chain.recipient_address != order.recipient
        || on_chain.amount != order.amount.0
        || on_chain.fee != order.fee.0
    {
        return Ok(Some(format!(
            "the escrow holds a different order {}: recipient {}, amount {}, fee {}",
            order.order_id, on_chain.recipient_address, on_chain.amount, on_chain.fee
        )));
    }
    if on_chain.status != order_status::OPEN {
        let state = if on_chain.status == order_status::CLAIMED {
            "claimed"
        } else {
            "reclaimed by its user"
        };
        return Ok(Some(format!("the order is already {state} on L2")));
    }
    let reclaim_delay = escrow.reclaim_delay().call().await?;
    let now = l2.latest_block_time().await?;
    let reclaimable_at = on_chain.created_at.saturating_add(reclaim_delay);
    let left = reclaimable_at.saturating_sub(now);
    if left < config.min_time_left.as_secs() {
        return Ok(Some(format!(
            "its user may reclaim it in {left} s, less than the {} s we need",
            config.min_time_left.as_secs()
        )));
    }
    Ok(None)
}

/// The fee the order must pay at least, or why the order is dropped: a fee below the L1 gas it
/// costs, or too little free L1 liquidity to pay it.
async fn covered_on_l1(
    chains: &EscrowChains,
    store: &Store,
    hot_wallet: Address,
    order: &EscrowOrder,
) -> Result<Result<U256, String>, EscrowError> {
    let config = &chains.config;
    let l1 = chains.l1();

    let gas_price = l1
        .provider
        .get_gas_price()
        .await
        .map_err(crate::chain::ChainError::rpc)?;
    let min_fee = config.min_fee(gas_price);
    if order.fee.0 < min_fee {
        return Ok(Err(format!(
            "fee {} wei does not cover the estimated L1 gas of transfer and claim plus margin, \
             {min_fee} wei (gas price {gas_price} wei)",
            order.fee
        )));
    }

    let balance = l1
        .provider
        .get_balance(hot_wallet)
        .await
        .map_err(crate::chain::ChainError::rpc)?;
    let reserved = store.escrow_reserved(&order.workflow_id()).await?;
    let free = balance
        .saturating_sub(reserved)
        .saturating_sub(config.gas_reserve.0);
    if order.amount.0 > free {
        return Ok(Err(format!(
            "not enough L1 liquidity: {} ETH free ({} ETH balance, {} ETH promised to other \
             orders, {} ETH gas reserve)",
            Amount::from(free).format_units(18),
            Amount::from(balance).format_units(18),
            Amount::from(reserved).format_units(18),
            config.gas_reserve.format_units(18),
        )));
    }
    Ok(Ok(min_fee))
}
