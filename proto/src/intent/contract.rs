//! The `IntentBook`'s party-B functions: their selectors (the hot wallet's policy), the
//! 18-decimal fixed point, and the calldata of each action.

use super::{IntentRef, SignedPrice};
use crate::{Amount, chain::TxIntent};
use alloy::{
    primitives::{Address, U256},
    sol,
    sol_types::SolCall,
};
use rust_decimal::Decimal;

sol! {
    /// The party-B functions of `IntentBook` the hedger and its balance manager send (see `contracts/src/IntentBook.sol`).
    struct PriceSig { uint256 symbolId; uint256 price; uint256 timestamp; bytes signature; }
    function allocateForPartyB(uint256 amount, address partyA);
    function deallocateForPartyB(uint256 amount, address partyA);
    function deposit(uint256 amount);
    function withdraw(uint256 amount);
    function lockQuote(uint256 quoteId);
    function unlockQuote(uint256 quoteId);
    function acceptCancelRequest(uint256 quoteId);
    function openPosition(uint256 quoteId, uint256 filledAmount, uint256 openedPrice, PriceSig sig);
    function fillCloseRequest(uint256 quoteId, uint256 filledAmount, uint256 closedPrice, PriceSig sig);
    function acceptCancelCloseRequest(uint256 quoteId);
}

/// The selectors of every `IntentBook` function party B sends: what the hot wallet's policy
/// allows on the book.
pub const PARTY_B_SELECTORS: [[u8; 4]; 10] = [
    allocateForPartyBCall::SELECTOR,
    deallocateForPartyBCall::SELECTOR,
    depositCall::SELECTOR,
    withdrawCall::SELECTOR,
    lockQuoteCall::SELECTOR,
    unlockQuoteCall::SELECTOR,
    acceptCancelRequestCall::SELECTOR,
    openPositionCall::SELECTOR,
    fillCloseRequestCall::SELECTOR,
    acceptCancelCloseRequestCall::SELECTOR,
];

/// One in the contract's 18-decimal fixed point.
const WAD: u64 = 1_000_000_000_000_000_000;

/// 18-decimal fixed point to the contract's integer; `None` when negative or finer than 1e-18.
pub fn to_wad(value: Decimal) -> Option<U256> {
    use rust_decimal::prelude::ToPrimitive;
    let scaled = value.checked_mul(Decimal::from(WAD))?;
    if value.is_sign_negative() || !scaled.fract().is_zero() {
        return None;
    }
    scaled.to_u128().map(U256::from)
}

/// The contract's integer to 18-decimal fixed point; `None` beyond what a [`Decimal`] holds.
pub fn from_wad(value: U256) -> Option<Decimal> {
    let units = i128::try_from(u128::try_from(value).ok()?).ok()?;
    Decimal::try_from_i128_with_scale(units, 18)
        .ok()
        .map(|d| d.normalize())
}

/// A party-B transaction of the hedger on `intent`'s book, keyed by `step`.
pub fn party_b_tx(intent: &IntentRef, step: &str, data: Vec<u8>) -> TxIntent {
    TxIntent {
        intent_key: intent.tx_key(step),
        chain_id: intent.chain_id,
        to: intent.book,
        value: Amount::ZERO,
        data: data.into(),
    }
}

/// The calldata of the hedger's actions on a quote.
pub mod calldata {
    use super::*;

    fn id(quote_id: u64) -> U256 {
        U256::from(quote_id)
    }

    fn sig(price: &SignedPrice) -> Option<PriceSig> {
        Some(PriceSig {
            symbolId: U256::from(price.symbol_id),
            price: to_wad(price.price)?,
            timestamp: U256::from(price.timestamp),
            signature: price.signature.clone(),
        })
    }

    /// `None` when the amount is not representable on chain.
    pub fn allocate(amount: Decimal, party_a: Address) -> Option<Vec<u8>> {
        Some(
            allocateForPartyBCall {
                amount: to_wad(amount)?,
                partyA: party_a,
            }
            .abi_encode(),
        )
    }

    pub fn deallocate(amount: Decimal, party_a: Address) -> Option<Vec<u8>> {
        Some(
            deallocateForPartyBCall {
                amount: to_wad(amount)?,
                partyA: party_a,
            }
            .abi_encode(),
        )
    }

    /// `deposit`: the collateral (approved to the book) into party B's free balance.
    pub fn deposit(amount: Decimal) -> Option<Vec<u8>> {
        Some(
            depositCall {
                amount: to_wad(amount)?,
            }
            .abi_encode(),
        )
    }

    /// `withdraw`: party B's free balance out of the book to the hot wallet.
    pub fn withdraw(amount: Decimal) -> Option<Vec<u8>> {
        Some(
            withdrawCall {
                amount: to_wad(amount)?,
            }
            .abi_encode(),
        )
    }

    pub fn lock(quote_id: u64) -> Vec<u8> {
        lockQuoteCall {
            quoteId: id(quote_id),
        }
        .abi_encode()
    }

    pub fn unlock(quote_id: u64) -> Vec<u8> {
        unlockQuoteCall {
            quoteId: id(quote_id),
        }
        .abi_encode()
    }

    pub fn accept_cancel(quote_id: u64) -> Vec<u8> {
        acceptCancelRequestCall {
            quoteId: id(quote_id),
        }
        .abi_encode()
    }

    pub fn accept_cancel_close(quote_id: u64) -> Vec<u8> {
        acceptCancelCloseRequestCall {
            quoteId: id(quote_id),
        }
        .abi_encode()
    }

    /// `None` when an amount is not representable on chain (negative, finer than 1e-18).
    pub fn open(
        quote_id: u64,
        filled: Decimal,
        price: Decimal,
        signed: &SignedPrice,
    ) -> Option<Vec<u8>> {
        Some(
            openPositionCall {
                quoteId: id(quote_id),
                filledAmount: to_wad(filled)?,
                openedPrice: to_wad(price)?,
                sig: sig(signed)?,
            }
            .abi_encode(),
        )
    }

    pub fn fill_close(
        quote_id: u64,
        filled: Decimal,
        price: Decimal,
        signed: &SignedPrice,
    ) -> Option<Vec<u8>> {
        Some(
            fillCloseRequestCall {
                quoteId: id(quote_id),
                filledAmount: to_wad(filled)?,
                closedPrice: to_wad(price)?,
                sig: sig(signed)?,
            }
            .abi_encode(),
        )
    }
}
