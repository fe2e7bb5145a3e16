//! `cargo bench -p hedgeflow --bench intents --profile dev`: how fast the intent hedger takes a
//! SYMMIO-style quote from party A's `sendQuote` to an open position, next to what the chain's
//! blocks impose, on the RFQ test stack (`support::rfq_stack`: anvil with 1 s blocks, the
//! `IntentBook` on l2, the paper exchange's perpetuals and the real roles).
//!
//! - Party A sends MARKET LONG quotes of [`QUANTITY`] ETHUSDT at 1 % above the broker's mark.
//!   Serial: `HEDGEFLOW_BENCH_INTENTS_SERIAL` quotes (default 20) from one party A, the next
//!   once the hedger recorded the last one opened. Burst: `HEDGEFLOW_BENCH_INTENTS_BURST`
//!   quotes (default 50) signed beforehand and broadcast at once, one per party A account:
//!   they land in the same block, and no party A's quotes wait on each other.
//! - Times: one poller outside every process (`common/blocks.rs`) sees each l2 block and the
//!   book's events in it (`SendQuote`, `LockQuote`, `OpenPosition`); a stage starts or ends
//!   when the block holding its event was first seen (the wall clock; block timestamps have a
//!   1 s resolution and are shown only as a cross-check). The broker fill is the paper
//!   exchange's `updateTime` of the order `i-<tag>-<quoteId>-open`, found by its client order id.
//! - The chain's wait in a stage is what a hedger that reacted in no time would still wait for
//!   blocks, taken from the blocks' own first-seen times: to the block its transaction could
//!   first be in, plus the blocks its confirmations need. Our overhead is the stage's time less
//!   that.
//!
//! Every quote must open, hedged by one broker order of its size, and the broker's position
//! must move by exactly the quotes' total; then every position is closed (the broker back to
//! where it was), and each quote's `IntentWorkflow` history is counted (`common/engine.rs`).
//! Writes `bench/intents/REPORT.md` (and prints it) in any case; exits non-zero on any failure.

#![allow(clippy::too_many_lines, reason = "a bench reads as one story")]

#[path = "common/accounts.rs"]
mod accounts;
#[path = "common/blocks.rs"]
mod blocks;
// The report helpers and the engine's cost; not the bare-workflow baseline.
#[allow(dead_code)]
#[path = "common/mod.rs"]
mod common;
#[path = "common/intent_book.rs"]
mod intent_book;
#[path = "intents/report.rs"]
mod report;
#[path = "../tests/e2e/support/mod.rs"]
mod support;

use accounts::{Account, poll};
use alloy::{
    network::TransactionBuilder,
    primitives::{Address, U256},
    providers::Provider,
};
use blocks::{Block, seconds};
use common::engine::{self, Cost, Lifecycle};
use common::env_or;
use hedgeflow_activities::{
    intent::{contract::IntentBook, quotes::decode},
    store::Store,
};
use hedgeflow_exchange::{ClientOrderId, FuturesClient, OrderStatus};
use hedgeflow_proto::intent::{HedgerState, IntentRecord, IntentRef};
use hedgeflow_proto::workflows::IntentWorkflow;
use hedgeflow_workflows::intent::CONFIRMATIONS;
use intent_book::{Book, Events};
use report::report;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use support::{L2_ID, Stack};
use temporalio_client::WorkflowGetResultOptions;

const QUANTITY: Decimal = dec!(0.2);
const SYMBOL: &str = "ETHUSDT";
/// Quotes and close requests stay valid this long: a burst must not expire while it waits.
const QUOTE_TTL: u64 = 600;
const WAIT: Duration = Duration::from_secs(300);
/// The test stack's anvil `--block-time` (`support`), in seconds.
const BLOCK_TIME: f64 = 1.0;

/// A measured quote.
struct Quote {
    id: u64,
    party_a: Address,
    intent: IntentRef,
    sent: Block,
    locked: Block,
    opened: Block,
}

struct Bench {
    stack: &'static Stack,
    book: Book,
    watcher: blocks::Watcher,
    store: Store,
    broker: FuturesClient,
    failures: Mutex<Vec<String>>,
}

impl Bench {
    fn fail(&self, why: String) {
        eprintln!("FAILED: {why}");
        self.failures.lock().unwrap().push(why);
    }

    fn events(&self) -> Events {
        Events::of(&self.watcher.logs())
    }

    /// A quote's gas: the book's estimate with room for a storage write's refund (the tests'
    /// fixed 1,000,000 would let only 30 quotes into a block).
    async fn quote_gas(&self, party: &Account) -> u64 {
        let call = intent_book::quote(&self.book, self.mark().await, QUANTITY, QUOTE_TTL);
        let call = call.with_from(party.address());
        let estimate = self.stack.l2.estimate_gas(call).await;
        estimate.expect("estimating sendQuote") * 3 / 2
    }

    async fn mark(&self) -> Decimal {
        self.broker.mark_price(SYMBOL).await.unwrap().mark_price
    }

    async fn broker_position(&self) -> Decimal {
        self.broker.position(SYMBOL).await.unwrap().position_amt
    }

    /// Sends one quote from each of `parties` at once (1 % above the mark) and returns their
    /// ids and `SendQuote` blocks, in the same order; `None` for a quote never seen.
    async fn send_quotes(&self, parties: &[&Account], gas: u64) -> Vec<Option<(u64, Block)>> {
        let price = self.mark().await * dec!(1.01);
        let quote = intent_book::quote(&self.book, price, QUANTITY, QUOTE_TTL).with_gas_limit(gas);
        let txs: Vec<_> = parties.iter().map(|p| (*p, vec![quote.clone()])).collect();
        let hashes = accounts::send_at_once(&self.stack.l2, &txs).await;
        let mut sent = Vec::new();
        for hash in hashes {
            let seen = poll(WAIT, || async { self.events().sent.get(&hash).copied() }).await;
            if seen.is_none() {
                self.fail(format!("sendQuote {hash} was not seen mined"));
            }
            sent.push(seen);
        }
        sent
    }

    /// Waits until each quote is open on chain and recorded `opened` by the hedger.
    async fn wait_opened(&self, sent: Vec<Option<(u64, Block)>>) -> Vec<Quote> {
        let mut quotes = Vec::new();
        for (id, sent) in sent.into_iter().flatten() {
            let opened = poll(WAIT, || async {
                let events = self.events();
                Some((*events.locked.get(&id)?, *events.opened.get(&id)?))
            })
            .await;
            let Some((locked, opened)) = opened else {
                let status = self.book.getQuote(U256::from(id)).call().await;
                let status = status.map(|q| q.quoteStatus).unwrap_or(u8::MAX);
                self.fail(format!("quote {id} was not opened (status {status})"));
                continue;
            };
            let quote = self.book.getQuote(U256::from(id)).call().await.unwrap();
            let quote = decode(&quote).unwrap();
            let intent = IntentRef::of(L2_ID, *self.book.address(), &quote);
            if self.record(&intent, HedgerState::Opened).await.is_none() {
                self.fail(format!("{} was not recorded opened", intent.workflow_id()));
            }
            quotes.push(Quote {
                id,
                party_a: quote.party_a,
                intent,
                sent,
                locked,
                opened,
            });
        }
        quotes
    }

    /// The quote's record once the hedger stored it in `state`.
    async fn record(&self, intent: &IntentRef, state: HedgerState) -> Option<IntentRecord> {
        let id = intent.workflow_id();
        poll(WAIT, || async {
            let row = self.store.intent_quote(&id).await.ok()??;
            (row.hedger_state == state.as_str())
                .then(|| serde_json::from_value(row.record).ok())
                .flatten()
        })
        .await
    }

    /// The broker's fill of the quote's open order (its `updateTime`), checked whole.
    async fn fill(&self, quote: &Quote) -> Option<SystemTime> {
        let id = ClientOrderId::new(quote.intent.broker_order_id("open")).unwrap();
        match self.broker.order(SYMBOL, &id).await {
            Ok(Some(order))
                if order.status == OrderStatus::Filled && order.executed_qty == QUANTITY =>
            {
                Some(UNIX_EPOCH + Duration::from_millis(order.update_time))
            }
            other => {
                self.fail(format!("quote {}: broker order {other:?}", quote.id));
                None
            }
        }
    }

    /// Asks to close every quote at once (MARKET, 1 % under the mark), each by its party A;
    /// waits until each is CLOSED on chain and its workflow ended `closed`. Returns
    /// close-request-to-closed times, seconds.
    async fn close(&self, quotes: &[(&Account, &Quote)]) -> Vec<f64> {
        let price = self.mark().await * dec!(0.99);
        let close = |id| intent_book::close_request(&self.book, id, price, QUANTITY, QUOTE_TTL);
        let txs: Vec<_> = quotes
            .iter()
            .map(|(p, q)| (*p, vec![close(q.id)]))
            .collect();
        accounts::send_at_once(&self.stack.l2, &txs).await;
        let mut times = Vec::new();
        for (_, quote) in quotes {
            let closed = poll(WAIT, || async {
                let events = self.events();
                Some((
                    *events.close_requested.get(&quote.id)?,
                    *events.closed.get(&quote.id)?,
                ))
            })
            .await;
            let Some((requested, closed)) = closed else {
                self.fail(format!("quote {} was not closed", quote.id));
                continue;
            };
            times.push(seconds(requested.seen, closed.seen));
            let handle = self
                .stack
                .client
                .get_workflow_handle::<IntentWorkflow>(quote.intent.workflow_id());
            let result = handle.get_result(WorkflowGetResultOptions::default());
            match tokio::time::timeout(WAIT, result).await {
                Ok(Ok(record)) if record.state == HedgerState::Closed => {}
                other => self.fail(format!("quote {} workflow: {other:?}", quote.id)),
            }
        }
        times
    }
}

/// The stages of one quote: measured times, the chain's waits and the allocations it needed.
struct Stages {
    /// send → lock, lock → broker filled, broker filled → open, send → open.
    took: [f64; 4],
    chain: [f64; 4],
    /// send → open by the blocks' timestamps.
    stamped: f64,
    blocks_lost: f64,
}

/// One run's quotes, with what they took.
struct Measured {
    name: &'static str,
    quotes: Vec<Quote>,
    stages: Vec<Stages>,
    /// `allocateForPartyB` transactions before the lock, per quote.
    allocations: Vec<usize>,
    blocks: Vec<Block>,
}

async fn measure(bench: &Bench, name: &'static str, quotes: Vec<Quote>) -> Measured {
    let confirmations = CONFIRMATIONS;
    let mut stages = Vec::new();
    let mut allocations = Vec::new();
    for quote in &quotes {
        let (Some(fill), Some(record)) = (
            bench.fill(quote).await,
            bench.record(&quote.intent, HedgerState::Opened).await,
        ) else {
            continue;
        };
        let allocated = record.transactions.iter().filter(|(s, _)| s == "allocate");
        let allocated = allocated.count();
        // A zero-time hedger: each allocation in the block after its trigger, then its
        // confirmations; the lock in the next block; the lock's confirmations; the open in the
        // first block after the fill.
        let lock_at = quote.sent.number + allocated as u64 * confirmations + 1;
        let confirmed_at = quote.locked.number + confirmations - 1;
        let (Some(lock_block), Some(confirmed), Some(after_fill)) = (
            bench.watcher.block(lock_at),
            bench.watcher.block(confirmed_at),
            bench.watcher.first_seen_after(fill),
        ) else {
            bench.fail(format!(
                "quote {}: blocks missing from the watcher",
                quote.id
            ));
            continue;
        };
        let chain = [
            seconds(quote.sent.seen, lock_block.seen),
            seconds(quote.locked.seen, confirmed.seen),
            seconds(fill, after_fill.seen),
        ];
        let took = [
            seconds(quote.sent.seen, quote.locked.seen),
            seconds(quote.locked.seen, fill),
            seconds(fill, quote.opened.seen),
        ];
        let least_blocks = allocated as u64 * confirmations + confirmations + 1;
        stages.push(Stages {
            took: [took[0], took[1], took[2], took.iter().sum()],
            chain: [chain[0], chain[1], chain[2], chain.iter().sum()],
            stamped: quote.opened.timestamp.saturating_sub(quote.sent.timestamp) as f64,
            blocks_lost: (quote.opened.number - quote.sent.number).saturating_sub(least_blocks)
                as f64,
        });
        allocations.push(allocated);
    }
    let (first, last) = (quotes.first(), quotes.last());
    let blocks = match (first, last) {
        (Some(first), Some(last)) => bench
            .watcher
            .blocks()
            .into_iter()
            .filter(|b| (first.sent.number..=last.opened.number).contains(&b.number))
            .collect(),
        _ => Vec::new(),
    };
    Measured {
        name,
        quotes,
        stages,
        allocations,
        blocks,
    }
}

/// The 1-minute load average: the machine may be shared.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}

/// The engine's cost of each quote's workflow: up to `opened`, and whole (to closed).
async fn engine_cost(bench: &Bench, run: &Measured) -> [Lifecycle; 2] {
    let (mut opened, mut closed) = (Cost::default(), Cost::default());
    for quote in &run.quotes {
        let runs = engine::runs(&bench.stack.client, &quote.intent.workflow_id()).await;
        for events in &runs {
            closed.add(&engine::count(events));
        }
        for events in &runs {
            let upto = engine::until_stage(events, HedgerState::Opened.as_str());
            opened.add(&engine::count(upto));
            if upto.len() < events.len() {
                break;
            }
        }
    }
    let n = run.quotes.len() as u64;
    [
        Lifecycle::new(format!("IntentWorkflow, quote → opened ({})", run.name), n).part(opened, n),
        Lifecycle::new(format!("IntentWorkflow, quote → closed ({})", run.name), n).part(closed, n),
    ]
}

fn main() {
    let serial = env_or("HEDGEFLOW_BENCH_INTENTS_SERIAL", 20_usize).max(1);
    let burst = env_or("HEDGEFLOW_BENCH_INTENTS_BURST", 50_usize).max(1);
    let load_before = load_average();
    let runtime = common::runtime();
    let (report, failed) = runtime.block_on(async {
        let stack = support::rfq_stack().await;
        let intents = stack
            .config
            .intents
            .as_ref()
            .expect("the RFQ stack's [intents]");
        let bench = Bench {
            stack,
            book: IntentBook::new(intents.book, stack.l2.clone()),
            watcher: blocks::Watcher::start(stack.l2.clone(), intents.book).await,
            store: Store::connect_read_only(&stack.config.database.url)
                .await
                .unwrap(),
            broker: stack.paper_futures(
                hedgeflow_paper_exchange::DEV_API_KEY,
                hedgeflow_paper_exchange::DEV_SECRET_KEY,
            ),
            failures: Mutex::new(Vec::new()),
        };
        let parties = intent_book::funded_parties(&bench.book, 1 + burst).await;
        let gas = bench.quote_gas(&parties[0]).await;
        let position_before = bench.broker_position().await;

        // Warm-up: one quote through every code path, not measured.
        let warm_up = bench
            .wait_opened(bench.send_quotes(&[&parties[0]], gas).await)
            .await;
        let mut serial_quotes = Vec::new();
        for _ in 0..serial {
            let sent = bench.send_quotes(&[&parties[0]], gas).await;
            serial_quotes.extend(bench.wait_opened(sent).await);
        }
        let burst_parties: Vec<&Account> = parties[1..].iter().collect();
        let burst_quotes = bench
            .wait_opened(bench.send_quotes(&burst_parties, gas).await)
            .await;
        let serial_run = measure(&bench, "serial", serial_quotes).await;
        let burst_run = measure(&bench, "burst", burst_quotes).await;

        let opened = warm_up.len() + serial_run.quotes.len() + burst_run.quotes.len();
        let moved = bench.broker_position().await - position_before;
        let expected = QUANTITY * Decimal::from(opened);
        if moved != expected {
            bench.fail(format!(
                "the broker position moved by {moved}, not {expected} ({opened} quotes opened)"
            ));
        }
        // Close everything: the broker back where it was, the workflows ended.
        let quotes = warm_up
            .iter()
            .chain(&serial_run.quotes)
            .chain(&burst_run.quotes);
        let owner = |q: &Quote| parties.iter().find(|p| p.address() == q.party_a);
        let owned: Vec<(&Account, &Quote)> = quotes.map(|q| (owner(q).unwrap(), q)).collect();
        let mut closes = bench.close(&owned).await;
        let after_close = bench.broker_position().await;
        if after_close != position_before {
            bench.fail(format!(
                "after the closes the broker position is {after_close}, not {position_before}"
            ));
        }
        let mut lifecycles = Vec::new();
        for run in [&serial_run, &burst_run] {
            lifecycles.extend(engine_cost(&bench, run).await);
        }
        let failures = bench.failures.lock().unwrap().clone();
        let text = report(Report {
            serial: &serial_run,
            burst: &burst_run,
            requested: (serial, burst),
            closes: &mut closes,
            lifecycles: &lifecycles,
            loads: (load_before, load_average()),
            failures: &failures,
            position: (moved, expected),
        });
        (text, !failures.is_empty())
    });
    common::write_report("intents", &report);
    if failed {
        std::process::exit(1);
    }
}

struct Report<'a> {
    serial: &'a Measured,
    burst: &'a Measured,
    requested: (usize, usize),
    closes: &'a mut Vec<f64>,
    lifecycles: &'a [Lifecycle],
    loads: (String, String),
    failures: &'a [String],
    position: (Decimal, Decimal),
}
