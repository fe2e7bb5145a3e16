//! Binance's procedure for keeping a local order book in sync with the diff depth stream
//! ("How to manage a local order book correctly"), as a state machine without I/O: the driver
//! feeds it stream events and REST snapshots, and acts on what it answers.
//!
//! 1. Buffer the stream's events; note the first event's `U`.
//! 2. Fetch a snapshot. If its `lastUpdateId` is below that `U`, fetch again.
//! 3. Drop buffered events with `u <= lastUpdateId`; the book becomes the snapshot.
//! 4. Apply the buffered events, then every new one: ignore an event with `u` at or below the
//!    book's update id (already contained), and treat `U > update id + 1` as a gap: the book is
//!    discarded and the procedure starts again from the beginning.

use crate::book::{Level, OrderBook};

/// One diff depth event: the absolute quantities of the levels that changed between update ids
/// `first` (`U`) and `last` (`u`), inclusive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diff {
    pub first: u64,
    pub last: u64,
    pub bids: Vec<Level>,
    pub asks: Vec<Level>,
}

/// A REST depth snapshot at `update_id` (`lastUpdateId`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub update_id: u64,
    pub bids: Vec<Level>,
    pub asks: Vec<Level>,
}

/// What became of a stream event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffOutcome {
    /// Held until a snapshot arrives.
    Buffered,
    /// The book moved to the event's last update id.
    Applied,
    /// The book already contains it (a duplicate or an event delivered late).
    Ignored,
    /// Updates `expected..first` were missed: the book was discarded and the procedure starts
    /// again (the driver should reconnect the stream and fetch a new snapshot).
    Gap { expected: u64, first: u64 },
}

/// What became of a snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SnapshotOutcome {
    /// No event was buffered yet, so the snapshot cannot be checked; fetch one after the
    /// first event.
    NoEvents,
    /// The snapshot is older than the first buffered event: fetch another.
    TooOld { update_id: u64, first_buffered: u64 },
    /// The book is live at the snapshot plus the buffered events.
    Synced { update_id: u64 },
    /// The buffered events do not continue the snapshot: the procedure starts again.
    Gap { expected: u64, first: u64 },
    /// The book was already live; the snapshot was not used.
    AlreadyLive,
}

#[derive(Debug)]
enum State {
    Buffering(Vec<Diff>),
    Live(OrderBook),
}

/// One book's synchronisation state.
#[derive(Debug)]
pub struct BookSync {
    state: State,
}

impl Default for BookSync {
    fn default() -> Self {
        Self {
            state: State::Buffering(Vec::new()),
        }
    }
}

impl BookSync {
    /// The book, once it is live.
    pub fn book(&self) -> Option<&OrderBook> {
        match &self.state {
            State::Live(book) => Some(book),
            State::Buffering(_) => None,
        }
    }

    /// Whether the book is waiting for a snapshot (events are being buffered).
    pub fn needs_snapshot(&self) -> bool {
        matches!(self.state, State::Buffering(_))
    }

    /// Takes one stream event.
    pub fn on_diff(&mut self, diff: Diff) -> DiffOutcome {
        match &mut self.state {
            State::Buffering(buffer) => {
                buffer.push(diff);
                DiffOutcome::Buffered
            }
            State::Live(book) => {
                let outcome = apply(book, &diff);
                if let DiffOutcome::Gap { .. } = outcome {
                    self.restart();
                }
                outcome
            }
        }
    }

    /// Takes a REST snapshot.
    pub fn on_snapshot(&mut self, snapshot: Snapshot) -> SnapshotOutcome {
        let State::Buffering(buffer) = &mut self.state else {
            return SnapshotOutcome::AlreadyLive;
        };
        let Some(first_buffered) = buffer.first().map(|diff| diff.first) else {
            return SnapshotOutcome::NoEvents;
        };
        if snapshot.update_id < first_buffered {
            return SnapshotOutcome::TooOld {
                update_id: snapshot.update_id,
                first_buffered,
            };
        }
        let buffered = std::mem::take(buffer);
        let mut book = OrderBook::new(snapshot.update_id, &snapshot.bids, &snapshot.asks);
        for diff in buffered
            .iter()
            .filter(|diff| diff.last > snapshot.update_id)
        {
            if let DiffOutcome::Gap { expected, first } = apply(&mut book, diff) {
                self.restart();
                return SnapshotOutcome::Gap { expected, first };
            }
        }
        let update_id = book.update_id();
        self.state = State::Live(book);
        SnapshotOutcome::Synced { update_id }
    }

    /// Discards the book and any buffered events: the procedure starts from the beginning.
    pub fn restart(&mut self) {
        self.state = State::Buffering(Vec::new());
    }
}

/// Binance's update procedure for one event on a live book.
fn apply(book: &mut OrderBook, diff: &Diff) -> DiffOutcome {
    let current = book.update_id();
    if diff.last <= current {
        return DiffOutcome::Ignored;
    }
    if diff.first > current + 1 {
        return DiffOutcome::Gap {
            expected: current + 1,
            first: diff.first,
        };
    }
    book.apply(diff.last, &diff.bids, &diff.asks);
    DiffOutcome::Applied
}
