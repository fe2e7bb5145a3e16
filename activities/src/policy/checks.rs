//! Chain checks: for calls whose rightness the chain can confirm, the hot wallet asks the chain
//! (or its own signature) instead of trusting the workflow that asked.

use super::Refusal;
use crate::{
    chain::ChainClient,
    escrow::contracts::{Escrow, order_status},
};
use alloy::{
    primitives::{Address, Signature, U256},
    sol_types::{SolCall, SolStruct},
};
use hedgeflow_proto::{
    chain::TxIntent,
    escrow::IPaymentRegistry,
    rfq::{domain, fillRfqOrderCall},
};

/// Which chain check a rule's calls must pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// `PaymentRegistry.transfer(orderId, recipient, chainId)`: the L2 escrow holds that order,
    /// OPEN, for that recipient and exactly the transaction's value.
    EscrowTransfer,
    /// `RfqSettlement.fillRfqOrder(order, makerSignature, …)`: the maker signature is the hot
    /// wallet's own, over the order, for this settlement contract.
    SettlementSignedByUs,
}

/// One L2's escrow, read for [`Check::EscrowTransfer`].
#[derive(Clone, Debug)]
pub struct EscrowL2 {
    pub chain: ChainClient,
    pub escrow: Address,
}

/// What the chain checks read: the L2 escrows.
#[derive(Clone, Debug, Default)]
pub struct Checks {
    pub escrows: Vec<EscrowL2>,
}

impl Checks {
    /// Runs `check` on `intent`, which the hot wallet `me` is asked to sign.
    pub(super) async fn run(
        &self,
        check: &Check,
        intent: &TxIntent,
        me: Address,
    ) -> Result<(), Refusal> {
        match check {
            Check::EscrowTransfer => self.escrow_transfer(intent).await,
            Check::SettlementSignedByUs => settlement_signed_by(intent, me),
        }
    }

    async fn escrow_transfer(&self, intent: &TxIntent) -> Result<(), Refusal> {
        let refuse = |reason: String| Err(Refusal::new("escrow-transfer", reason));
        let Ok(call) = IPaymentRegistry::transferCall::abi_decode(&intent.data) else {
            return refuse("its calldata is not a PaymentRegistry.transfer".into());
        };
        let Some(l2) = self
            .escrows
            .iter()
            .find(|l2| U256::from(l2.chain.config.chain_id) == U256::from(call.chainId))
        else {
            return refuse(format!("chain {} has no configured escrow", call.chainId));
        };
        let order = Escrow::new(l2.escrow, &l2.chain.provider)
            .get_order(call.orderId)
            .call()
            .await
            .map_err(|error| {
                Refusal::new(
                    "escrow-transfer",
                    format!("the L2 order could not be read: {error}"),
                )
            })?;
        if order.status != order_status::OPEN
            || order.recipient_address != call.destAddress
            || order.amount != intent.value.0
        {
            return refuse(format!(
                "L2 order {} is status {} for {} wei to {}, not {} wei to {}",
                call.orderId,
                order.status,
                order.amount,
                order.recipient_address,
                intent.value,
                call.destAddress
            ));
        }
        Ok(())
    }
}

/// Whether `intent`'s settlement order carries `me`'s maker signature.
fn settlement_signed_by(intent: &TxIntent, me: Address) -> Result<(), Refusal> {
    let refuse = |reason: &str| Err(Refusal::new("rfq-settle", reason));
    let Ok(call) = fillRfqOrderCall::abi_decode(&intent.data) else {
        return refuse("its calldata is not an RfqSettlement.fillRfqOrder");
    };
    let hash = call
        .order
        .eip712_signing_hash(&domain(intent.chain_id, intent.to));
    let signer = Signature::try_from(call.makerSignature.as_ref())
        .ok()
        .and_then(|signature| signature.recover_address_from_prehash(&hash).ok());
    if signer != Some(me) {
        return refuse("the order's maker signature is not the hot wallet's");
    }
    Ok(())
}
