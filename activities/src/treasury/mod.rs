//! The hot wallet's treasury: balances, and validating a transfer request into a plan.
//!
//! Used by the `plan_transfer` activity and, before anything is started, by the CLI, so a bad
//! request is refused at the prompt with the same words the workflow would store.

pub mod starters;

use crate::{
    chain::{
        ChainClient, ChainError, Chains,
        config::{NATIVE, NATIVE_DECIMALS},
    },
    failure::{Retryable, to_activity_error},
};
use alloy::{primitives::Address, providers::Provider, sol};
use hedgeflow_proto::{
    Amount,
    activities::definitions,
    transfer::{TransferPlan, TransferRequest},
};
use std::sync::Arc;
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};
use tracing::{Instrument, info_span};

sol! {
    #[sol(rpc)]
    interface IERC20 {
        function balanceOf(address owner) external view returns (uint256);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TreasuryError {
    #[error("unknown chain {0:?}; configured chains: {1}")]
    UnknownChain(String, String),
    #[error("unknown token {token:?} on chain {chain}; known tokens: {known}")]
    UnknownToken {
        token: String,
        chain: String,
        known: String,
    },
    #[error("amount must be greater than zero")]
    ZeroAmount,
    #[error("recipient is the zero address")]
    ZeroRecipient,
    #[error("amount {amount} {token} exceeds the hot wallet's balance of {balance} {token}")]
    InsufficientBalance {
        token: String,
        amount: String,
        balance: String,
    },
    #[error(transparent)]
    Chain(#[from] ChainError),
}

impl Retryable for TreasuryError {
    fn is_retryable(&self) -> bool {
        matches!(self, Self::Chain(error) if error.is_retryable())
    }

    fn is_cancellation(&self) -> bool {
        matches!(self, Self::Chain(error) if error.is_cancellation())
    }
}

/// A token as the treasury sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Asset {
    pub symbol: String,
    /// `None` for the native asset.
    pub address: Option<Address>,
    pub decimals: u8,
}

/// The native asset and every configured token of `chain`, native first.
pub fn assets(chain: &ChainClient) -> Vec<Asset> {
    let native = Asset {
        symbol: NATIVE.into(),
        address: None,
        decimals: NATIVE_DECIMALS,
    };
    let tokens = chain.config.tokens.iter().map(|(symbol, token)| Asset {
        symbol: symbol.clone(),
        address: Some(token.address),
        decimals: token.decimals,
    });
    std::iter::once(native).chain(tokens).collect()
}

pub fn asset(chain: &ChainClient, symbol: &str) -> Result<Asset, TreasuryError> {
    let all = assets(chain);
    all.iter()
        .find(|a| a.symbol.eq_ignore_ascii_case(symbol))
        .cloned()
        .ok_or_else(|| TreasuryError::UnknownToken {
            token: symbol.into(),
            chain: chain.name.clone(),
            known: all
                .iter()
                .map(|a| a.symbol.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

pub async fn balance_of(
    chain: &ChainClient,
    asset: &Asset,
    owner: Address,
) -> Result<Amount, ChainError> {
    let value = match asset.address {
        None => chain
            .provider
            .get_balance(owner)
            .await
            .map_err(ChainError::rpc)?,
        Some(token) => IERC20::new(token, &chain.provider)
            .balanceOf(owner)
            .call()
            .await
            .map_err(ChainError::rpc)?,
    };
    Ok(Amount(value))
}

pub fn chain<'a>(chains: &'a Chains, name: &str) -> Result<&'a ChainClient, TreasuryError> {
    chains.by_name(name).ok_or_else(|| {
        TreasuryError::UnknownChain(
            name.into(),
            chains
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        )
    })
}

/// Validates a request against config and the hot wallet's current balance.
pub async fn plan(
    chains: &Chains,
    hot_wallet: Address,
    request: &TransferRequest,
) -> Result<TransferPlan, TreasuryError> {
    let chain = chain(chains, &request.chain)?;
    let asset = asset(chain, &request.token)?;
    if request.amount.is_zero() {
        return Err(TreasuryError::ZeroAmount);
    }
    if request.to == Address::ZERO {
        return Err(TreasuryError::ZeroRecipient);
    }
    let balance = balance_of(chain, &asset, hot_wallet).await?;
    if request.amount > balance {
        return Err(TreasuryError::InsufficientBalance {
            token: asset.symbol,
            amount: request.amount.format_units(asset.decimals),
            balance: balance.format_units(asset.decimals),
        });
    }
    Ok(TransferPlan {
        chain_id: chain.config.chain_id,
        token: asset.symbol,
        token_address: asset.address,
        decimals: asset.decimals,
        from: hot_wallet,
        to: request.to,
        amount: request.amount,
        balance_before: balance,
        confirmations: chain.config.confirmations,
    })
}

/// `plan_transfer` for the orchestrator; holds only public data (the hot wallet's address).
pub struct Treasury {
    chains: Chains,
    hot_wallet: Address,
}

impl Treasury {
    pub fn new(chains: Chains, hot_wallet: Address) -> Self {
        Self { chains, hot_wallet }
    }
}

#[activities]
impl Treasury {
    /// See [`definitions::PlanTransfer`]: read-only, safe to retry.
    #[activity(definition = definitions::PlanTransfer)]
    pub async fn plan_transfer(
        self: Arc<Self>,
        ctx: ActivityContext,
        request: TransferRequest,
    ) -> Result<TransferPlan, ActivityError> {
        let span = info_span!(
            "plan_transfer",
            request_id = %request.request_id,
            workflow_id = ctx.info().workflow_id.as_deref().unwrap_or_default(),
        );
        plan(&self.chains, self.hot_wallet, &request)
            .instrument(span)
            .await
            .map_err(to_activity_error)
    }
}
