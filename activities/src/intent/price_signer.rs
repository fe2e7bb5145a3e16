//! The price signer (the `price-signer` role, task queue `price-signer`): SYMMIO's oracle
//! stand-in. It signs the broker's mark price for the `IntentBook`, which checks it on
//! `openPosition` and `fillCloseRequest`. The only process with the price signer's key.
//!
//! A price is stamped with the chain's time (its latest block's), not this process's clock: the
//! book judges staleness by block time, and a chain that lags the wall clock (a stalled
//! sequencer, a dev chain restarted) would otherwise refuse every open as signed in its future.
//! The skew is measured and alerted on (`hedgeflow_chain_clock_skew_seconds`).

use super::IntentError;
use crate::{chain::Chains, failure::to_activity_error, observe};
use alloy::{
    primitives::{Address, U256, keccak256},
    signers::{SignerSync, local::PrivateKeySigner},
    sol_types::SolValue,
};
use hedgeflow_exchange::FuturesClient;
use hedgeflow_proto::{
    activities::definitions,
    intent::{PriceRequest, SignedPrice, to_wad},
};
use std::{
    sync::Arc,
    time::{SystemTime, UNIX_EPOCH},
};
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};
use tracing::{Instrument, info_span};

pub struct PriceSigner {
    signer: PrivateKeySigner,
    broker: Arc<FuturesClient>,
    chains: Chains,
}

impl PriceSigner {
    pub fn new(signer: PrivateKeySigner, broker: Arc<FuturesClient>, chains: Chains) -> Self {
        Self {
            signer,
            broker,
            chains,
        }
    }

    /// The latest block's time on the book's chain, with how far it is behind our clock
    /// recorded.
    async fn chain_time(&self, chain_id: u64) -> Result<u64, IntentError> {
        let chain_time = self.chains.by_id(chain_id)?.latest_block_time().await?;
        let ours = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64();
        observe::chain_clock_skew(chain_id, ours - chain_time as f64);
        Ok(chain_time)
    }

    pub fn address(&self) -> Address {
        self.signer.address()
    }

    async fn sign(&self, request: &PriceRequest) -> Result<SignedPrice, IntentError> {
        let mark = self.broker.mark_price(&request.symbol).await?;
        // The book keeps 18 decimals; the broker's price has fewer.
        let price = mark.mark_price.round_dp(18);
        let timestamp = self.chain_time(request.chain_id).await?;
        let wad =
            to_wad(price).ok_or_else(|| IntentError::Decode(format!("mark price {price}")))?;
        let digest = price_digest(request, wad, timestamp);
        let signature = self
            .signer
            .sign_message_sync(digest.as_slice())
            .map_err(|e| IntentError::Signer(e.to_string()))?;
        Ok(SignedPrice {
            symbol_id: request.symbol_id,
            price,
            timestamp,
            signature: signature.as_bytes().to_vec().into(),
        })
    }
}

/// `IntentBook.priceDigest`: what the price signer signs (EIP-191) for a price.
pub fn price_digest(
    request: &PriceRequest,
    price: U256,
    timestamp: u64,
) -> alloy::primitives::B256 {
    keccak256(
        (
            request.book,
            U256::from(request.chain_id),
            U256::from(request.symbol_id),
            price,
            U256::from(timestamp),
        )
            .abi_encode(),
    )
}

#[activities]
impl PriceSigner {
    /// See [`definitions::SignPrice`]: stateless.
    #[activity(definition = definitions::SignPrice)]
    pub async fn sign_price(
        self: Arc<Self>,
        _ctx: ActivityContext,
        request: PriceRequest,
    ) -> Result<SignedPrice, ActivityError> {
        let span =
            info_span!("sign_price", symbol = %request.symbol, symbol_id = request.symbol_id);
        let signed = self.sign(&request).instrument(span).await;
        observe::price_signed(&request, &signed);
        signed.map_err(to_activity_error)
    }
}
