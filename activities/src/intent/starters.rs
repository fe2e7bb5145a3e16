//! How intent workflows begin. Every event of a quote is signalled to
//! `intent-<chainId>-<book>-<quoteId>-<identity>` with signal-with-start, so the first one starts
//! it and redundant inputs (websocket, poller) only repeat a signal the workflow drops. A
//! finished workflow's id is never reused: a late repeat does nothing. The identity is read from
//! the quote as the log's block holds it, so a quote that an l2 reorg puts under a used id gets
//! a workflow of its own. The book's position validator and balance manager run as Schedules.

use super::IntentsConfig;
use crate::{observe, schedule::Scheduled};
use hedgeflow_proto::workflows::{IntentBalanceWorkflow, IntentValidatorWorkflow, IntentWorkflow};
use hedgeflow_proto::{
    balance::BalanceRequest,
    ids,
    intent::{IntentEvent, IntentRef, ValidationRequest},
    queues, search,
};
use temporalio_client::{Client, WorkflowIdReusePolicy, WorkflowStartOptions};
use temporalio_common::search_attributes::SearchAttributes;
use tracing::debug;

/// Signals quote events to their workflows (signal-with-start).
#[derive(Clone)]
pub struct IntentStarter {
    client: Client,
}

impl IntentStarter {
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    /// Hands `event` to its quote's workflow, starting it if needed. A finished workflow is
    /// not started again (the id is never reused): the quote is done.
    pub async fn signal(&self, intent: IntentRef, event: IntentEvent) -> Result<(), String> {
        let workflow_id = intent.workflow_id();
        observe::intent_event_seen(&workflow_id, &event);
        let attributes = SearchAttributes::new([
            search::PIPELINE.value_set("intent".into()),
            search::QUOTE_ID.value_set(intent.quote_id.to_string()),
            search::CHAIN_ID.value_set(intent.chain_id as i64),
        ]);
        let options = WorkflowStartOptions::new(queues::ORCHESTRATOR, workflow_id.clone())
            .id_reuse_policy(WorkflowIdReusePolicy::RejectDuplicate)
            .search_attributes(attributes)
            .build();
        let sent = self
            .client
            .signal_with_start_workflow(
                IntentWorkflow::run,
                intent,
                IntentWorkflow::event,
                event,
                options,
            )
            .await;
        match sent {
            Ok(_) => Ok(()),
            Err(error) if error.to_string().contains("already") => {
                debug!(quote_id = %workflow_id, "quote's workflow already finished");
                Ok(())
            }
            Err(error) => Err(format!("signalling {workflow_id}: {error}")),
        }
    }
}

/// The position validator of the book on `chain_id` (`intent-validate-<chainId>`), comparing the
/// DB, the chain and the broker for every configured symbol.
pub fn validator_schedule(intents: &IntentsConfig, chain_id: u64) -> Scheduled {
    let symbols = intents
        .symbols
        .iter()
        .map(|s| s.broker_symbol.clone())
        .collect();
    Scheduled::new(
        ids::intent_validator_schedule(chain_id),
        IntentValidatorWorkflow::run,
        ValidationRequest { chain_id, symbols },
        format!("position validator of the IntentBook on chain {chain_id}"),
    )
}

/// The balance manager of the book on `chain_id` (`intent-balance-<chainId>`).
pub fn balance_schedule(chain_id: u64) -> Scheduled {
    Scheduled::new(
        ids::intent_balance_schedule(chain_id),
        IntentBalanceWorkflow::run,
        BalanceRequest { chain_id },
        format!("balance manager of the IntentBook on chain {chain_id}"),
    )
}
