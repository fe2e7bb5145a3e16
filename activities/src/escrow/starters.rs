//! How escrow workflows begin: an order's `escrow-<chainId>-<orderId>-<tx>` with a policy that
//! refuses any second start, so the websocket, the poller and the scan can all report the same
//! order and it still runs once; its L2's claim batcher by signal-with-start; and the
//! accepted-blocks scan's Schedule.

use super::{EscrowChains, EscrowError};
use crate::{observe, schedule::Scheduled};
use futures::{StreamExt, TryStreamExt};
use hedgeflow_proto::workflows::{EscrowClaimsWorkflow, EscrowOrderWorkflow, EscrowScanWorkflow};
use hedgeflow_proto::{
    escrow::{
        ClaimAnswer, ClaimBatcherInput, ClaimRequest, EscrowOrder, EscrowStatus, ScanRequest,
    },
    ids, queues, search,
};
use temporalio_client::{
    Client, WorkflowIdReusePolicy, WorkflowSignalOptions, WorkflowStartOptions,
    errors::{WorkflowInteractionError, WorkflowStartError},
};
use temporalio_common::search_attributes::SearchAttributes;
use tracing::warn;

/// Workflow starts in flight at once: a burst of orders (a busy block, a catch-up after a
/// restart) starts in parallel instead of one round trip at a time.
pub const START_CONCURRENCY: usize = 32;

/// Starts order workflows and queues claims; a thin layer over the Temporal client.
#[derive(Clone)]
pub struct OrderStarter {
    client: Client,
}

impl OrderStarter {
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    /// Starts the order's workflow; `false` when one was already started for it (running or
    /// finished: the id is never reused).
    pub async fn start(&self, order: &EscrowOrder) -> Result<bool, EscrowError> {
        let workflow_id = order.workflow_id();
        let attributes = SearchAttributes::new([
            search::PIPELINE.value_set("escrow".into()),
            search::ORDER_ID.value_set(order.order_id.to_string()),
            search::CHAIN_ID.value_set(order.chain_id as i64),
            search::STAGE.value_set(EscrowStatus::Pending.as_str().into()),
        ]);
        let options = WorkflowStartOptions::new(queues::ORCHESTRATOR, workflow_id.clone())
            .id_reuse_policy(WorkflowIdReusePolicy::RejectDuplicate)
            .search_attributes(attributes)
            .build();
        match self
            .client
            .start_workflow(EscrowOrderWorkflow::run, order.clone(), options)
            .await
        {
            Ok(_) => {
                observe::escrow_order_started(&workflow_id, order.source.as_str());
                Ok(true)
            }
            Err(WorkflowStartError::AlreadyStarted { .. }) => Ok(false),
            Err(error) => Err(EscrowError::Temporal(error.to_string())),
        }
    }

    /// Starts every order, [`START_CONCURRENCY`] at a time; the ones this call started (the
    /// others had a workflow already). Fails if any start failed, so a caller keeping a cursor
    /// does not move it past an order without a workflow.
    pub async fn start_all(&self, orders: &[EscrowOrder]) -> Result<Vec<String>, EscrowError> {
        // Owned orders: a stream of futures borrowing them trips the Send check of the activity.
        let started: Vec<Option<String>> = futures::stream::iter(orders.to_vec())
            .map(|order| async move {
                let fresh = self.start(&order).await?;
                Ok::<_, EscrowError>(fresh.then(|| order.workflow_id()))
            })
            .buffered(START_CONCURRENCY)
            .try_collect()
            .await?;
        Ok(started.into_iter().flatten().collect())
    }

    /// Sends every order of a batch its `claim_done`, all at once. An order that is gone
    /// (terminated by ops) cannot be answered, and its claim is on chain either way.
    pub async fn answer_claims(&self, answers: Vec<ClaimAnswer>) -> Result<(), EscrowError> {
        let sends = answers.into_iter().map(|answer| async move {
            let sent = self
                .client
                .get_workflow_handle::<EscrowOrderWorkflow>(answer.workflow_id.clone())
                .signal(
                    EscrowOrderWorkflow::claim_done,
                    answer.outcome,
                    WorkflowSignalOptions::default(),
                )
                .await;
            match sent {
                Ok(()) => Ok(()),
                Err(WorkflowInteractionError::NotFound(_)) => {
                    warn!(
                        order_id = answer.workflow_id,
                        "order no longer runs; claim not answered"
                    );
                    Ok(())
                }
                Err(error) => Err(EscrowError::Temporal(format!(
                    "answering {}: {error}",
                    answer.workflow_id
                ))),
            }
        });
        futures::future::try_join_all(sends).await.map(|_| ())
    }

    /// Queues a claim with its L2's batcher, starting the batcher if it is not running.
    pub async fn enqueue_claim(
        &self,
        chains: &EscrowChains,
        request: ClaimRequest,
    ) -> Result<(), EscrowError> {
        let config = &chains.config;
        let chain_id = request.order.chain_id;
        chains.l2(chain_id)?;
        let settings = ClaimBatcherInput {
            chain_id,
            l1_chain_id: chains.l1().config.chain_id,
            payment_registry: config.payment_registry,
            window: config.claim_window,
            max_batch: config.claim_max_batch,
            concurrency: config.claim_concurrency,
            confirmations: config.claim_confirmations,
            pending: Vec::new(),
            next_batch: 0,
        };
        let workflow_id = ids::escrow_claims_workflow(chain_id);
        let attributes = SearchAttributes::new([
            search::PIPELINE.value_set("escrow-claims".into()),
            search::CHAIN_ID.value_set(chain_id as i64),
        ]);
        let options = WorkflowStartOptions::new(queues::ORCHESTRATOR, workflow_id)
            .search_attributes(attributes)
            .build();
        self.client
            .signal_with_start_workflow(
                EscrowClaimsWorkflow::run,
                settings,
                EscrowClaimsWorkflow::claim,
                request,
                options,
            )
            .await
            .map_err(|e| EscrowError::Temporal(e.to_string()))?;
        Ok(())
    }
}

/// The accepted-blocks scan of the L2 `chain_id` (`name` in the config), as a Schedule
/// (`escrow-scan-<chainId>`).
pub fn scan_schedule(chain_id: u64, name: &str) -> Scheduled {
    Scheduled::new(
        ids::escrow_scan_schedule(chain_id),
        EscrowScanWorkflow::run,
        ScanRequest { chain_id },
        format!("accepted-blocks scan of chain {name}"),
    )
}
