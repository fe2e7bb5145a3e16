//! The published depth of one symbol: the book as clients see it, its update id, and the diffs
//! the depth streams send.
//!
//! One counter per symbol, incremented once per change of the published book. A snapshot's
//! `lastUpdateId` is the counter at that moment; a diff event covers the changes with ids `U`
//! to `u` and carries each changed level's final absolute quantity ("0" removes it). Snapshots
//! and diffs are taken under the same lock, so Binance's local order book procedure rebuilds
//! the book exactly.

use crate::engine::book::Ladder;
use rust_decimal::Decimal;

/// The two update speeds of the diff depth stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Speed {
    /// `<symbol>@depth@100ms`
    Fast,
    /// `<symbol>@depth` (every second)
    Slow,
}

/// Changes not yet sent on one stream speed.
#[derive(Debug, Default)]
struct Pending {
    first_update_id: Option<u64>,
    bids: Ladder,
    asks: Ladder,
}

/// A diff depth event's content.
#[derive(Clone, Debug, PartialEq)]
pub struct Diff {
    pub first_update_id: u64,
    pub final_update_id: u64,
    /// Best first.
    pub bids: Vec<(Decimal, Decimal)>,
    /// Best first.
    pub asks: Vec<(Decimal, Decimal)>,
}

/// A depth snapshot (`GET /api/v3/depth`).
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    pub last_update_id: u64,
    /// Best first.
    pub bids: Vec<(Decimal, Decimal)>,
    /// Best first.
    pub asks: Vec<(Decimal, Decimal)>,
}

/// The published book and its update id.
#[derive(Debug, Default)]
pub struct Depth {
    bids: Ladder,
    asks: Ladder,
    update_id: u64,
    fast: Pending,
    slow: Pending,
}

impl Depth {
    /// Publishes the book's new state; a change takes the next update id.
    pub fn publish(&mut self, bids: Ladder, asks: Ladder) {
        let bid_changes = changes(&self.bids, &bids);
        let ask_changes = changes(&self.asks, &asks);
        if bid_changes.is_empty() && ask_changes.is_empty() {
            return;
        }
        self.update_id += 1;
        for pending in [&mut self.fast, &mut self.slow] {
            pending.first_update_id.get_or_insert(self.update_id);
            pending.bids.extend(bid_changes.iter().copied());
            pending.asks.extend(ask_changes.iter().copied());
        }
        self.bids = bids;
        self.asks = asks;
    }

    pub fn snapshot(&self, limit: usize) -> Snapshot {
        Snapshot {
            last_update_id: self.update_id,
            bids: self
                .bids
                .iter()
                .rev()
                .take(limit)
                .map(|(p, q)| (*p, *q))
                .collect(),
            asks: self
                .asks
                .iter()
                .take(limit)
                .map(|(p, q)| (*p, *q))
                .collect(),
        }
    }

    /// The changes since the last drain of this speed, if any.
    pub fn drain(&mut self, speed: Speed) -> Option<Diff> {
        let pending = match speed {
            Speed::Fast => &mut self.fast,
            Speed::Slow => &mut self.slow,
        };
        let first_update_id = pending.first_update_id.take()?;
        let bids = std::mem::take(&mut pending.bids)
            .into_iter()
            .rev()
            .collect();
        let asks = std::mem::take(&mut pending.asks).into_iter().collect();
        Some(Diff {
            first_update_id,
            final_update_id: self.update_id,
            bids,
            asks,
        })
    }
}

/// Levels whose quantity differs between `old` and `new`, with the new quantity (zero: removed).
fn changes(old: &Ladder, new: &Ladder) -> Vec<(Decimal, Decimal)> {
    let removed = old
        .keys()
        .filter(|p| !new.contains_key(*p))
        .map(|p| (*p, Decimal::ZERO));
    let changed = new
        .iter()
        .filter(|(p, q)| old.get(*p) != Some(*q))
        .map(|(p, q)| (*p, *q));
    removed.chain(changed).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ladder(levels: &[(i64, i64)]) -> Ladder {
        levels
            .iter()
            .map(|(p, q)| (Decimal::from(*p), Decimal::from(*q)))
            .collect()
    }

    /// Binance's update procedure, applied to a ladder.
    fn apply(book: &mut Ladder, changes: &[(Decimal, Decimal)]) {
        for (price, qty) in changes {
            if qty.is_zero() {
                book.remove(price);
            } else {
                book.insert(*price, *qty);
            }
        }
    }

    #[test]
    fn diffs_carry_final_quantities_and_consecutive_ids() {
        let mut depth = Depth::default();
        depth.publish(ladder(&[(99, 1), (98, 2)]), ladder(&[(101, 1)]));
        let first = depth.drain(Speed::Fast).unwrap();
        assert_eq!((first.first_update_id, first.final_update_id), (1, 1));

        depth.publish(ladder(&[(99, 1), (98, 2)]), ladder(&[(101, 1)])); // no change, no id
        depth.publish(ladder(&[(99, 3)]), ladder(&[(101, 1)]));
        depth.publish(ladder(&[(99, 4)]), ladder(&[(101, 1), (102, 5)]));
        let second = depth.drain(Speed::Fast).unwrap();
        assert_eq!((second.first_update_id, second.final_update_id), (2, 3));
        assert_eq!(
            second.bids,
            [
                (Decimal::from(99), Decimal::from(4)),
                (Decimal::from(98), Decimal::ZERO)
            ]
        );
        assert_eq!(second.asks, [(Decimal::from(102), Decimal::from(5))]);
        assert!(depth.drain(Speed::Fast).is_none());

        let slow = depth.drain(Speed::Slow).unwrap();
        assert_eq!((slow.first_update_id, slow.final_update_id), (1, 3));
        let (mut bids, mut asks) = (Ladder::new(), Ladder::new());
        apply(&mut bids, &slow.bids);
        apply(&mut asks, &slow.asks);
        let snapshot = depth.snapshot(1000);
        assert_eq!(snapshot.last_update_id, 3);
        assert_eq!(bids.into_iter().rev().collect::<Vec<_>>(), snapshot.bids);
        assert_eq!(asks.into_iter().collect::<Vec<_>>(), snapshot.asks);
    }
}
