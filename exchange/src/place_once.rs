//! Idempotent placement by client order id: the one way the exchange role places orders, so
//! that a retried activity (after a crash, a timeout, a lost answer) never places twice.

use std::time::Duration;

use tokio::time::Instant;

use crate::error::Error;
use crate::orders::{ClientOrderId, Order, OrderRequest};
use crate::rest::{Client, lock};

/// First wait between queries of an order whose placement had an unknown outcome.
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
/// Longest wait between those queries.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// How a `place_once` ([`Client::place_once`], [`crate::FuturesClient::place_once`]) ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Placement<O = Order> {
    /// This call placed the order and read Binance's answer.
    Placed(O),
    /// The order was already on Binance: placed by an earlier call, or by this one when its
    /// answer was lost. It was not placed again.
    Found(O),
}

impl<O> Placement<O> {
    pub fn order(&self) -> &O {
        match self {
            Placement::Placed(order) | Placement::Found(order) => order,
        }
    }

    pub fn into_order(self) -> O {
        match self {
            Placement::Placed(order) | Placement::Found(order) => order,
        }
    }
}

/// What `place_once` placed (an order, a withdrawal), as it logs it.
pub(crate) trait Placed {
    /// The exchange's id of it.
    fn order_id(&self) -> String;
}

impl Placed for Order {
    fn order_id(&self) -> String {
        self.order_id.to_string()
    }
}

/// Marks a client order id as being placed by this process until dropped.
struct InFlight<'a> {
    client: &'a Client,
    id: String,
}

impl<'a> InFlight<'a> {
    fn claim(client: &'a Client, id: &ClientOrderId) -> Result<Self, Error> {
        if !lock(&client.in_flight).insert(id.to_string()) {
            return Err(Error::AlreadyInFlight(id.to_string()));
        }
        Ok(InFlight {
            client,
            id: id.to_string(),
        })
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        lock(&self.client.in_flight).remove(&self.id);
    }
}

impl Client {
    /// Places `order` at most once per client order id.
    ///
    /// Idempotent by `order.client_order_id`: it first asks Binance for an order with that id
    /// and returns it if there is one. Otherwise it places the order; when the answer is an
    /// unknown outcome (timeout, connection lost after sending, 5xx, -1007) or Binance's
    /// duplicate refusal, it asks again by client order id, with backoff, until Binance gives
    /// a definite answer: the order ([`Placement::Found`]) or -2013, which ends the call with
    /// [`Error::NotPlaced`] (placing again is then safe). Without a definite answer within
    /// the configured `resolve_timeout` it fails with [`Error::OutcomeUnknown`]; calling it
    /// again is safe, since it asks before it places.
    ///
    /// Limits: Binance refuses a duplicate client order id only among *open* orders, and
    /// documents that after -1007 an order may still reach the matching engine later. So a
    /// "does not exist" read right after an unknown outcome is Binance's word, not a proof;
    /// callers that place again should leave Binance a moment first. Concurrent calls for one
    /// id in this process are refused ([`Error::AlreadyInFlight`]); across processes the
    /// caller's single owner (the Temporal workflow id) keeps calls sequential.
    #[tracing::instrument(skip_all, fields(client_order_id = %order.client_order_id, symbol = %order.symbol))]
    pub async fn place_once(&self, order: &OrderRequest) -> Result<Placement, Error> {
        let id = &order.client_order_id;
        place_once(
            self,
            id,
            || self.query(&order.symbol, id),
            || self.place(order),
        )
        .await
    }
}

/// The idempotent placement behind every `place_once` (see [`Client::place_once`] for the
/// contract): `find` asks for the order by client order id (`None`: Binance says it does not
/// exist), `place` places it once. `client` is the transport whose in-flight guard applies.
pub(crate) async fn place_once<O, F, FindFut, P, PlaceFut>(
    client: &Client,
    id: &ClientOrderId,
    find: F,
    place: P,
) -> Result<Placement<O>, Error>
where
    O: Placed + std::fmt::Debug,
    F: Fn() -> FindFut,
    FindFut: Future<Output = Result<Option<O>, Error>>,
    P: FnOnce() -> PlaceFut,
    PlaceFut: Future<Output = Result<O, Error>>,
{
    let _in_flight = InFlight::claim(client, id)?;
    if let Some(existing) = find().await? {
        tracing::info!(
            order_id = %existing.order_id(),
            "order already on the exchange"
        );
        return Ok(Placement::Found(existing));
    }
    match place().await {
        Ok(placed) => Ok(Placement::Placed(placed)),
        Err(e) if e.is_unknown_outcome() || e.is_duplicate_order() => {
            resolve(client, id, find, e).await
        }
        Err(e) => Err(e),
    }
}

/// Asks for the order by client order id until Binance gives a definite answer.
async fn resolve<O, F, FindFut>(
    client: &Client,
    id: &ClientOrderId,
    find: F,
    cause: Error,
) -> Result<Placement<O>, Error>
where
    O: Placed + std::fmt::Debug,
    F: Fn() -> FindFut,
    FindFut: Future<Output = Result<Option<O>, Error>>,
{
    tracing::warn!(error = %cause, "placement outcome unknown; asking by client order id");
    let deadline = Instant::now() + client.config().resolve_timeout;
    let mut backoff = FIRST_BACKOFF;
    loop {
        match find().await {
            Ok(Some(found)) => {
                tracing::info!(
                    order_id = %found.order_id(),
                    "order found after an unknown outcome"
                );
                return Ok(Placement::Found(found));
            }
            Ok(None) => {
                return Err(Error::NotPlaced {
                    client_order_id: id.to_string(),
                    cause: Box::new(cause),
                });
            }
            Err(e) => {
                let wait = match &e {
                    Error::RateLimited { retry_after, .. } => *retry_after,
                    _ => backoff,
                };
                if !e.is_retryable() || Instant::now() + wait > deadline {
                    return Err(Error::OutcomeUnknown {
                        client_order_id: id.to_string(),
                        last: Box::new(e),
                    });
                }
                tracing::warn!(error = %e, ?wait, "order query failed; asking again");
                tokio::time::sleep(wait).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
}
