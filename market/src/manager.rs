//! The order book manager: one task per book follows the exchange (stream + snapshot, through
//! [`crate::sync`]) and one samples it for the market watcher; both publish into a watch channel
//! that the gRPC service and any in-process reader share. A book that is resyncing, silent for
//! longer than `stale_after` or disconnected is published as unusable, never served as if live.

use crate::binance::{self, MarketData};
use crate::book::OrderBook;
use crate::sync::{BookSync, DiffOutcome, Snapshot, SnapshotOutcome};
use crate::volatility::{Estimate, Volatility};
use futures::StreamExt;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::watch;
use tokio::task::JoinSet;

/// A book: exchange name (as configured) and exchange symbol.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BookKey {
    pub exchange: String,
    pub symbol: String,
}

impl fmt::Display for BookKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.exchange, self.symbol)
    }
}

/// Whether a book may be used, and if not, why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    Live,
    /// Waiting for the first snapshot after (re)connecting.
    Syncing,
    /// No update for longer than `stale_after`.
    Stale {
        silent_ms: u64,
    },
    /// The stream skipped update ids; the book is being rebuilt.
    Gap {
        expected: u64,
        first: u64,
    },
    /// The stream or the snapshot request failed; reconnecting.
    Disconnected(String),
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Live => f.write_str("live"),
            Status::Syncing => f.write_str("syncing"),
            Status::Stale { silent_ms } => write!(f, "stale: no update for {silent_ms} ms"),
            Status::Gap { expected, first } => {
                write!(f, "gap: expected update {expected}, got {first}; resyncing")
            }
            Status::Disconnected(error) => write!(f, "disconnected: {error}"),
        }
    }
}

/// What readers see of one book.
#[derive(Clone, Debug)]
pub struct BookView {
    /// The last synced book (kept while unusable, for diagnosis; never served then).
    pub book: Option<Arc<OrderBook>>,
    /// When the book last changed, in ms since the epoch.
    pub updated_at_ms: u64,
    pub status: Status,
    pub volatility: Estimate,
}

impl BookView {
    /// The book, only while it is live.
    pub fn usable(&self) -> Result<&OrderBook, &Status> {
        match (&self.status, &self.book) {
            (Status::Live, Some(book)) => Ok(book),
            (status, _) => Err(status),
        }
    }
}

/// Timing of the manager and the watcher.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// A live book with no update for this long is published as stale.
    pub stale_after: Duration,
    /// How often the watcher samples each mid (also how often staleness is checked).
    pub sample_interval: Duration,
    /// The volatility window.
    pub volatility_window: Duration,
    /// Wait before reconnecting after a failure.
    pub reconnect_delay: Duration,
}

/// One book to follow, and where its exchange's market data is.
#[derive(Clone, Debug)]
pub struct Feed {
    pub key: BookKey,
    pub market_data: MarketData,
}

/// The books this manager keeps. Dropping it stops every task.
pub struct Books {
    views: BTreeMap<BookKey, watch::Receiver<BookView>>,
    _tasks: JoinSet<()>,
}

impl Books {
    /// Starts following every feed.
    pub fn spawn(feeds: Vec<Feed>, settings: Settings) -> Self {
        let mut tasks = JoinSet::new();
        let mut views = BTreeMap::new();
        for feed in feeds {
            let (tx, rx) = watch::channel(BookView {
                book: None,
                updated_at_ms: 0,
                status: Status::Syncing,
                volatility: Estimate {
                    per_second: Decimal::ZERO,
                    samples: 0,
                },
            });
            let tx = Arc::new(tx);
            tasks.spawn(follow(feed.clone(), tx.clone(), settings));
            tasks.spawn(watch_book(feed.key.clone(), tx, settings));
            views.insert(feed.key, rx);
        }
        Self {
            views,
            _tasks: tasks,
        }
    }

    /// The books, in key order.
    pub fn keys(&self) -> impl Iterator<Item = &BookKey> {
        self.views.keys()
    }

    /// The current view of a book.
    pub fn get(&self, key: &BookKey) -> Option<BookView> {
        self.views.get(key).map(|rx| rx.borrow().clone())
    }

    /// A receiver that sees every change of a book.
    pub fn watch(&self, key: &BookKey) -> Option<watch::Receiver<BookView>> {
        self.views.get(key).cloned()
    }
}

pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

/// Follows one book forever: connect, sync, apply; on a gap or a failure, start again.
async fn follow(feed: Feed, tx: Arc<watch::Sender<BookView>>, settings: Settings) {
    loop {
        let ended = sync_until_broken(&feed, &tx).await;
        let status = match ended {
            Ok(gap) => gap,
            Err(error) => Status::Disconnected(error.to_string()),
        };
        tracing::warn!(book = %feed.key, %status, "book unusable; resyncing");
        tx.send_modify(|view| view.status = status);
        tokio::time::sleep(settings.reconnect_delay).await;
    }
}

type Fetch = Pin<Box<dyn Future<Output = Result<Snapshot, binance::Error>> + Send>>;

/// Runs the sync procedure on one connection until the stream breaks (error) or skips updates
/// (`Ok` with the gap).
async fn sync_until_broken(
    feed: &Feed,
    tx: &watch::Sender<BookView>,
) -> Result<Status, binance::Error> {
    let mut diffs = std::pin::pin!(feed.market_data.diffs(&feed.key.symbol).await?);
    let mut sync = BookSync::default();
    tx.send_modify(|view| view.status = Status::Syncing);
    let mut fetch: Option<Fetch> = None;
    let start_fetch = || -> Fetch {
        let data = feed.market_data.clone();
        let symbol = feed.key.symbol.clone();
        Box::pin(async move { data.snapshot(&symbol).await })
    };
    loop {
        tokio::select! {
            diff = diffs.next() => {
                let Some(diff) = diff else {
                    return Err(binance::Error::Closed);
                };
                match sync.on_diff(diff?) {
                    DiffOutcome::Applied => publish(tx, &sync),
                    DiffOutcome::Gap { expected, first } => {
                        return Ok(Status::Gap { expected, first });
                    }
                    DiffOutcome::Buffered if fetch.is_none() => fetch = Some(start_fetch()),
                    DiffOutcome::Buffered | DiffOutcome::Ignored => {}
                }
            }
            snapshot = async { fetch.as_mut().expect("guarded").await }, if fetch.is_some() => {
                fetch = None;
                match sync.on_snapshot(snapshot?) {
                    SnapshotOutcome::Synced { update_id } => {
                        tracing::info!(book = %feed.key, update_id, "book synced");
                        publish(tx, &sync);
                    }
                    SnapshotOutcome::TooOld { .. } | SnapshotOutcome::NoEvents => {
                        fetch = Some(start_fetch());
                    }
                    SnapshotOutcome::Gap { expected, first } => {
                        return Ok(Status::Gap { expected, first });
                    }
                    SnapshotOutcome::AlreadyLive => {}
                }
            }
        }
    }
}

fn publish(tx: &watch::Sender<BookView>, sync: &BookSync) {
    if let Some(book) = sync.book() {
        let book = Arc::new(book.clone());
        tx.send_modify(|view| {
            view.book = Some(book);
            view.updated_at_ms = now_ms();
            view.status = Status::Live;
        });
    }
}

/// The market watcher for one book: samples the mid for volatility and marks a silent book
/// stale.
async fn watch_book(key: BookKey, tx: Arc<watch::Sender<BookView>>, settings: Settings) {
    let mut volatility = Volatility::new(settings.sample_interval, settings.volatility_window);
    let mut ticker = tokio::time::interval(settings.sample_interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let silent_ms = now_ms().saturating_sub(tx.borrow().updated_at_ms);
        let stale = tx.borrow().status == Status::Live
            && silent_ms > settings.stale_after.as_millis() as u64;
        let mid = match tx.borrow().usable() {
            Ok(book) if !stale => book.mid(),
            _ => None,
        };
        volatility.sample(mid);
        let estimate = volatility.estimate();
        if stale {
            tracing::warn!(book = %key, silent_ms, "book stale");
        }
        tx.send_if_modified(|view| {
            let changed = view.volatility != estimate || stale;
            view.volatility = estimate;
            if stale {
                view.status = Status::Stale { silent_ms };
            }
            changed
        });
    }
}
