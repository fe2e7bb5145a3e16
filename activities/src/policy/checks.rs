//! Chain checks: for calls whose rightness the chain can confirm, the hot wallet asks the chain
//! (or its own signature) instead of trusting the workflow that asked.

use super::Refusal;
use crate::{
    chain::ChainClient,
    escrow::contracts::{Escrow, order_status},
    intent::contract::IntentBook,
};
use alloy::{
    primitives::{Address, Signature, U256},
    sol_types::{SolCall, SolStruct},
};
use hedgeflow_proto::{
    chain::TxIntent,
    escrow::IPaymentRegistry,
    intent::{
        QuoteStatus, acceptCancelCloseRequestCall, acceptCancelRequestCall, fillCloseRequestCall,
        lockQuoteCall, openPositionCall, unlockQuoteCall,
    },
    rfq::quote::{domain, fillRfqOrderCall},
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
    /// An `IntentBook` quote action of party B: the quote, read from the book, is in a status
    /// that takes the action, is ours to act on (locked by the hot wallet, or for a lock, open
    /// to it and not its own), and the amount is within what the quote has left. Calls that
    /// name no quote (allocations, deposits) pass.
    IntentQuote,
}

/// One L2's escrow, read for [`Check::EscrowTransfer`].
#[derive(Clone, Debug)]
pub struct EscrowL2 {
    pub chain: ChainClient,
    pub escrow: Address,
}

/// An `IntentBook`, read for [`Check::IntentQuote`].
#[derive(Clone, Debug)]
pub struct BookOnChain {
    pub chain: ChainClient,
    pub book: Address,
}

/// What the chain checks read: the L2 escrows and the intent books.
#[derive(Clone, Debug, Default)]
pub struct Checks {
    pub escrows: Vec<EscrowL2>,
    pub books: Vec<BookOnChain>,
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
            Check::IntentQuote => self.intent_quote(intent, me).await,
        }
    }

    async fn intent_quote(&self, intent: &TxIntent, me: Address) -> Result<(), Refusal> {
        let refuse = |reason: String| Err(Refusal::new("intent-quote", reason));
        let Some(action) = QuoteAction::decode(&intent.data) else {
            return Ok(());
        };
        let Some(book) = self
            .books
            .iter()
            .find(|b| b.chain.config.chain_id == intent.chain_id && b.book == intent.to)
        else {
            return refuse(format!(
                "{} on chain {} is no configured book",
                intent.to, intent.chain_id
            ));
        };
        let quote = IntentBook::new(book.book, &book.chain.provider)
            .getQuote(action.quote_id)
            .call()
            .await
            .map_err(|error| {
                let reason = if error.as_revert_data().is_some() {
                    // The book refuses to read a quote it never numbered.
                    format!("{}: quote {} does not exist", action.name, action.quote_id)
                } else {
                    format!("the quote could not be read: {error}")
                };
                Refusal::new("intent-quote", reason)
            })?;
        let status = QuoteStatus::from_u8(quote.quoteStatus);
        let name = action.name;
        if !status.is_some_and(|s| action.statuses.contains(&s)) {
            return refuse(format!(
                "{name}: quote {} is {}, not {:?}",
                action.quote_id,
                status.map_or("unknown", |s| s.as_str()),
                action
                    .statuses
                    .iter()
                    .map(QuoteStatus::as_str)
                    .collect::<Vec<_>>()
            ));
        }
        let ours = if action.locks {
            quote.partyA != me
                && (quote.partyBsWhiteList.is_empty() || quote.partyBsWhiteList.contains(&me))
        } else {
            quote.partyB == me
        };
        if !ours {
            return refuse(format!(
                "{name}: quote {} is not the hot wallet's to act on (party A {}, party B {})",
                action.quote_id, quote.partyA, quote.partyB
            ));
        }
        let left = if action.closes {
            quote.quantityToClose
        } else {
            quote.quantity
        };
        if let Some(amount) = action.amount
            && (amount.is_zero() || amount > left)
        {
            return refuse(format!(
                "{name}: {amount} of quote {} is not within the {left} it has left",
                action.quote_id
            ));
        }
        Ok(())
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

/// A party-B action on one quote, as the calldata names it.
struct QuoteAction {
    name: &'static str,
    quote_id: U256,
    /// The statuses that take the action.
    statuses: &'static [QuoteStatus],
    /// A lock: the quote must be open to the hot wallet rather than already its own.
    locks: bool,
    /// The filled amount, checked against the quantity (or, for a close, the quantity to close).
    amount: Option<U256>,
    closes: bool,
}

impl QuoteAction {
    fn decode(data: &[u8]) -> Option<QuoteAction> {
        use QuoteStatus::*;
        let action = |name, quote_id, statuses, amount, closes| QuoteAction {
            name,
            quote_id,
            statuses,
            locks: name == "lockQuote",
            amount,
            closes,
        };
        let selector: [u8; 4] = data.get(..4)?.try_into().ok()?;
        Some(match selector {
            lockQuoteCall::SELECTOR => {
                let call = lockQuoteCall::abi_decode(data).ok()?;
                action("lockQuote", call.quoteId, &[Pending], None, false)
            }
            unlockQuoteCall::SELECTOR => {
                let call = unlockQuoteCall::abi_decode(data).ok()?;
                action("unlockQuote", call.quoteId, &[Locked], None, false)
            }
            acceptCancelRequestCall::SELECTOR => {
                let call = acceptCancelRequestCall::abi_decode(data).ok()?;
                action(
                    "acceptCancelRequest",
                    call.quoteId,
                    &[CancelPending],
                    None,
                    false,
                )
            }
            openPositionCall::SELECTOR => {
                let call = openPositionCall::abi_decode(data).ok()?;
                let statuses = &[Locked, CancelPending];
                action(
                    "openPosition",
                    call.quoteId,
                    statuses,
                    Some(call.filledAmount),
                    false,
                )
            }
            fillCloseRequestCall::SELECTOR => {
                let call = fillCloseRequestCall::abi_decode(data).ok()?;
                let statuses = &[ClosePending, CancelClosePending];
                action(
                    "fillCloseRequest",
                    call.quoteId,
                    statuses,
                    Some(call.filledAmount),
                    true,
                )
            }
            acceptCancelCloseRequestCall::SELECTOR => {
                let call = acceptCancelCloseRequestCall::abi_decode(data).ok()?;
                action(
                    "acceptCancelCloseRequest",
                    call.quoteId,
                    &[CancelClosePending],
                    None,
                    false,
                )
            }
            _ => return None,
        })
    }
}
