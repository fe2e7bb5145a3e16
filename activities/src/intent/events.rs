//! The book's logs as intent workflow signals, and the indexer that follows them.
//!
//! Every event of a quote is signalled to `intent-<chainId>-<book>-<quoteId>` with signal-with-start,
//! so the first one starts it and redundant inputs (websocket, poller) only repeat a signal the
//! workflow drops. A finished quote's id is never reused: a late repeat does nothing.

use super::contract::IntentBook;
use crate::{
    chain::{
        ChainClient, ChainError,
        logs::{LogFollower, LogSource},
    },
    observe,
};
use alloy::{
    primitives::{Address, U256},
    rpc::types::{Filter, Log},
    sol_types::SolEvent,
};
use hedgeflow_proto::{
    intent::{EventSource, IntentEvent, IntentEventKind, IntentRef},
    queues, search,
};
use hedgeflow_workflows::IntentWorkflow;
use std::path::Path;
use temporalio_client::{Client, WorkflowIdReusePolicy, WorkflowStartOptions};
use temporalio_common::search_attributes::SearchAttributes;
use tracing::{debug, info};

/// The quote a log concerns and the event it is; `None` for a log the hedger does not act on.
pub fn decode(log: &Log, source: EventSource) -> Option<(u64, IntentEvent)> {
    let topic = *log.topic0()?;
    let data = &log.inner;
    let (kind, quote_id): (IntentEventKind, U256) = match topic {
        IntentBook::SendQuote::SIGNATURE_HASH => (
            IntentEventKind::SendQuote,
            IntentBook::SendQuote::decode_log(data).ok()?.quoteId,
        ),
        IntentBook::RequestToCancelQuote::SIGNATURE_HASH => (
            IntentEventKind::RequestToCancelQuote,
            IntentBook::RequestToCancelQuote::decode_log(data)
                .ok()?
                .quoteId,
        ),
        IntentBook::ForceCancelQuote::SIGNATURE_HASH => (
            IntentEventKind::ForceCancelQuote,
            IntentBook::ForceCancelQuote::decode_log(data).ok()?.quoteId,
        ),
        IntentBook::RequestToClosePosition::SIGNATURE_HASH => (
            IntentEventKind::RequestToClosePosition,
            IntentBook::RequestToClosePosition::decode_log(data)
                .ok()?
                .quoteId,
        ),
        IntentBook::RequestToCancelCloseRequest::SIGNATURE_HASH => (
            IntentEventKind::RequestToCancelCloseRequest,
            IntentBook::RequestToCancelCloseRequest::decode_log(data)
                .ok()?
                .quoteId,
        ),
        IntentBook::ForceCancelCloseRequest::SIGNATURE_HASH => (
            IntentEventKind::ForceCancelCloseRequest,
            IntentBook::ForceCancelCloseRequest::decode_log(data)
                .ok()?
                .quoteId,
        ),
        IntentBook::ExpireQuoteOpen::SIGNATURE_HASH => (
            IntentEventKind::ExpireQuoteOpen,
            IntentBook::ExpireQuoteOpen::decode_log(data).ok()?.quoteId,
        ),
        IntentBook::ExpireQuoteClose::SIGNATURE_HASH => (
            IntentEventKind::ExpireQuoteClose,
            IntentBook::ExpireQuoteClose::decode_log(data).ok()?.quoteId,
        ),
        IntentBook::OpenPosition::SIGNATURE_HASH => {
            let child = IntentBook::OpenPosition::decode_log(data).ok()?.newQuoteId;
            (
                IntentEventKind::ChildQuote,
                (!child.is_zero()).then_some(child)?,
            )
        }
        _ => return None,
    };
    let event = IntentEvent {
        kind,
        block_number: log.block_number?,
        log_index: log.log_index?,
        tx_hash: log.transaction_hash?,
        source,
    };
    Some((u64::try_from(quote_id).ok()?, event))
}

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

/// The indexer of one `IntentBook`: every log of the book, from both inputs, to its quote's
/// workflow.
pub struct IntentIndexer {
    chain_id: u64,
    book: Address,
    follower: LogFollower,
    starter: IntentStarter,
}

impl IntentIndexer {
    pub fn new(
        chain: ChainClient,
        book: Address,
        start_block: u64,
        starter: IntentStarter,
        dir: &Path,
    ) -> Self {
        let chain_id = chain.config.chain_id;
        let cursor_file = dir.join(format!("intents-{chain_id}.cursor"));
        let follower =
            LogFollower::new(chain, Filter::new().address(book), cursor_file, start_block);
        Self {
            chain_id,
            book,
            follower,
            starter,
        }
    }

    /// Runs both inputs until the process stops.
    pub async fn run(self) -> Result<(), ChainError> {
        info!(chain_id = self.chain_id, book = %self.book, "indexing intent quotes");
        let (chain_id, book, starter) = (self.chain_id, self.book, &self.starter);
        self.follower
            .run(|logs, source| async move {
                let source = match source {
                    LogSource::Websocket => EventSource::Websocket,
                    LogSource::Poller => EventSource::Poller,
                };
                // In log order, so a quote's events reach it in the order they happened.
                for (quote_id, event) in logs.iter().filter_map(|log| decode(log, source)) {
                    let intent = IntentRef {
                        chain_id,
                        book,
                        quote_id,
                    };
                    starter.signal(intent, event).await?;
                }
                Ok(())
            })
            .await
    }
}
