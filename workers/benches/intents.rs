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
#[path = "../tests/support/mod.rs"]
mod support;

use accounts::{Account, poll};
use alloy::{
    network::TransactionBuilder,
    primitives::{Address, U256},
    providers::Provider,
};
use blocks::{Block, Stage, seconds};
use common::engine::{self, Cost, Lifecycle};
use hedgeflow_activities::{
    intent::{contract::IntentBook, quotes::decode},
    store::Store,
};
use hedgeflow_exchange::{ClientOrderId, FuturesClient, OrderStatus};
use hedgeflow_proto::intent::{HedgerState, IntentRecord, IntentRef};
use hedgeflow_proto::workflows::IntentWorkflow;
use hedgeflow_workflows::intent::CONFIRMATIONS;
use intent_book::{Book, Events};
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

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
        .max(1)
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
    let serial = env_or("HEDGEFLOW_BENCH_INTENTS_SERIAL", 20);
    let burst = env_or("HEDGEFLOW_BENCH_INTENTS_BURST", 50);
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

const STAGES: [&str; 4] = [
    "`SendQuote` mined → `lockQuote` mined",
    "`lockQuote` mined → broker filled",
    "broker filled → `openPosition` mined",
    "**`SendQuote` mined → `openPosition` mined**",
];

/// The latency table of one run, and its block times.
fn run_section(run: &Measured) -> String {
    let p = |values: Vec<f64>| {
        let mut values = values;
        if values.is_empty() {
            return (f64::NAN, f64::NAN);
        }
        common::p50_p99(&mut values)
    };
    // The chain's least in blocks: 1 + CONFIRMATIONS × allocations before the lock (a range
    // when quotes differ), the lock's further confirmations, at most 1 after the fill.
    let (fewest, most) = (
        run.allocations.iter().min().copied().unwrap_or(0) as u64,
        run.allocations.iter().max().copied().unwrap_or(0) as u64,
    );
    let blocks_of = |extra: u64| {
        let (low, high) = (fewest * CONFIRMATIONS + extra, most * CONFIRMATIONS + extra);
        if low == high {
            low.to_string()
        } else {
            format!("{low}–{high}")
        }
    };
    let least = [
        blocks_of(1),
        (CONFIRMATIONS - 1).to_string(),
        "≤ 1".to_owned(),
        format!("{} + ≤ 1", blocks_of(CONFIRMATIONS)),
    ];
    let stages: Vec<Stage> = STAGES
        .iter()
        .zip(least)
        .enumerate()
        .map(|(stage, (name, blocks))| Stage {
            name: (*name).to_owned(),
            blocks,
            took: run.stages.iter().map(|s| s.took[stage]).collect(),
            chain: run.stages.iter().map(|s| s.chain[stage]).collect(),
        })
        .collect();
    let (stamped50, stamped99) = p(run.stages.iter().map(|s| s.stamped).collect());
    let (lost50, lost99) = p(run.stages.iter().map(|s| s.blocks_lost).collect());
    let (seen, stamped) = blocks::mean_interval(&run.blocks);
    let fullest = run
        .blocks
        .iter()
        .map(|b| b.gas_used as f64 / b.gas_limit.max(1) as f64)
        .fold(0.0, f64::max);
    let allocated = run.allocations.iter().filter(|a| **a > 0).count();
    format!(
        "### {name}: {n} quotes\n\n\
         {table}\n\
         Blocks during the run ({count}, from the first `SendQuote` to the last `openPosition`): \
         mean interval {seen:.3} s by first-seen time, {stamped:.3} s by timestamp (configured: \
         {BLOCK_TIME:.0} s); the fullest used {full:.0} % of its gas limit. `SendQuote` → \
         `openPosition` by block timestamps: p50 {stamped50:.0} s, p99 {stamped99:.0} s; blocks \
         beyond the chain's least: p50 {lost50:.0}, p99 {lost99:.0}. {allocated} of the {n} \
         quotes needed an `allocateForPartyB` before the lock.\n",
        name = run.name,
        n = run.stages.len(),
        table = blocks::stage_table(&stages),
        count = run.blocks.len(),
        full = fullest * 100.0,
    )
}

fn report(r: Report) -> String {
    let (serial, burst) = r.requested;
    let (close50, close99) = if r.closes.is_empty() {
        (f64::NAN, f64::NAN)
    } else {
        common::p50_p99(r.closes)
    };
    let failures = if r.failures.is_empty() {
        format!(
            "Every quote opened, each hedged by one broker order of its {QUANTITY}; the broker's \
             ETHUSDT position moved by exactly {} over the opens and came back after the closes; \
             every quote then closed on chain and its workflow ended `closed`.",
            r.position.1
        )
    } else {
        let rows: Vec<String> = r.failures.iter().map(|f| format!("- {f}\n")).collect();
        format!(
            "**FAILED** (the bench exits non-zero):\n\n{}",
            rows.concat()
        )
    };
    format!(
        "# Intent hedger benchmark\n\n\
         Measured by `cargo bench -p hedgeflow --bench intents --profile {profile}` \
         (`HEDGEFLOW_BENCH_INTENTS_SERIAL={serial}`, `HEDGEFLOW_BENCH_INTENTS_BURST={burst}`) on \
         {cores} cores (load average {load_before} before the stack started, {load_after} after \
         the runs: the machine is shared), one Temporal dev server (SQLite), anvil chains with \
         {BLOCK_TIME:.0} s blocks, every role a separate process (indexer, orchestrator, hot \
         wallet, exchange, paper exchange, price signer). Party A sends MARKET LONG quotes of \
         {QUANTITY} ETHUSDT at 1 % above the broker's mark to the `IntentBook` on l2; the \
         hedger allocates what party B lacks for that party A, locks, buys on the paper \
         exchange's perpetual (IOC) and opens at the broker's price, waiting for {CONFIRMATIONS} \
         confirmations of each of its transactions before the next step.\n\n\
         - serial: one party A, one quote at a time (the next sent once the hedger recorded the \
         last `opened`), after one warm-up quote;\n\
         - burst: one quote from each of {burst} party A accounts, signed beforehand and \
         broadcast at once (one account's quotes would each wait on the one before for party \
         B's allocation).\n\n\
         **How it is timed.** One poller outside every process asks l2 for its head every \
         {poll} ms and reads the book's events of each new block; an on-chain step is when the \
         block holding its event was first seen (block timestamps have a 1 s resolution: shown \
         only as a cross-check). The broker fill is the paper exchange's `updateTime` of the \
         quote's order, found by its client order id (same machine, same clock). With up to 50 \
         quotes in a run, p99 is the slowest.\n\n\
         **The chain's wait and our overhead.** The chain's wait in a stage is what a hedger \
         that reacted in no time would still wait for blocks, from the blocks' own first-seen \
         times: send → lock, to the block `SendQuote` + 1 + {CONFIRMATIONS} × (allocations), \
         since an allocation goes in the next block and waits {CONFIRMATIONS} confirmations, \
         then the lock goes in the next; lock → broker filled, the lock's confirmations \
         ({CONFIRMATIONS} − 1 more blocks); broker filled → open, to the first block after the \
         fill. Our overhead is the stage's time less that: it counts whole blocks where a \
         transaction missed the block it could have made, and the broker leg's own time. Some \
         of the chain's wait is the hedger's policy, not the chain's: an allocation before the \
         lock costs {CONFIRMATIONS} blocks (its own and its confirmation), and waiting for \
         {CONFIRMATIONS} confirmations of the lock before hedging {lock_wait} more; with party \
         B's allocation in place and acting on the first confirmation the least would be 1 \
         block to the lock and at most 1 after the fill.\n\n\
         {serial_section}\n{burst_section}\n\
         Closing every quote at once afterwards (`requestToClosePosition` mined → \
         `fillCloseRequest` mined, {closes} quotes): p50 {close50:.2} s, p99 {close99:.2} s.\n\n\
         {failures}\n\n\
         {engine}",
        profile = if cfg!(debug_assertions) {
            "dev"
        } else {
            "release"
        },
        cores = std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_before = r.loads.0,
        load_after = r.loads.1,
        poll = blocks::POLL.as_millis(),
        lock_wait = CONFIRMATIONS - 1,
        serial_section = run_section(r.serial),
        burst_section = run_section(r.burst),
        closes = r.closes.len(),
        engine = engine::section(r.lifecycles),
    )
}
