//! From `SetOrder` logs to orders: the filter a subscription follows, decoding, and reading a
//! range of blocks. [`super::starters`] turns them into workflows.

use super::contracts::Escrow;
use crate::chain::{ChainClient, ChainError, logs::read_logs};
use alloy::{
    primitives::Address,
    rpc::types::{Filter, Log},
    sol_types::SolEvent,
};
use hedgeflow_proto::escrow::{EscrowOrder, OrderSource};

/// The `SetOrder` logs of `escrow` (any block: what a subscription follows).
pub fn set_order_filter(escrow: Address) -> Filter {
    Filter::new()
        .address(escrow)
        .event_signature(Escrow::SetOrder::SIGNATURE_HASH)
}

/// The order a `SetOrder` log announces; `None` for a log that is not one, still pending, or
/// `removed` (a subscription's notice that a reorg took it away: nothing to start).
pub fn decode(chain_id: u64, log: &Log, source: OrderSource) -> Option<EscrowOrder> {
    if log.removed {
        return None;
    }
    let event = log.log_decode::<Escrow::SetOrder>().ok()?;
    let data = &event.inner.data;
    Some(EscrowOrder {
        chain_id,
        order_id: data.order_id.try_into().ok()?,
        recipient: data.recipient_address,
        amount: data.amount.into(),
        fee: data.fee.into(),
        block_number: log.block_number?,
        tx_hash: log.transaction_hash?,
        source,
    })
}

/// Every order placed in `from..=to`.
pub async fn read_orders(
    chain: &ChainClient,
    escrow: Address,
    from: u64,
    to: u64,
    source: OrderSource,
) -> Result<Vec<EscrowOrder>, ChainError> {
    let chain_id = chain.config.chain_id;
    let logs = read_logs(chain, &set_order_filter(escrow), from, to).await?;
    Ok(logs
        .iter()
        .filter_map(|log| decode(chain_id, log, source))
        .collect())
}
