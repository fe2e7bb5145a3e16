//! The escrow pipeline's side effects (none of them signs: transfers and claims go through the
//! hot wallet's `submit_transaction`):
//!
//! - [`config`]: `[escrow]`, with the fee and confirmation rules;
//! - [`contracts`]: bindings of `Escrow`, `PaymentRegistry` and the messengers;
//! - [`evaluate`]: whether an order is worth and safe to fill;
//! - [`registry`]: what the L1 `PaymentRegistry` already did (transfers, claims);
//! - [`release`]: waiting for the release of our funds on L2;
//! - [`orders`]: `SetOrder` logs into orders (indexer and scan);
//! - [`starters`]: how the order, claim batcher and scan workflows begin;
//! - [`scan`]: the accepted-blocks scan;
//! - [`indexer`]: the indexer role's two live inputs (websocket and poller).

pub mod config;
pub mod contracts;
pub mod evaluate;
pub mod indexer;
pub mod orders;
pub mod registry;
pub mod release;
pub mod scan;
pub mod starters;

pub use config::EscrowConfig;

use crate::{
    chain::{ChainClient, ChainError, Chains},
    failure::{Retryable, to_activity_error},
    store::{Store, StoreError},
};
use alloy::primitives::Address;
use hedgeflow_proto::{
    activities::definitions,
    escrow::{
        ClaimAnswer, ClaimBatch, ClaimPlan, ClaimRequest, Decision, EscrowOrder, FoundTx, Released,
        ScanReport, ScanRequest,
    },
};
use starters::OrderStarter;
use std::sync::Arc;
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};
use tracing::{Instrument, info_span};

#[derive(Debug, thiserror::Error)]
pub enum EscrowError {
    #[error(transparent)]
    Chain(#[from] ChainError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("chain {0} has no escrow configured")]
    UnknownL2(u64),
    #[error("chain {0:?} named by [escrow] is not configured")]
    UnknownChain(String),
    /// Worth waiting for: the engine retries.
    #[error("{0}")]
    NotYet(String),
    #[error("order {0} was reclaimed by its user on L2; the claim cannot release it")]
    Reclaimed(String),
    #[error("temporal: {0}")]
    Temporal(String),
    #[error("cancelled")]
    Cancelled,
}

impl Retryable for EscrowError {
    fn is_retryable(&self) -> bool {
        match self {
            Self::Chain(e) => e.is_retryable(),
            Self::Store(e) => e.is_retryable(),
            Self::NotYet(_) | Self::Temporal(_) => true,
            Self::UnknownL2(_) | Self::UnknownChain(_) | Self::Reclaimed(_) | Self::Cancelled => {
                false
            }
        }
    }

    fn is_cancellation(&self) -> bool {
        matches!(self, Self::Cancelled) || matches!(self, Self::Chain(e) if e.is_cancellation())
    }
}

impl From<alloy::contract::Error> for EscrowError {
    fn from(error: alloy::contract::Error) -> Self {
        Self::Chain(ChainError::rpc(error))
    }
}

/// The chains and contracts of one deployment, resolved from config.
#[derive(Clone, Debug)]
pub struct EscrowChains {
    pub chains: Chains,
    pub config: EscrowConfig,
}

impl EscrowChains {
    pub fn new(chains: Chains, config: EscrowConfig) -> Result<Self, EscrowError> {
        chains
            .by_name(&config.l1)
            .ok_or_else(|| EscrowError::UnknownChain(config.l1.clone()))?;
        for name in config.l2.keys() {
            chains
                .by_name(name)
                .ok_or_else(|| EscrowError::UnknownChain(name.clone()))?;
        }
        Ok(Self { chains, config })
    }

    pub fn l1(&self) -> &ChainClient {
        self.chains
            .by_name(&self.config.l1)
            .expect("checked in EscrowChains::new")
    }

    /// Each L2's name in the config and its chain id.
    pub fn l2_chain_ids(&self) -> impl Iterator<Item = (&str, u64)> {
        self.config.l2.keys().map(|name| {
            let chain = self.chains.by_name(name);
            let chain = chain.expect("checked in EscrowChains::new");
            (name.as_str(), chain.config.chain_id)
        })
    }

    /// The L2 with `chain_id` and its escrow settings.
    pub fn l2(&self, chain_id: u64) -> Result<(&ChainClient, &config::L2Escrow), EscrowError> {
        self.config
            .l2
            .iter()
            .find_map(|(name, escrow)| {
                let chain = self.chains.by_name(name)?;
                (chain.config.chain_id == chain_id).then_some((chain, escrow))
            })
            .ok_or(EscrowError::UnknownL2(chain_id))
    }
}

/// The escrow activities (orchestrator): chain reads, the store, and a Temporal client for
/// starting order workflows and queueing claims. Holds the hot wallet's address, not its key.
pub struct EscrowDesk {
    chains: EscrowChains,
    store: Store,
    starter: OrderStarter,
    hot_wallet: Address,
}

impl EscrowDesk {
    pub fn new(
        chains: EscrowChains,
        store: Store,
        starter: OrderStarter,
        hot_wallet: Address,
    ) -> Self {
        Self {
            chains,
            store,
            starter,
            hot_wallet,
        }
    }
}

fn order_span(name: &'static str, order: &EscrowOrder) -> tracing::Span {
    info_span!("escrow", activity = name, order_id = %order.workflow_id())
}

#[activities]
impl EscrowDesk {
    /// See [`definitions::EvaluateEscrowOrder`]: read-only.
    #[activity(definition = definitions::EvaluateEscrowOrder)]
    pub async fn evaluate_escrow_order(
        self: Arc<Self>,
        _ctx: ActivityContext,
        order: EscrowOrder,
    ) -> Result<Decision, ActivityError> {
        let span = order_span("evaluate_escrow_order", &order);
        evaluate::evaluate(&self.chains, &self.store, self.hot_wallet, &order)
            .instrument(span)
            .await
            .map_err(to_activity_error)
    }

    /// See [`definitions::FindEscrowTransfer`]: read-only.
    #[activity(definition = definitions::FindEscrowTransfer)]
    pub async fn find_escrow_transfer(
        self: Arc<Self>,
        _ctx: ActivityContext,
        order: EscrowOrder,
    ) -> Result<Option<FoundTx>, ActivityError> {
        let span = order_span("find_escrow_transfer", &order);
        registry::find_transfer(&self.chains, &order)
            .instrument(span)
            .await
            .map_err(to_activity_error)
    }

    /// See [`definitions::EnqueueEscrowClaim`]: signal-with-start; the batcher dedupes.
    #[activity(definition = definitions::EnqueueEscrowClaim)]
    pub async fn enqueue_escrow_claim(
        self: Arc<Self>,
        _ctx: ActivityContext,
        request: ClaimRequest,
    ) -> Result<(), ActivityError> {
        let span = order_span("enqueue_escrow_claim", &request.order);
        self.starter
            .enqueue_claim(&self.chains, request)
            .instrument(span)
            .await
            .map_err(to_activity_error)
    }

    /// See [`definitions::AnswerEscrowClaims`]: signals each order; repeats are harmless.
    #[activity(definition = definitions::AnswerEscrowClaims)]
    pub async fn answer_escrow_claims(
        self: Arc<Self>,
        _ctx: ActivityContext,
        answers: Vec<ClaimAnswer>,
    ) -> Result<(), ActivityError> {
        let span = info_span!("answer_escrow_claims", orders = answers.len());
        self.starter
            .answer_claims(answers)
            .instrument(span)
            .await
            .map_err(to_activity_error)
    }

    /// See [`definitions::PlanEscrowClaims`]: read-only.
    #[activity(definition = definitions::PlanEscrowClaims)]
    pub async fn plan_escrow_claims(
        self: Arc<Self>,
        _ctx: ActivityContext,
        batch: ClaimBatch,
    ) -> Result<ClaimPlan, ActivityError> {
        let span = info_span!("plan_escrow_claims", orders = batch.claims.len());
        registry::plan_claims(&self.chains, &batch)
            .instrument(span)
            .await
            .map_err(to_activity_error)
    }

    /// See [`definitions::AwaitEscrowRelease`]: read-only, heartbeats each block.
    #[activity(definition = definitions::AwaitEscrowRelease)]
    pub async fn await_escrow_release(
        self: Arc<Self>,
        ctx: ActivityContext,
        order: EscrowOrder,
    ) -> Result<Released, ActivityError> {
        let span = order_span("await_escrow_release", &order);
        release::await_release(&ctx, &self.chains, &order)
            .instrument(span)
            .await
            .map_err(to_activity_error)
    }

    /// See [`definitions::ScanEscrowOrders`]: idempotent; the cursor only moves past blocks whose
    /// orders all have a workflow.
    #[activity(definition = definitions::ScanEscrowOrders)]
    pub async fn scan_escrow_orders(
        self: Arc<Self>,
        ctx: ActivityContext,
        request: ScanRequest,
    ) -> Result<ScanReport, ActivityError> {
        let span = info_span!("scan_escrow_orders", chain_id = request.chain_id);
        scan::scan(
            &ctx,
            &self.chains,
            &self.store,
            &self.starter,
            request.chain_id,
        )
        .instrument(span)
        .await
        .map_err(to_activity_error)
    }
}
