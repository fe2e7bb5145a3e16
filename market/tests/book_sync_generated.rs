//! Binance's local order book procedure against a generated exchange: a book changing one level
//! per update id, its diff events (several updates each, like `@depth@100ms`) delivered with
//! duplicates, swaps (out of order) and losses (gaps), and snapshots taken at any update id,
//! including inside an event's range. After every applied event the local book must equal the
//! exchange's book at the same update id, and after a clean tail it must be live again.

#![allow(clippy::too_many_lines, reason = "a test reads as one story")]

use hedgeflow_market::book::{Level, OrderBook, Side};
use hedgeflow_market::sync::{BookSync, Diff, DiffOutcome, Snapshot, SnapshotOutcome};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// A small deterministic generator (the test's own, so a failing seed replays exactly).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The exchange: the truth after every update id, and the events it emitted.
struct Exchange {
    bids: BTreeMap<Decimal, Decimal>,
    asks: BTreeMap<Decimal, Decimal>,
    update_id: u64,
    /// The book after each update id, for snapshots and comparisons.
    history: BTreeMap<u64, OrderBook>,
}

impl Exchange {
    fn new(rng: &mut Rng) -> Self {
        let mut exchange = Self {
            bids: BTreeMap::new(),
            asks: BTreeMap::new(),
            update_id: 1_000,
            history: BTreeMap::new(),
        };
        for _ in 0..20 {
            exchange.change(rng);
        }
        exchange
    }

    fn book(&self) -> OrderBook {
        let levels = |map: &BTreeMap<Decimal, Decimal>| {
            map.iter()
                .map(|(price, quantity)| Level {
                    price: *price,
                    quantity: *quantity,
                })
                .collect::<Vec<_>>()
        };
        OrderBook::new(self.update_id, &levels(&self.bids), &levels(&self.asks))
    }

    /// One update id: one level set to a new quantity or removed. Bids sit below 100, asks
    /// above, so the generated book never crosses.
    fn change(&mut self, rng: &mut Rng) -> (Side, Level) {
        let side = if rng.below(2) == 0 {
            Side::Bids
        } else {
            Side::Asks
        };
        let ticks = Decimal::from(1 + rng.below(30));
        let (map, price) = match side {
            Side::Bids => (&mut self.bids, Decimal::from(100) - ticks / Decimal::TEN),
            Side::Asks => (&mut self.asks, Decimal::from(100) + ticks / Decimal::TEN),
        };
        let quantity = if rng.below(4) == 0 {
            Decimal::ZERO
        } else {
            Decimal::new(1 + rng.below(5_000) as i64, 3)
        };
        if quantity.is_zero() {
            map.remove(&price);
        } else {
            map.insert(price, quantity);
        }
        self.update_id += 1;
        self.history.insert(self.update_id, self.book());
        (side, Level { price, quantity })
    }

    /// One stream event covering 1 to 6 update ids; a level changed twice appears once, with
    /// its final quantity, as on Binance.
    fn event(&mut self, rng: &mut Rng) -> Diff {
        let first = self.update_id + 1;
        let mut bids = BTreeMap::new();
        let mut asks = BTreeMap::new();
        for _ in 0..1 + rng.below(6) {
            let (side, level) = self.change(rng);
            match side {
                Side::Bids => bids.insert(level.price, level.quantity),
                Side::Asks => asks.insert(level.price, level.quantity),
            };
        }
        let levels = |map: BTreeMap<Decimal, Decimal>| {
            map.into_iter()
                .map(|(price, quantity)| Level { price, quantity })
                .collect()
        };
        Diff {
            first,
            last: self.update_id,
            bids: levels(bids),
            asks: levels(asks),
        }
    }

    fn snapshot_at(&self, update_id: u64) -> Snapshot {
        let book = &self.history[&update_id];
        Snapshot {
            update_id,
            bids: book.levels(Side::Bids).collect(),
            asks: book.levels(Side::Asks).collect(),
        }
    }
}

/// A fault applied to the delivery of the stream.
#[derive(Clone, Copy, Debug)]
enum Fault {
    None,
    Duplicate,
    Swap,
    Drop,
}

/// The driver: delivers events in order with the faults, fetches a snapshot whenever the sync
/// asks for one (at an update id between the last delivered event's first id and the newest
/// one, as a REST call racing the stream would see), and checks the book after every step.
/// Returns how many times the book went live.
fn drive(seed: u64, faults: &[Fault]) -> usize {
    let mut rng = Rng(seed | 1);
    let mut exchange = Exchange::new(&mut rng);
    let mut sync = BookSync::default();
    let mut syncs = 0;
    let mut pending: Option<Diff> = None;

    let mut deliver = |sync: &mut BookSync, exchange: &Exchange, diff: Diff, rng: &mut Rng| {
        let first = diff.first;
        match sync.on_diff(diff) {
            DiffOutcome::Applied => {
                let book = sync.book().expect("applied means live");
                assert_eq!(book, &exchange.history[&book.update_id()]);
            }
            DiffOutcome::Ignored => assert!(sync.book().is_some()),
            DiffOutcome::Buffered | DiffOutcome::Gap { .. } => {}
        }
        if sync.needs_snapshot() {
            // A snapshot taken somewhere between this event and now; an older one must be
            // refused and fetched again.
            let newest = exchange.update_id;
            let oldest = first
                .saturating_sub(3)
                .max(*exchange.history.keys().next().unwrap());
            let at = oldest + rng.below(newest - oldest + 1);
            let mut outcome = sync.on_snapshot(exchange.snapshot_at(at));
            if let SnapshotOutcome::TooOld { .. } = outcome {
                outcome = sync.on_snapshot(exchange.snapshot_at(newest));
            }
            match outcome {
                SnapshotOutcome::Synced { update_id } => {
                    syncs += 1;
                    assert_eq!(sync.book().unwrap(), &exchange.history[&update_id]);
                }
                SnapshotOutcome::Gap { .. } | SnapshotOutcome::NoEvents => {}
                other => panic!("unexpected {other:?}"),
            }
        }
    };

    for fault in faults
        .iter()
        .copied()
        .chain(std::iter::repeat_n(Fault::None, 12))
    {
        let diff = exchange.event(&mut rng);
        match fault {
            Fault::None => deliver(&mut sync, &exchange, diff, &mut rng),
            Fault::Duplicate => {
                deliver(&mut sync, &exchange, diff.clone(), &mut rng);
                deliver(&mut sync, &exchange, diff, &mut rng);
            }
            Fault::Swap => {
                // Held back and delivered after the next event.
                if let Some(held) = pending.replace(diff) {
                    deliver(&mut sync, &exchange, held, &mut rng);
                }
                continue;
            }
            Fault::Drop => continue,
        }
        if let Some(held) = pending.take() {
            deliver(&mut sync, &exchange, held, &mut rng);
        }
    }
    // After a clean tail the book is live and equals the exchange's at its update id.
    let book = sync.book().expect("live after a clean tail");
    assert_eq!(book, &exchange.history[&book.update_id()]);
    syncs
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        6 => Just(Fault::None),
        1 => Just(Fault::Duplicate),
        1 => Just(Fault::Swap),
        1 => Just(Fault::Drop),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn local_book_follows_the_exchange_through_faults(
        seed in any::<u64>(),
        faults in prop::collection::vec(fault(), 0..80),
    ) {
        drive(seed, &faults);
    }
}

#[test]
fn a_clean_stream_syncs_once() {
    assert_eq!(drive(7, &[Fault::None; 60]), 1);
}

#[test]
fn duplicates_are_ignored_without_a_resync() {
    assert_eq!(drive(11, &[Fault::Duplicate; 40]), 1);
}

#[test]
fn a_lost_event_forces_a_resync() {
    let mut faults = vec![Fault::None; 20];
    faults.push(Fault::Drop);
    faults.extend([Fault::None; 5]);
    assert_eq!(drive(13, &faults), 2);
}

#[test]
fn an_event_delivered_early_forces_a_resync() {
    let mut faults = vec![Fault::None; 20];
    faults.push(Fault::Swap);
    faults.extend([Fault::None; 5]);
    // The early event reveals the gap; the late one may be refused with a stale snapshot or
    // resync once more: either way the book is correct at the end (checked by `drive`).
    assert!(drive(17, &faults) >= 2);
}

#[test]
fn a_snapshot_before_the_first_event_is_refused() {
    let mut rng = Rng(3);
    let mut exchange = Exchange::new(&mut rng);
    let old = exchange.snapshot_at(exchange.update_id);
    let mut sync = BookSync::default();
    assert_eq!(sync.on_snapshot(old.clone()), SnapshotOutcome::NoEvents);
    exchange.event(&mut rng);
    let diff = exchange.event(&mut rng);
    let first = diff.first;
    assert_eq!(sync.on_diff(diff), DiffOutcome::Buffered);
    assert_eq!(
        sync.on_snapshot(old.clone()),
        SnapshotOutcome::TooOld {
            update_id: old.update_id,
            first_buffered: first
        }
    );
    let fresh = exchange.snapshot_at(exchange.update_id);
    assert_eq!(
        sync.on_snapshot(fresh),
        SnapshotOutcome::Synced {
            update_id: exchange.update_id
        }
    );
    assert_eq!(sync.on_snapshot(old), SnapshotOutcome::AlreadyLive);
}
