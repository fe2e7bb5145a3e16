//! The OBM's gRPC service (`proto/grpc/obm.proto`) over the manager's books. An unusable book
//! answers UNAVAILABLE with its reason; subscribers receive it flagged unusable, without levels.

use crate::book::{Level, Side};
use crate::manager::{BookKey, BookView, Books};
use futures::{Stream, StreamExt, stream};
use hedgeflow_proto::grpc::obm::{self, order_books_server::OrderBooks};
use rust_decimal::Decimal;
use std::pin::Pin;
use std::sync::Arc;
use tokio_stream::wrappers::WatchStream;
use tonic::{Request, Response, Status};

/// Levels per side in a subscription snapshot unless the subscriber asks otherwise.
const DEFAULT_LEVELS: usize = 50;

/// Serves the books of one manager.
#[derive(Clone)]
pub struct Service {
    books: Arc<Books>,
}

impl Service {
    pub fn new(books: Arc<Books>) -> Self {
        Self { books }
    }

    /// The tonic server for this service.
    pub fn server(self) -> obm::order_books_server::OrderBooksServer<Self> {
        obm::order_books_server::OrderBooksServer::new(self)
    }

    fn view(&self, key: Option<obm::BookKey>) -> Result<(BookKey, BookView), Status> {
        let key = key.ok_or_else(|| Status::invalid_argument("book key missing"))?;
        let key = BookKey {
            exchange: key.exchange,
            symbol: key.symbol,
        };
        let view = self
            .books
            .get(&key)
            .ok_or_else(|| Status::not_found(format!("no book {key}")))?;
        Ok((key, view))
    }
}

fn wire_key(key: &BookKey) -> obm::BookKey {
    obm::BookKey {
        exchange: key.exchange.clone(),
        symbol: key.symbol.clone(),
    }
}

fn wire_level(level: Level) -> obm::Level {
    obm::Level {
        price: level.price.to_string(),
        quantity: level.quantity.to_string(),
    }
}

fn unavailable(key: &BookKey, status: &crate::manager::Status) -> Status {
    Status::unavailable(format!("book {key} unusable: {status}"))
}

/// A subscription message for one state of a book.
pub fn snapshot(key: &BookKey, view: &BookView, levels: usize) -> obm::BookSnapshot {
    let (usable, reason, bids, asks, update_id) = match view.usable() {
        Ok(book) => (
            true,
            String::new(),
            book.top(Side::Bids, levels),
            book.top(Side::Asks, levels),
            book.update_id(),
        ),
        Err(status) => (false, status.to_string(), vec![], vec![], 0),
    };
    obm::BookSnapshot {
        key: Some(wire_key(key)),
        snapshot_id: format!("{}:{}", key.symbol, update_id),
        update_id,
        updated_at_ms: view.updated_at_ms,
        usable,
        reason,
        bids: bids.into_iter().map(wire_level).collect(),
        asks: asks.into_iter().map(wire_level).collect(),
        volatility_per_second: view.volatility.per_second.to_string(),
    }
}

type SnapshotStream = Pin<Box<dyn Stream<Item = Result<obm::BookSnapshot, Status>> + Send>>;

#[tonic::async_trait]
impl OrderBooks for Service {
    async fn markets(
        &self,
        _request: Request<obm::MarketsRequest>,
    ) -> Result<Response<obm::MarketsReply>, Status> {
        let books = self
            .books
            .keys()
            .filter_map(|key| self.books.get(key).map(|view| (key, view)))
            .map(|(key, view)| obm::BookStatus {
                key: Some(wire_key(key)),
                usable: view.usable().is_ok(),
                reason: view
                    .usable()
                    .err()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                update_id: view.book.as_ref().map_or(0, |book| book.update_id()),
            })
            .collect();
        Ok(Response::new(obm::MarketsReply { books }))
    }

    async fn best_prices(
        &self,
        request: Request<obm::BookRequest>,
    ) -> Result<Response<obm::BestPricesReply>, Status> {
        let (key, view) = self.view(request.into_inner().key)?;
        let book = view.usable().map_err(|status| unavailable(&key, status))?;
        Ok(Response::new(obm::BestPricesReply {
            key: Some(wire_key(&key)),
            bid: book.best(Side::Bids).map(wire_level),
            ask: book.best(Side::Asks).map(wire_level),
            update_id: book.update_id(),
            updated_at_ms: view.updated_at_ms,
        }))
    }

    async fn depth(
        &self,
        request: Request<obm::DepthRequest>,
    ) -> Result<Response<obm::DepthReply>, Status> {
        let request = request.into_inner();
        let side = match obm::Side::try_from(request.side) {
            Ok(obm::Side::Bids) => Side::Bids,
            Ok(obm::Side::Asks) => Side::Asks,
            _ => return Err(Status::invalid_argument("side must be BIDS or ASKS")),
        };
        let quantity: Decimal = request
            .quantity
            .parse()
            .ok()
            .filter(|quantity: &Decimal| quantity.is_sign_positive() && !quantity.is_zero())
            .ok_or_else(|| Status::invalid_argument("quantity must be a positive decimal"))?;
        let (key, view) = self.view(request.key)?;
        let book = view.usable().map_err(|status| unavailable(&key, status))?;
        let (levels, covered) = book.covering(side, quantity);
        Ok(Response::new(obm::DepthReply {
            levels: levels.into_iter().map(wire_level).collect(),
            update_id: book.update_id(),
            covered,
        }))
    }

    async fn volatility(
        &self,
        request: Request<obm::BookRequest>,
    ) -> Result<Response<obm::VolatilityReply>, Status> {
        let (_, view) = self.view(request.into_inner().key)?;
        Ok(Response::new(obm::VolatilityReply {
            per_second: view.volatility.per_second.to_string(),
            samples: view.volatility.samples,
        }))
    }

    type SubscribeStream = SnapshotStream;

    async fn subscribe(
        &self,
        request: Request<obm::SubscribeRequest>,
    ) -> Result<Response<Self::SubscribeStream>, Status> {
        let request = request.into_inner();
        let levels = match request.levels {
            0 => DEFAULT_LEVELS,
            n => n as usize,
        };
        let keys: Vec<BookKey> = if request.books.is_empty() {
            self.books.keys().cloned().collect()
        } else {
            request
                .books
                .into_iter()
                .map(|key| BookKey {
                    exchange: key.exchange,
                    symbol: key.symbol,
                })
                .collect()
        };
        let mut streams = Vec::with_capacity(keys.len());
        for key in keys {
            let rx = self
                .books
                .watch(&key)
                .ok_or_else(|| Status::not_found(format!("no book {key}")))?;
            streams.push(
                WatchStream::new(rx)
                    .map(move |view| Ok(snapshot(&key, &view, levels)))
                    .boxed(),
            );
        }
        Ok(Response::new(Box::pin(stream::select_all(streams))))
    }
}
