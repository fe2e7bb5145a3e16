//! The dealer's copy of the order book manager's books: one `Subscribe` stream to the OBM keeps
//! the latest snapshot and volatility of every symbol we hedge on, readable without locks on the
//! quote path.
//!
//! The writer (one task) builds a new [`MarketSnapshot`] per message and publishes it with
//! [`ArcSwap`]; a quote loads the current `Arc` once and prices against that one consistent view
//! (books are `Arc`ed, so publishing a change copies a small map, never the levels of the other
//! books).
//!
//! Failure modes: a book the OBM flags unusable is kept *without* levels, with the OBM's reason,
//! so the maker sees it as missing ([`MarketView::book`] answers `None`); when the stream breaks,
//! every book is dropped the same way until the first message of the next stream, so a
//! disconnected dealer never prices from a book it can no longer see change. Reconnection backs
//! off exponentially between [`CacheSettings::backoff_min`] and [`CacheSettings::backoff_max`]
//! and resets once a stream delivers a message. The maker's own `max_book_age` check still
//! applies to every book served.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use hedgeflow_proto::grpc::obm::{self, order_books_client::OrderBooksClient};
use rust_decimal::Decimal;
use tokio::task::JoinHandle;
use tonic::transport::{Channel, Endpoint};

use crate::maker::{BookSnapshot, Level, MarketView};

/// Where the OBM is and which books to follow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheSettings {
    /// The OBM's gRPC endpoint, e.g. `http://127.0.0.1:50061`.
    pub endpoint: String,
    /// The OBM's name of the exchange the books are on (`BookKey.exchange`).
    pub exchange: String,
    /// Exchange symbols to follow; each must be a book the OBM keeps.
    pub symbols: Vec<String>,
    /// Levels per side per snapshot (0: the OBM's default). Bounds the largest size the maker
    /// can price: a deeper walk answers "not enough liquidity".
    pub levels: u32,
    /// First wait before reconnecting.
    pub backoff_min: Duration,
    /// Longest wait between reconnection attempts.
    pub backoff_max: Duration,
}

/// One symbol as last reported by the OBM.
#[derive(Clone, Debug, PartialEq)]
pub struct BookEntry {
    /// The book, only while the OBM reports it usable.
    pub book: Option<Arc<BookSnapshot>>,
    /// Why there is no book (empty when there is one).
    pub reason: String,
    /// Per-second volatility of the mid, as last reported (kept while the book is unusable).
    pub volatility: Option<Decimal>,
}

/// An immutable view of every followed book, as of one OBM message.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MarketSnapshot {
    entries: HashMap<String, Arc<BookEntry>>,
}

impl MarketSnapshot {
    /// The entry of `symbol`, usable or not.
    pub fn entry(&self, symbol: &str) -> Option<&BookEntry> {
        self.entries.get(symbol).map(|e| &**e)
    }

    /// Whether `symbol` has a usable book.
    pub fn is_usable(&self, symbol: &str) -> bool {
        self.entry(symbol).is_some_and(|e| e.book.is_some())
    }

    fn with(&self, symbol: String, entry: BookEntry) -> Self {
        let mut entries = self.entries.clone();
        entries.insert(symbol, Arc::new(entry));
        Self { entries }
    }

    /// Every book dropped with `reason`, volatilities kept.
    fn all_unusable(&self, reason: &str) -> Self {
        let entries = self
            .entries
            .iter()
            .map(|(symbol, entry)| {
                let entry = BookEntry {
                    book: None,
                    reason: reason.to_owned(),
                    volatility: entry.volatility,
                };
                (symbol.clone(), Arc::new(entry))
            })
            .collect();
        Self { entries }
    }
}

impl MarketView for MarketSnapshot {
    fn book(&self, symbol: &str) -> Option<&BookSnapshot> {
        self.entries.get(symbol)?.book.as_deref()
    }

    fn volatility(&self, symbol: &str) -> Option<Decimal> {
        self.entries.get(symbol)?.volatility
    }
}

/// Why an OBM message could not be used.
#[derive(Debug, thiserror::Error)]
pub enum BooksError {
    #[error("OBM endpoint {0:?} is not a valid URI")]
    Endpoint(String),
    #[error("snapshot without a book key")]
    MissingKey,
    #[error("{symbol}: {field} {value:?} is not a decimal")]
    BadDecimal {
        symbol: String,
        field: &'static str,
        value: String,
    },
}

/// Converts a subscription message to the maker's snapshot (or to an entry without a book when
/// the OBM flags it unusable). The OBM's string `snapshot_id` is `"<symbol>:<update id>"`, so the
/// maker's numeric `snapshot_id` is the update id.
pub fn convert(message: &obm::BookSnapshot) -> Result<(String, BookEntry), BooksError> {
    let symbol = message
        .key
        .as_ref()
        .ok_or(BooksError::MissingKey)?
        .symbol
        .clone();
    let decimal = |field, value: &str| {
        value
            .parse::<Decimal>()
            .map_err(|_| BooksError::BadDecimal {
                symbol: symbol.clone(),
                field,
                value: value.to_owned(),
            })
    };
    let volatility = match message.volatility_per_second.as_str() {
        "" => None,
        v => Some(decimal("volatility", v)?),
    };
    if !message.usable {
        let reason = match message.reason.as_str() {
            "" => "unusable".to_owned(),
            reason => reason.to_owned(),
        };
        let entry = BookEntry {
            book: None,
            reason,
            volatility,
        };
        return Ok((symbol, entry));
    }
    let levels = |side: &[obm::Level], field| {
        side.iter()
            .map(|l| {
                Ok(Level::new(
                    decimal(field, &l.price)?,
                    decimal(field, &l.quantity)?,
                ))
            })
            .collect::<Result<Vec<_>, BooksError>>()
    };
    let book = BookSnapshot {
        symbol: symbol.clone(),
        snapshot_id: message.update_id,
        update_id: message.update_id,
        updated_at_ms: message.updated_at_ms,
        bids: levels(&message.bids, "bid")?,
        asks: levels(&message.asks, "ask")?,
    };
    let entry = BookEntry {
        book: Some(Arc::new(book)),
        reason: String::new(),
        volatility,
    };
    Ok((symbol, entry))
}

/// The latest books, kept current by a background task until dropped.
pub struct BookCache {
    current: Arc<ArcSwap<MarketSnapshot>>,
    task: JoinHandle<()>,
}

impl Drop for BookCache {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl BookCache {
    /// Starts following the OBM. Returns at once: until the first message every followed
    /// symbol is present but unusable ("not yet received").
    pub fn spawn(settings: CacheSettings) -> Result<Self, BooksError> {
        let endpoint = Endpoint::from_shared(settings.endpoint.clone())
            .map_err(|_| BooksError::Endpoint(settings.endpoint.clone()))?
            .connect_timeout(Duration::from_secs(5));
        let initial =
            settings
                .symbols
                .iter()
                .fold(MarketSnapshot::default(), |snapshot, symbol| {
                    let entry = BookEntry {
                        book: None,
                        reason: "not yet received".into(),
                        volatility: None,
                    };
                    snapshot.with(symbol.clone(), entry)
                });
        let current = Arc::new(ArcSwap::from_pointee(initial));
        let task = tokio::spawn(follow(endpoint, settings, current.clone()));
        Ok(Self { current, task })
    }

    /// The current view, one atomic load; price a quote against one such view.
    pub fn snapshot(&self) -> Arc<MarketSnapshot> {
        self.current.load_full()
    }
}

/// Subscribes, applies messages, and on any failure marks every book unusable and reconnects.
async fn follow(
    endpoint: Endpoint,
    settings: CacheSettings,
    current: Arc<ArcSwap<MarketSnapshot>>,
) {
    let mut backoff = settings.backoff_min;
    loop {
        let (received, error) = stream_once(&endpoint, &settings, &current).await;
        if received {
            backoff = settings.backoff_min;
        }
        tracing::warn!(obm = %settings.endpoint, %error, retry_in = ?backoff, "OBM subscription lost");
        current.store(Arc::new(
            current
                .load()
                .all_unusable(&format!("OBM unreachable: {error}")),
        ));
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(settings.backoff_max);
    }
}

/// One subscription, until it fails. Returns whether any message arrived, and why it ended.
async fn stream_once(
    endpoint: &Endpoint,
    settings: &CacheSettings,
    current: &ArcSwap<MarketSnapshot>,
) -> (bool, String) {
    let channel: Channel = match endpoint.connect().await {
        Ok(channel) => channel,
        Err(error) => return (false, error.to_string()),
    };
    let request = obm::SubscribeRequest {
        books: settings
            .symbols
            .iter()
            .map(|symbol| obm::BookKey {
                exchange: settings.exchange.clone(),
                symbol: symbol.clone(),
            })
            .collect(),
        levels: settings.levels,
    };
    let mut stream = match OrderBooksClient::new(channel).subscribe(request).await {
        Ok(response) => response.into_inner(),
        Err(status) => return (false, status.to_string()),
    };
    let mut received = false;
    loop {
        match stream.message().await {
            Ok(Some(message)) => {
                received = true;
                match convert(&message) {
                    Ok((symbol, entry)) => {
                        current.store(Arc::new(current.load().with(symbol, entry)))
                    }
                    Err(error) => {
                        // Drop the symbol's book rather than keep serving its previous state.
                        tracing::warn!(%error, "unusable OBM snapshot");
                        if let Some(key) = &message.key {
                            let entry = BookEntry {
                                book: None,
                                reason: error.to_string(),
                                volatility: None,
                            };
                            let next = current.load().with(key.symbol.clone(), entry);
                            current.store(Arc::new(next));
                        }
                    }
                }
            }
            Ok(None) => return (received, "stream ended".into()),
            Err(status) => return (received, status.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(usable: bool, bids: &[(&str, &str)], asks: &[(&str, &str)]) -> obm::BookSnapshot {
        let levels = |side: &[(&str, &str)]| {
            side.iter()
                .map(|(p, q)| obm::Level {
                    price: (*p).into(),
                    quantity: (*q).into(),
                })
                .collect()
        };
        obm::BookSnapshot {
            key: Some(obm::BookKey {
                exchange: "paper".into(),
                symbol: "ETHUSDT".into(),
            }),
            snapshot_id: "ETHUSDT:7".into(),
            update_id: 7,
            updated_at_ms: 1_000,
            usable,
            reason: if usable {
                String::new()
            } else {
                "syncing".into()
            },
            bids: levels(bids),
            asks: levels(asks),
            volatility_per_second: "0.0001".into(),
        }
    }

    #[test]
    fn usable_messages_become_maker_snapshots() {
        let (symbol, entry) = convert(&message(true, &[("99.5", "1")], &[("100.5", "2")])).unwrap();
        assert_eq!(symbol, "ETHUSDT");
        let book = entry.book.unwrap();
        assert_eq!(
            (book.snapshot_id, book.update_id, book.updated_at_ms),
            (7, 7, 1_000)
        );
        assert_eq!(book.mid(), Some(Decimal::new(100, 0)));
        assert_eq!(entry.volatility, Some(Decimal::new(1, 4)));
    }

    #[test]
    fn unusable_and_malformed_messages_carry_no_book() {
        let (_, entry) = convert(&message(false, &[], &[])).unwrap();
        assert_eq!((&entry.book, entry.reason.as_str()), (&None, "syncing"));
        assert!(convert(&message(true, &[("x", "1")], &[])).is_err());
        let snapshot = MarketSnapshot::default().with("ETHUSDT".into(), entry);
        assert!(snapshot.book("ETHUSDT").is_none());
        assert_eq!(snapshot.volatility("ETHUSDT"), Some(Decimal::new(1, 4)));
        let (symbol, entry) = convert(&message(true, &[("99", "1")], &[("101", "1")])).unwrap();
        let down = snapshot.with(symbol, entry).all_unusable("gone");
        assert!(!down.is_usable("ETHUSDT"));
        assert_eq!(down.entry("ETHUSDT").unwrap().reason, "gone");
    }
}
