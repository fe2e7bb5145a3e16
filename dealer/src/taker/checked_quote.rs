//! [`TakerQuote`]: a firm quote checked safe to approve before it is handed out.

use alloy::primitives::{Address, B256, U256};
use alloy::sol_types::SolStruct;
use hedgeflow_proto::rfq::quote::domain;

use super::TakerError;
use crate::api::{Quote, Signature, SignedOrder};

/// A firm quote, checked (see the [`taker`](super) module docs): a [`Quote`] whose signed order
/// is present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakerQuote {
    /// Invariant: `quote.order` is `Some` (checked by [`TakerQuote::checked`]).
    pub(super) quote: Quote,
}

impl TakerQuote {
    /// The quote as the dealer answered it.
    pub fn quote(&self) -> &Quote {
        &self.quote
    }

    /// The dealer-signed order to approve.
    pub fn order(&self) -> &SignedOrder {
        self.quote
            .order
            .as_ref()
            .expect("a TakerQuote always has an order (checked when built)")
    }

    /// Refuse a quote that is not safe to approve for `taker`.
    pub(super) fn checked(quote: Quote, taker: Address) -> Result<Self, TakerError> {
        let bad = |reason| Err(TakerError::BadQuote(reason));
        let Some(signed) = &quote.order else {
            return bad("no order in the quote");
        };
        let order = &signed.order;
        if (order.makerToken, order.takerToken) != (quote.maker_asset, quote.taker_asset) {
            return bad("the order's tokens are not the quoted assets");
        }
        if (U256::from(order.makerAmount), U256::from(order.takerAmount))
            != (quote.maker_size, quote.taker_size)
        {
            return bad("the order's amounts are not the quoted sizes");
        }
        if order.taker != taker {
            return bad("the order names another taker");
        }
        if signed.chain_id != quote.trade_info.chain_id {
            return bad("the order's chain is not the quote's");
        }
        let hash = order.eip712_signing_hash(&domain(signed.chain_id, signed.verifying_contract));
        if signed.hash != hash {
            return bad("orderHash is not the order's EIP-712 digest");
        }
        if recover(&signed.signature, &hash) != Some(order.maker) {
            return bad("the order's signature is not its maker's");
        }
        Ok(Self { quote })
    }
}

/// Who signed `hash`, if `signature` is a valid `r ‖ s ‖ v` signature.
pub(super) fn recover(signature: &Signature, hash: &B256) -> Option<Address> {
    alloy::primitives::Signature::from_raw(signature.as_slice())
        .ok()?
        .recover_address_from_prehash(hash)
        .ok()
}
