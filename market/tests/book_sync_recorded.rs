//! Binance's local order book procedure over a recorded session: the `ethusdt@depth@100ms`
//! stream and REST depth snapshots taken every 300 ms, captured in arrival order from the paper
//! exchange over real sockets, in Binance's wire format (`tests/data/paper-ethusdt-depth.jsonl`;
//! no real Binance is reachable where this was recorded). Replayed clean and with duplicated,
//! swapped and lost events, the local book must equal every later snapshot taken at its update
//! id, and end live.

#![allow(clippy::too_many_lines, reason = "a test reads as one story")]

use hedgeflow_market::binance::{decode_diff, decode_snapshot};
use hedgeflow_market::book::{OrderBook, Side};
use hedgeflow_market::sync::{BookSync, Diff, Snapshot, SnapshotOutcome};

enum Recorded {
    Event(Diff),
    Snapshot(Snapshot),
}

fn recording() -> Vec<Recorded> {
    include_str!("data/paper-ethusdt-depth.jsonl")
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            if let Some(event) = value.get("event") {
                Recorded::Event(decode_diff(&event.to_string()).unwrap())
            } else {
                Recorded::Snapshot(decode_snapshot(&value["snapshot"].to_string()).unwrap())
            }
        })
        .collect()
}

/// What happens to the event at a position of the recording.
#[derive(Clone, Copy, PartialEq)]
enum Fault {
    Duplicate,
    /// Delivered after the next event.
    Late,
    Lost,
}

/// Replays the recording with `fault_at(event index)`; takes the next recorded snapshot
/// whenever the sync asks for one; returns (snapshots compared, resyncs).
fn replay(fault_at: impl Fn(usize) -> Option<Fault>) -> (usize, usize) {
    let mut sync = BookSync::default();
    let (mut compared, mut synced) = (0, 0);
    let mut late: Option<Diff> = None;
    let mut index = 0;
    for record in recording() {
        match record {
            Recorded::Event(diff) => {
                let mut deliveries = match fault_at(index) {
                    None => vec![diff],
                    Some(Fault::Duplicate) => vec![diff.clone(), diff],
                    Some(Fault::Lost) => vec![],
                    Some(Fault::Late) => {
                        late = Some(diff);
                        vec![]
                    }
                };
                if fault_at(index) != Some(Fault::Late) {
                    deliveries.extend(late.take());
                }
                for diff in deliveries {
                    sync.on_diff(diff);
                }
                index += 1;
            }
            Recorded::Snapshot(snapshot) => match sync.book() {
                Some(book) if book.update_id() == snapshot.update_id => {
                    let exchange =
                        OrderBook::new(snapshot.update_id, &snapshot.bids, &snapshot.asks);
                    for side in [Side::Bids, Side::Asks] {
                        assert!(
                            book.levels(side).eq(exchange.levels(side)),
                            "{side:?} differ at update {}",
                            snapshot.update_id
                        );
                    }
                    compared += 1;
                }
                Some(_) => {}
                None => {
                    if let SnapshotOutcome::Synced { .. } = sync.on_snapshot(snapshot) {
                        synced += 1;
                    }
                }
            },
        }
    }
    assert!(sync.book().is_some(), "the book must end live");
    (compared, synced)
}

#[test]
fn the_recorded_session_replays_into_the_exchanges_book() {
    let (compared, synced) = replay(|_| None);
    assert_eq!(synced, 1);
    assert!(compared >= 20, "only {compared} snapshots compared");
}

#[test]
fn duplicated_events_change_nothing() {
    let (compared, synced) = replay(|i| (i % 3 == 0).then_some(Fault::Duplicate));
    assert_eq!(synced, 1);
    assert!(compared >= 20, "only {compared} snapshots compared");
}

#[test]
fn a_late_or_lost_event_is_a_gap_and_the_book_resyncs() {
    for fault in [Fault::Late, Fault::Lost] {
        let (compared, synced) = replay(|i| (i == 10).then_some(fault));
        assert!(synced >= 2, "no resync after the gap");
        assert!(compared >= 15, "only {compared} snapshots compared");
    }
}
