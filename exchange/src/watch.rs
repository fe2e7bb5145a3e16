//! Following orders to their final state from two sources: the user data stream (fast, but
//! silent while disconnected) and REST polling by client order id (slow, but always there).
//! Whichever reports the final state first wins, so a dead stream delays nothing beyond
//! one polling interval.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rust_decimal::Decimal;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior};

use crate::error::Error;
use crate::execution_report::ExecutionReport;
use crate::orders::{ClientOrderId, Fill, Order, OrderStatus, average};
use crate::rest::{Client, lock};
use crate::user_stream;

/// Execution reports buffered for slow waiters; a waiter that falls behind still has polling.
const REPORT_BUFFER: usize = 1024;
/// Orders whose trades are remembered; the oldest are forgotten first.
const TRACKED_ORDERS: usize = 10_000;

/// Which source saw the final state first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Stream,
    Poll,
}

/// An order in its final state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FinalOrder {
    pub symbol: String,
    pub order_id: u64,
    pub client_order_id: String,
    /// FILLED, CANCELED, EXPIRED, REJECTED or EXPIRED_IN_MATCH.
    pub status: OrderStatus,
    pub executed_qty: Decimal,
    pub cumulative_quote_qty: Decimal,
    /// `None` when nothing executed.
    pub average_price: Option<Decimal>,
    /// Commission per asset, from the trades seen (stream reports and placement fills).
    pub commissions: BTreeMap<String, Decimal>,
    /// Whether the trades seen add up to the executed quantity. When the stream missed a
    /// trade (disconnected at the time) the commissions are a lower bound.
    pub commissions_complete: bool,
    pub source: Source,
}

/// The trades seen of one order, each counted once (stream and placement may both show it).
#[derive(Debug, Default)]
struct Trades {
    ids: HashSet<i64>,
    qty: Decimal,
    commissions: BTreeMap<String, Decimal>,
}

/// What the stream task and the waiters share.
#[derive(Debug)]
struct Tracker {
    reports: broadcast::Sender<Arc<ExecutionReport>>,
    trades: Mutex<(HashMap<String, Trades>, VecDeque<String>)>,
    connected: Arc<AtomicBool>,
}

impl Tracker {
    fn record_trade(
        &self,
        client_order_id: &str,
        trade_id: i64,
        qty: Decimal,
        fee: (&str, Decimal),
    ) {
        let mut guard = lock(&self.trades);
        let (by_order, age) = &mut *guard;
        if !by_order.contains_key(client_order_id) {
            if age.len() >= TRACKED_ORDERS
                && let Some(oldest) = age.pop_front()
            {
                by_order.remove(&oldest);
            }
            age.push_back(client_order_id.to_string());
        }
        let trades = by_order.entry(client_order_id.to_string()).or_default();
        if trades.ids.insert(trade_id) {
            trades.qty += qty;
            *trades.commissions.entry(fee.0.to_string()).or_default() += fee.1;
        }
    }

    fn on_report(&self, report: ExecutionReport) {
        if let Some(asset) = &report.commission_asset
            && report.trade_id >= 0
        {
            self.record_trade(
                report.client_order_id(),
                report.trade_id,
                report.last_qty,
                (asset, report.commission),
            );
        }
        // no waiter is not an error
        let _ = self.reports.send(Arc::new(report));
    }

    /// The commissions seen for an order, and whether its trades add up to `executed`.
    fn commissions(
        &self,
        client_order_id: &str,
        executed: Decimal,
    ) -> (BTreeMap<String, Decimal>, bool) {
        let guard = lock(&self.trades);
        match guard.0.get(client_order_id) {
            Some(trades) => (trades.commissions.clone(), trades.qty == executed),
            None => (BTreeMap::new(), executed.is_zero()),
        }
    }
}

/// An order's state as a REST poll reads it, whatever the API.
#[derive(Clone, Debug)]
pub(crate) struct PolledOrder {
    pub symbol: String,
    pub order_id: u64,
    pub client_order_id: String,
    pub status: OrderStatus,
    pub executed_qty: Decimal,
    pub cumulative_quote_qty: Decimal,
    /// The placement's own fills, when the answer carried them (Spot FULL).
    pub fills: Vec<Fill>,
}

impl From<Order> for PolledOrder {
    fn from(order: Order) -> Self {
        PolledOrder {
            symbol: order.symbol,
            order_id: order.order_id,
            client_order_id: order.client_order_id,
            status: order.status,
            executed_qty: order.executed_qty,
            cumulative_quote_qty: order.cumulative_quote_qty,
            fills: order.fills,
        }
    }
}

/// The part of a watch every API shares: the reports of a user data stream task, the trades
/// seen, and waiting for an order's final state from the stream or from polling.
#[derive(Debug)]
pub(crate) struct Follower {
    poll_every: Duration,
    tracker: Arc<Tracker>,
    stream: JoinHandle<()>,
}

impl Drop for Follower {
    fn drop(&mut self) {
        self.stream.abort();
    }
}

impl Follower {
    /// Runs `stream` (a user data stream feeding `on_report` and `connected`) in a task.
    pub(crate) fn start<S, Fut>(poll_every: Duration, stream: S) -> Self
    where
        S: FnOnce(Arc<dyn Fn(ExecutionReport) + Send + Sync>, Arc<AtomicBool>) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let tracker = Arc::new(Tracker {
            reports: broadcast::channel(REPORT_BUFFER).0,
            trades: Mutex::default(),
            connected: Arc::new(AtomicBool::new(false)),
        });
        let on_report = {
            let tracker = tracker.clone();
            Arc::new(move |report| tracker.on_report(report))
        };
        let stream = tokio::spawn(stream(on_report, tracker.connected.clone()));
        Follower {
            poll_every,
            tracker,
            stream,
        }
    }

    pub(crate) fn stream_connected(&self) -> bool {
        self.tracker.connected.load(Ordering::SeqCst)
    }

    pub(crate) fn record_fills(&self, client_order_id: &str, fills: &[Fill]) {
        for fill in fills {
            self.tracker.record_trade(
                client_order_id,
                fill.trade_id,
                fill.qty,
                (&fill.commission_asset, fill.commission),
            );
        }
    }

    /// Waits until the order with `client_order_id` is final, from the stream or from `poll`
    /// (every `poll_every`, the first at once), for at most `timeout`.
    pub(crate) async fn wait_final<P, PollFut>(
        &self,
        client_order_id: &ClientOrderId,
        timeout: Duration,
        poll: P,
    ) -> Result<FinalOrder, Error>
    where
        P: Fn() -> PollFut,
        PollFut: Future<Output = Result<Option<PolledOrder>, Error>>,
    {
        // subscribed before the first poll, so a final report between the two is not missed
        let mut reports = self.tracker.reports.subscribe();
        let deadline = Instant::now() + timeout;
        let mut poll_timer = tokio::time::interval(self.poll_every);
        poll_timer.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                report = reports.recv() => match report {
                    Ok(report) if report.client_order_id() == client_order_id.as_str() && report.status.is_final() => {
                        return Ok(self.final_from_report(&report));
                    }
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => unreachable!("the tracker holds the sender"),
                },
                _ = poll_timer.tick() => match poll().await {
                    Ok(Some(order)) if order.status.is_final() => return Ok(self.final_from_poll(&order)),
                    Ok(Some(_)) => {}
                    Ok(None) => return Err(Error::OrderNotFound(client_order_id.to_string())),
                    Err(e) => tracing::warn!(error = %e, "order poll failed; polling on"),
                },
                _ = tokio::time::sleep_until(deadline) => {
                    return Err(Error::WatchTimeout {
                        client_order_id: client_order_id.to_string(),
                        waited: timeout,
                    });
                }
            }
        }
    }

    fn final_from_report(&self, report: &ExecutionReport) -> FinalOrder {
        let (commissions, complete) = self
            .tracker
            .commissions(report.client_order_id(), report.executed_qty);
        FinalOrder {
            symbol: report.symbol.clone(),
            order_id: report.order_id,
            client_order_id: report.client_order_id().to_string(),
            status: report.status,
            executed_qty: report.executed_qty,
            cumulative_quote_qty: report.cumulative_quote_qty,
            average_price: average(report.cumulative_quote_qty, report.executed_qty),
            commissions,
            commissions_complete: complete,
            source: Source::Stream,
        }
    }

    fn final_from_poll(&self, order: &PolledOrder) -> FinalOrder {
        self.record_fills(&order.client_order_id, &order.fills);
        let (commissions, complete) = self
            .tracker
            .commissions(&order.client_order_id, order.executed_qty);
        FinalOrder {
            symbol: order.symbol.clone(),
            order_id: order.order_id,
            client_order_id: order.client_order_id.clone(),
            status: order.status,
            executed_qty: order.executed_qty,
            cumulative_quote_qty: order.cumulative_quote_qty,
            average_price: average(order.cumulative_quote_qty, order.executed_qty),
            commissions,
            commissions_complete: complete,
            source: Source::Poll,
        }
    }
}

/// Follows the account's orders; one per client, started inside a tokio runtime. The user
/// data stream runs in a background task until the watch is dropped.
#[derive(Debug)]
pub struct OrderWatch {
    client: Arc<Client>,
    follower: Follower,
}

impl OrderWatch {
    /// Starts following the user data stream; [`OrderWatch::wait_final`] also polls every
    /// `poll_every`.
    pub fn start(client: Arc<Client>, poll_every: Duration) -> Self {
        let follower = Follower::start(poll_every, {
            let client = client.clone();
            |on_report, connected| async move {
                user_stream::follow(&client, &connected, |report| on_report(report)).await
            }
        });
        OrderWatch { client, follower }
    }

    /// Whether the user data stream is subscribed right now.
    pub fn stream_connected(&self) -> bool {
        self.follower.stream_connected()
    }

    /// Counts the fills of a placement's FULL answer, so their commissions are known even if
    /// the stream missed them. Each trade counts once, whichever source shows it.
    pub fn record_fills(&self, order: &Order) {
        self.follower
            .record_fills(&order.client_order_id, &order.fills);
    }

    /// Waits until the order with `client_order_id` is final, from the stream or from
    /// polling (the first poll is immediate), for at most `timeout`.
    #[tracing::instrument(skip(self))]
    pub async fn wait_final(
        &self,
        symbol: &str,
        client_order_id: &ClientOrderId,
        timeout: Duration,
    ) -> Result<FinalOrder, Error> {
        self.follower
            .wait_final(client_order_id, timeout, || async {
                let order = self.client.query(symbol, client_order_id).await?;
                Ok(order.map(PolledOrder::from))
            })
            .await
    }
}
