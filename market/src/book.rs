//! A local order book: price levels per side, at the exchange's update id.

use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// One price level: price in quote units per base unit, quantity in base units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Level {
    pub price: Decimal,
    pub quantity: Decimal,
}

/// A side of the book.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Bids,
    Asks,
}

/// Levels keyed by price. Quantities are absolute, as the exchange reports them; a level with
/// quantity zero does not exist.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrderBook {
    bids: BTreeMap<Decimal, Decimal>,
    asks: BTreeMap<Decimal, Decimal>,
    update_id: u64,
}

impl OrderBook {
    /// A book set to a snapshot's levels, at the snapshot's update id.
    pub fn new(update_id: u64, bids: &[Level], asks: &[Level]) -> Self {
        let mut book = Self {
            update_id,
            ..Self::default()
        };
        book.set(Side::Bids, bids);
        book.set(Side::Asks, asks);
        book
    }

    /// Sets the quantity of each level (zero removes it) and moves the book to `update_id`.
    pub fn apply(&mut self, update_id: u64, bids: &[Level], asks: &[Level]) {
        self.set(Side::Bids, bids);
        self.set(Side::Asks, asks);
        self.update_id = update_id;
    }

    fn set(&mut self, side: Side, levels: &[Level]) {
        let map = match side {
            Side::Bids => &mut self.bids,
            Side::Asks => &mut self.asks,
        };
        for level in levels {
            if level.quantity.is_zero() {
                map.remove(&level.price);
            } else {
                map.insert(level.price, level.quantity);
            }
        }
    }

    /// The exchange's update id this book reflects.
    pub fn update_id(&self) -> u64 {
        self.update_id
    }

    /// The levels of one side, best first (highest bid, lowest ask).
    pub fn levels(&self, side: Side) -> Box<dyn Iterator<Item = Level> + '_> {
        let level = |(price, quantity): (&Decimal, &Decimal)| Level {
            price: *price,
            quantity: *quantity,
        };
        match side {
            Side::Bids => Box::new(self.bids.iter().rev().map(level)),
            Side::Asks => Box::new(self.asks.iter().map(level)),
        }
    }

    /// The best level of a side, if the side has any.
    pub fn best(&self, side: Side) -> Option<Level> {
        self.levels(side).next()
    }

    /// The best `n` levels of a side.
    pub fn top(&self, side: Side, n: usize) -> Vec<Level> {
        self.levels(side).take(n).collect()
    }

    /// The best levels of a side whose quantities add up to at least `quantity`, and whether
    /// they do (false when the whole side holds less).
    pub fn covering(&self, side: Side, quantity: Decimal) -> (Vec<Level>, bool) {
        let mut levels = Vec::new();
        let mut total = Decimal::ZERO;
        for level in self.levels(side) {
            if total >= quantity {
                break;
            }
            total += level.quantity;
            levels.push(level);
        }
        (levels, total >= quantity)
    }

    /// The mid price, when both sides have a level.
    pub fn mid(&self) -> Option<Decimal> {
        let (bid, ask) = (self.best(Side::Bids)?, self.best(Side::Asks)?);
        Some((bid.price + ask.price) / Decimal::TWO)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn level(price: Decimal, quantity: Decimal) -> Level {
        Level { price, quantity }
    }

    #[test]
    fn levels_are_best_first_and_zero_removes() {
        let mut book = OrderBook::new(
            10,
            &[level(dec!(99), dec!(1)), level(dec!(100), dec!(2))],
            &[level(dec!(102), dec!(1)), level(dec!(101), dec!(3))],
        );
        assert_eq!(book.best(Side::Bids), Some(level(dec!(100), dec!(2))));
        assert_eq!(book.best(Side::Asks), Some(level(dec!(101), dec!(3))));
        assert_eq!(book.mid(), Some(dec!(100.5)));

        book.apply(
            11,
            &[level(dec!(100), dec!(0))],
            &[level(dec!(101), dec!(0.5))],
        );
        assert_eq!(book.update_id(), 11);
        assert_eq!(book.best(Side::Bids), Some(level(dec!(99), dec!(1))));
        assert_eq!(book.best(Side::Asks), Some(level(dec!(101), dec!(0.5))));
    }

    #[test]
    fn covering_stops_at_the_quantity() {
        let book = OrderBook::new(
            1,
            &[],
            &[
                level(dec!(101), dec!(1)),
                level(dec!(102), dec!(1)),
                level(dec!(103), dec!(1)),
            ],
        );
        let (levels, covered) = book.covering(Side::Asks, dec!(1.5));
        assert_eq!(levels.len(), 2);
        assert!(covered);
        let (levels, covered) = book.covering(Side::Asks, dec!(4));
        assert_eq!(levels.len(), 3);
        assert!(!covered);
        assert_eq!(book.covering(Side::Bids, dec!(1)), (vec![], false));
    }
}
