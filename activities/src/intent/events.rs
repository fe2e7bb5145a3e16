//! The book's logs as intent workflow signals ([`super::starters::IntentStarter`]), and the
//! indexer that follows them.

use super::{contract::IntentBook, quotes::read_quote_at, starters::IntentStarter};
use crate::chain::{
    ChainClient, ChainError,
    logs::{LogFollower, LogSource},
};
use alloy::{
    eips::BlockId,
    primitives::{Address, U256},
    rpc::types::{Filter, Log},
    sol_types::SolEvent,
};
use hedgeflow_proto::intent::{EventSource, IntentEvent, IntentEventKind, IntentRef};
use std::path::Path;
use tracing::{debug, info};

/// The quote a log concerns and the event it is; `None` for a log the hedger does not act on,
/// or one a reorg removed (the block that replaces it brings its own logs).
pub fn decode(log: &Log, source: EventSource) -> Option<(u64, IntentEvent)> {
    if log.removed {
        return None;
    }
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

/// Where to read the quote of `event` from: its own block, so that an id a reorg gave to
/// another quote names that one; or the head for a log deeper than [`HISTORIC_READ_DEPTH`],
/// where no reorg reaches and a node without archive state no longer reads (an indexer catching
/// up after a long stop), since a quote's identity never changes.
fn read_at(head: u64, event: &IntentEvent) -> BlockId {
    if head.saturating_sub(event.block_number) > HISTORIC_READ_DEPTH {
        BlockId::latest()
    } else {
        BlockId::number(event.block_number)
    }
}

/// Blocks below the head past which a log's quote is read at the head (see [`read_at`]): within
/// the 128 recent states a full node keeps, and past production's l2 `finality-depth`.
const HISTORIC_READ_DEPTH: u64 = 64;

/// The indexer of one `IntentBook`: every log of the book, from both inputs, to its quote's
/// workflow.
pub struct IntentIndexer {
    chain: ChainClient,
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
        let follower = LogFollower::new(
            chain.clone(),
            Filter::new().address(book),
            cursor_file,
            start_block,
        );
        Self {
            chain,
            book,
            follower,
            starter,
        }
    }

    /// Runs both inputs until the process stops.
    pub async fn run(self) -> Result<(), ChainError> {
        let chain_id = self.chain.config.chain_id;
        info!(chain_id, book = %self.book, "indexing intent quotes");
        let (chain, book, starter) = (&self.chain, self.book, &self.starter);
        self.follower
            .run(|logs, source| async move {
                let source = match source {
                    LogSource::Websocket => EventSource::Websocket,
                    LogSource::Poller => EventSource::Poller,
                };
                // In log order, so a quote's events reach it in the order they happened.
                for (quote_id, event) in logs.iter().filter_map(|log| decode(log, source)) {
                    let at = read_quote_at(chain, book, quote_id, read_at(chain.head(), &event))
                        .await
                        .map_err(|e| format!("reading quote {quote_id}: {e}"))?;
                    let Some(quote) = at else {
                        debug!(
                            quote_id,
                            block = event.block_number,
                            "the log's block no longer holds its quote"
                        );
                        continue;
                    };
                    starter
                        .signal(IntentRef::of(chain_id, book, &quote), event)
                        .await?;
                }
                Ok(())
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hedgeflow_proto::intent::IntentEventKind;

    #[test]
    fn a_logs_quote_is_read_at_its_block_unless_no_reorg_or_full_node_reaches_it() {
        let event = |block_number| IntentEvent {
            kind: IntentEventKind::SendQuote,
            block_number,
            log_index: 0,
            tx_hash: Default::default(),
            source: EventSource::Poller,
        };
        assert_eq!(read_at(1_000, &event(990)), BlockId::number(990));
        assert_eq!(
            read_at(1_000, &event(1_000 - HISTORIC_READ_DEPTH)),
            BlockId::number(936)
        );
        assert_eq!(read_at(1_000, &event(900)), BlockId::latest());
        // A head not seen yet (0) never sends a fresh log to the head.
        assert_eq!(read_at(0, &event(5)), BlockId::number(5));
    }
}
