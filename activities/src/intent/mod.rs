//! The intent hedger's side effects (SYMMIO-style party B on an `IntentBook`):
//!
//! - [`contract`]: the `IntentBook` binding;
//! - [`config`]: `[intents]`, the book, its symbols and the policy's limits;
//! - [`quotes`]: reading a quote into the workflows' `ChainQuote`;
//! - [`policy`]: `evaluate_intent`, the hedger's verdict on a new quote;
//! - [`events`]: the book's logs as quote events, and the indexer;
//! - [`starters`]: how the quote, validator and balance workflows begin;
//! - [`price_signer`]: `sign_price`, the oracle stand-in (the `price-signer` role);
//! - `validator`: `validate_positions`, the position validator's comparison;
//! - [`webhook`]: `notify_mismatches`, the validator's mismatches posted to ops' webhook;
//! - `balance`: `read_balance_sheet`, what the balance manager decides from.
//!
//! Broker orders are the exchange role's (`exchange::broker_order`); transactions are the hot
//! wallet's (`submit_transaction`).

mod balance;
pub mod config;
pub mod contract;
pub mod events;
mod policy;
pub mod price_signer;
pub mod quotes;
pub mod starters;
mod validator;
pub mod webhook;

pub use config::IntentsConfig;

use crate::{
    chain::{ChainClient, ChainError},
    failure::{Retryable, to_activity_error},
    store::{Store, StoreError},
};
use alloy::primitives::Address;
use hedgeflow_exchange::FuturesClient;
use hedgeflow_proto::{
    activities::definitions,
    balance::{BalanceRequest, BalanceSheet},
    intent::{
        BrokerPosition, ChainQuote, IntentDecision, IntentRef, ValidationReport, ValidationRequest,
    },
};
use std::sync::Arc;
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};
use tracing::{Instrument, info_span};

#[derive(Debug, thiserror::Error)]
pub enum IntentError {
    #[error(transparent)]
    Chain(#[from] ChainError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("broker: {0}")]
    Broker(#[from] hedgeflow_exchange::Error),
    #[error("does not decode: {0}")]
    Decode(String),
    #[error("price signer: {0}")]
    Signer(String),
    #[error("temporal: {0}")]
    Temporal(String),
}

impl Retryable for IntentError {
    fn is_retryable(&self) -> bool {
        match self {
            Self::Chain(e) => e.is_retryable(),
            Self::Store(e) => e.is_retryable(),
            Self::Broker(e) => e.is_retryable(),
            Self::Temporal(_) => true,
            Self::Decode(_) | Self::Signer(_) => false,
        }
    }
}

/// The orchestrator's reads for intent workflows: the book's chain, the broker's public data,
/// and our store.
pub struct IntentDesk {
    chain: ChainClient,
    config: IntentsConfig,
    /// Our party B address: the hot wallet's.
    party_b: Address,
    broker: Arc<FuturesClient>,
    store: Store,
}

impl IntentDesk {
    pub fn new(
        chain: ChainClient,
        config: IntentsConfig,
        party_b: Address,
        broker: Arc<FuturesClient>,
        store: Store,
    ) -> Self {
        Self {
            chain,
            config,
            party_b,
            broker,
            store,
        }
    }

    fn check_book(&self, intent: &IntentRef) -> Result<(), IntentError> {
        if intent.book != self.config.book || intent.chain_id != self.chain.config.chain_id {
            return Err(IntentError::Decode(format!(
                "book {} on chain {} is not the configured one",
                intent.book, intent.chain_id
            )));
        }
        Ok(())
    }
}

#[activities]
impl IntentDesk {
    /// See [`definitions::ReadIntent`]: read-only.
    #[activity(definition = definitions::ReadIntent)]
    pub async fn read_intent(
        self: Arc<Self>,
        _ctx: ActivityContext,
        intent: IntentRef,
    ) -> Result<ChainQuote, ActivityError> {
        let span = info_span!("read_intent", quote_id = %intent.workflow_id());
        async {
            self.check_book(&intent)?;
            quotes::read_quote(&self.chain, intent.book, intent.quote_id).await
        }
        .instrument(span)
        .await
        .map_err(to_activity_error)
    }

    /// See [`definitions::EvaluateIntent`]: read-only; a refusal is a verdict.
    #[activity(definition = definitions::EvaluateIntent)]
    pub async fn evaluate_intent(
        self: Arc<Self>,
        _ctx: ActivityContext,
        intent: IntentRef,
    ) -> Result<IntentDecision, ActivityError> {
        let span = info_span!("evaluate_intent", quote_id = %intent.workflow_id());
        async {
            self.check_book(&intent)?;
            self.evaluate(&intent).await
        }
        .instrument(span)
        .await
        .map_err(to_activity_error)
    }

    /// See [`definitions::ValidatePositions`]: stores and alerts mismatches, fixes nothing.
    #[activity(definition = definitions::ValidatePositions)]
    pub async fn validate_positions(
        self: Arc<Self>,
        _ctx: ActivityContext,
        (request, positions): (ValidationRequest, Vec<BrokerPosition>),
    ) -> Result<ValidationReport, ActivityError> {
        let span = info_span!("validate_positions", chain_id = request.chain_id);
        self.validate(&request, &positions)
            .instrument(span)
            .await
            .map_err(to_activity_error)
    }

    /// See [`definitions::CloseAllocationShortfall`]: read-only.
    #[activity(definition = definitions::CloseAllocationShortfall)]
    pub async fn close_allocation_shortfall(
        self: Arc<Self>,
        _ctx: ActivityContext,
        (intent, owed): (IntentRef, rust_decimal::Decimal),
    ) -> Result<rust_decimal::Decimal, ActivityError> {
        let span = info_span!("close_allocation_shortfall", quote_id = %intent.workflow_id());
        async {
            self.check_book(&intent)?;
            self.close_shortfall(&intent, owed).await
        }
        .instrument(span)
        .await
        .map_err(to_activity_error)
    }

    /// See [`definitions::ReadBalanceSheet`]: read-only.
    #[activity(definition = definitions::ReadBalanceSheet)]
    pub async fn read_balance_sheet(
        self: Arc<Self>,
        _ctx: ActivityContext,
        request: BalanceRequest,
    ) -> Result<BalanceSheet, ActivityError> {
        let span = info_span!("read_balance_sheet", chain_id = request.chain_id);
        self.balance_sheet(&request)
            .instrument(span)
            .await
            .map_err(to_activity_error)
    }
}
