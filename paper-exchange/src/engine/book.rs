//! One symbol's order book: synthetic liquidity and users' resting orders per price level, and
//! how takers and a moving synthetic market execute against it.
//!
//! Within a level, users' resting orders come first (in time order), then the synthetic
//! quantity: the synthetic market is re-posted every tick, so it is always the newest.

use std::collections::{BTreeMap, VecDeque};

use rust_decimal::Decimal;

use crate::engine::orders::Side;

/// Price → quantity, as published in depth snapshots and diffs.
pub type Ladder = BTreeMap<Decimal, Decimal>;

/// Who is on the passive side of an execution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Maker {
    Synthetic,
    Order(u64),
}

/// One planned execution of a taker against the book.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Take {
    pub price: Decimal,
    pub qty: Decimal,
    pub maker: Maker,
}

/// How much a taker wants.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Want {
    /// A base-asset quantity.
    Base(Decimal),
    /// A quote-asset amount to spend or receive (`quoteOrderQty`), in whole `step`s of base.
    Quote { amount: Decimal, step: Decimal },
}

/// A resting order executed by the synthetic market moving through its price.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cross {
    pub order_id: u64,
    pub price: Decimal,
    pub qty: Decimal,
}

#[derive(Debug, Default)]
struct Resting {
    order_id: u64,
    remaining: Decimal,
}

#[derive(Debug, Default)]
struct Level {
    resting: VecDeque<Resting>,
    synthetic: Decimal,
}

impl Level {
    fn total(&self) -> Decimal {
        self.synthetic + self.resting.iter().map(|r| r.remaining).sum::<Decimal>()
    }

    fn is_empty(&self) -> bool {
        self.synthetic.is_zero() && self.resting.is_empty()
    }
}

/// Bids and asks of one symbol.
#[derive(Debug, Default)]
pub struct Book {
    bids: BTreeMap<Decimal, Level>,
    asks: BTreeMap<Decimal, Level>,
}

impl Book {
    /// Replaces the synthetic liquidity of both sides, keeping resting orders.
    pub fn set_synthetic(&mut self, bids: &Ladder, asks: &Ladder) {
        for (levels, ladder) in [(&mut self.bids, bids), (&mut self.asks, asks)] {
            levels
                .values_mut()
                .for_each(|level| level.synthetic = Decimal::ZERO);
            for (price, qty) in ladder {
                levels.entry(*price).or_default().synthetic = *qty;
            }
            levels.retain(|_, level| !level.is_empty());
        }
    }

    /// The book as published: total quantity per price.
    pub fn ladder(&self, side: Side) -> Ladder {
        self.side(side)
            .iter()
            .map(|(price, level)| (*price, level.total()))
            .collect()
    }

    /// Executions a `taker` order would get, best price first, without changing the book.
    /// `limit` bounds the prices it accepts (none for market orders).
    pub fn plan(&self, taker: Side, limit: Option<Decimal>, want: Want) -> Vec<Take> {
        let levels: Box<dyn Iterator<Item = (&Decimal, &Level)>> = match taker {
            Side::Buy => Box::new(self.asks.iter()),
            Side::Sell => Box::new(self.bids.iter().rev()),
        };
        let mut left = match want {
            Want::Base(qty) => qty,
            Want::Quote { amount, .. } => amount,
        };
        let mut takes = Vec::new();
        for (&price, level) in levels {
            let beyond_limit = limit.is_some_and(|limit| match taker {
                Side::Buy => price > limit,
                Side::Sell => price < limit,
            });
            if beyond_limit {
                break;
            }
            let makers = level
                .resting
                .iter()
                .map(|r| (Maker::Order(r.order_id), r.remaining))
                .chain(std::iter::once((Maker::Synthetic, level.synthetic)));
            for (maker, available) in makers {
                let wanted = match want {
                    Want::Base(_) => left,
                    Want::Quote { step, .. } => floor_to(left / price, step),
                };
                let qty = available.min(wanted);
                if qty.is_zero() {
                    continue;
                }
                takes.push(Take { price, qty, maker });
                left -= match want {
                    Want::Base(_) => qty,
                    Want::Quote { .. } => qty * price,
                };
            }
            let exhausted = match want {
                Want::Base(_) => left.is_zero(),
                Want::Quote { step, .. } => floor_to(left / price, step).is_zero(),
            };
            if exhausted {
                break;
            }
        }
        takes
    }

    /// Removes the quantities of planned takes (from [`Book::plan`] for the same `taker` side).
    pub fn apply(&mut self, taker: Side, takes: &[Take]) {
        let levels = match taker {
            Side::Buy => &mut self.asks,
            Side::Sell => &mut self.bids,
        };
        for take in takes {
            let Some(level) = levels.get_mut(&take.price) else {
                continue;
            };
            match take.maker {
                Maker::Synthetic => level.synthetic -= take.qty,
                Maker::Order(id) => {
                    if let Some(resting) = level.resting.iter_mut().find(|r| r.order_id == id) {
                        resting.remaining -= take.qty;
                    }
                    level.resting.retain(|r| !r.remaining.is_zero());
                }
            }
            if level.is_empty() {
                levels.remove(&take.price);
            }
        }
    }

    /// Puts the unfilled rest of an order on the book, behind the orders already at its price.
    pub fn rest(&mut self, side: Side, price: Decimal, order_id: u64, qty: Decimal) {
        let level = self.side_mut(side).entry(price).or_default();
        level.resting.push_back(Resting {
            order_id,
            remaining: qty,
        });
    }

    /// Takes a resting order off the book; returns its unfilled quantity if it was there.
    pub fn remove(&mut self, side: Side, price: Decimal, order_id: u64) -> Option<Decimal> {
        let levels = self.side_mut(side);
        let level = levels.get_mut(&price)?;
        let index = level.resting.iter().position(|r| r.order_id == order_id)?;
        let removed = level.resting.remove(index).map(|r| r.remaining);
        if level.is_empty() {
            levels.remove(&price);
        }
        removed
    }

    /// Executes resting orders that the synthetic market now crosses (a bid at or above a
    /// synthetic ask, an ask at or below a synthetic bid), at the resting order's price, and
    /// consumes the synthetic quantity they trade with. Leaves the book uncrossed.
    pub fn cross_resting(&mut self) -> Vec<Cross> {
        let mut crosses = Vec::new();
        for side in [Side::Buy, Side::Sell] {
            let prices: Vec<Decimal> = match side {
                Side::Buy => self.bids.keys().rev().copied().collect(),
                Side::Sell => self.asks.keys().copied().collect(),
            };
            for price in prices {
                self.cross_level(side, price, &mut crosses);
            }
        }
        crosses
    }

    fn cross_level(&mut self, side: Side, price: Decimal, crosses: &mut Vec<Cross>) {
        let (own, other) = match side {
            Side::Buy => (&mut self.bids, &mut self.asks),
            Side::Sell => (&mut self.asks, &mut self.bids),
        };
        let Some(level) = own.get_mut(&price) else {
            return;
        };
        while let Some(resting) = level.resting.front_mut() {
            let crossing = match side {
                Side::Buy => other
                    .range_mut(..=price)
                    .find(|(_, l)| !l.synthetic.is_zero()),
                Side::Sell => other
                    .range_mut(price..)
                    .rev()
                    .find(|(_, l)| !l.synthetic.is_zero()),
            };
            let Some((&other_price, other_level)) = crossing else {
                break;
            };
            let qty = resting.remaining.min(other_level.synthetic);
            other_level.synthetic -= qty;
            if other_level.is_empty() {
                other.remove(&other_price);
            }
            resting.remaining -= qty;
            crosses.push(Cross {
                order_id: resting.order_id,
                price,
                qty,
            });
            if resting.remaining.is_zero() {
                level.resting.pop_front();
            }
        }
        if level.is_empty() {
            own.remove(&price);
        }
    }

    fn side(&self, side: Side) -> &BTreeMap<Decimal, Level> {
        match side {
            Side::Buy => &self.bids,
            Side::Sell => &self.asks,
        }
    }

    fn side_mut(&mut self, side: Side) -> &mut BTreeMap<Decimal, Level> {
        match side {
            Side::Buy => &mut self.bids,
            Side::Sell => &mut self.asks,
        }
    }
}

/// Rounds `value` down to a whole number of `step`s.
pub fn floor_to(value: Decimal, step: Decimal) -> Decimal {
    (value / step).floor() * step
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn ladder(levels: &[(&str, &str)]) -> Ladder {
        levels.iter().map(|(p, q)| (d(p), d(q))).collect()
    }

    fn book() -> Book {
        let mut book = Book::default();
        book.set_synthetic(
            &ladder(&[("99", "1"), ("98", "2")]),
            &ladder(&[("101", "1"), ("102", "2"), ("103", "3")]),
        );
        book
    }

    #[test]
    fn a_taker_walks_levels_up_to_its_limit() {
        let book = book();
        let takes = book.plan(Side::Buy, Some(d("102")), Want::Base(d("5")));
        let got: Vec<_> = takes.iter().map(|t| (t.price, t.qty)).collect();
        assert_eq!(got, [(d("101"), d("1")), (d("102"), d("2"))]);
        let market = book.plan(Side::Sell, None, Want::Base(d("2.5")));
        let got: Vec<_> = market.iter().map(|t| (t.price, t.qty)).collect();
        assert_eq!(got, [(d("99"), d("1")), (d("98"), d("1.5"))]);
    }

    #[test]
    fn a_quote_amount_buys_whole_steps() {
        let book = book();
        let takes = book.plan(
            Side::Buy,
            None,
            Want::Quote {
                amount: d("152"),
                step: d("0.1"),
            },
        );
        let got: Vec<_> = takes.iter().map(|t| (t.price, t.qty)).collect();
        // 101 for 1, then 51 buys 0.5 at 102 (0.1 more would cost 10.2 > 0)
        assert_eq!(got, [(d("101"), d("1")), (d("102"), d("0.5"))]);
    }

    #[test]
    fn resting_orders_come_before_synthetic_quantity_and_apply_removes_them() {
        let mut book = book();
        book.rest(Side::Sell, d("101"), 7, d("0.5"));
        assert_eq!(book.ladder(Side::Sell)[&d("101")], d("1.5"));
        let takes = book.plan(Side::Buy, Some(d("101")), Want::Base(d("1")));
        assert_eq!(
            takes[0],
            Take {
                price: d("101"),
                qty: d("0.5"),
                maker: Maker::Order(7)
            }
        );
        assert_eq!(
            takes[1],
            Take {
                price: d("101"),
                qty: d("0.5"),
                maker: Maker::Synthetic
            }
        );
        book.apply(Side::Buy, &takes);
        assert_eq!(book.ladder(Side::Sell)[&d("101")], d("0.5"));
        assert_eq!(book.remove(Side::Sell, d("101"), 7), None);
    }

    #[test]
    fn a_moving_market_fills_crossed_resting_orders_at_their_price() {
        let mut book = book();
        book.rest(Side::Buy, d("100"), 1, d("4"));
        // the market falls: asks now at 99.5 and 100.5
        book.set_synthetic(
            &ladder(&[("98", "1")]),
            &ladder(&[("99.5", "1"), ("100.5", "2")]),
        );
        let crosses = book.cross_resting();
        assert_eq!(
            crosses,
            [Cross {
                order_id: 1,
                price: d("100"),
                qty: d("1")
            }]
        );
        let asks = book.ladder(Side::Sell);
        assert!(!asks.contains_key(&d("99.5")));
        assert_eq!(book.ladder(Side::Buy)[&d("100")], d("3"));
        assert_eq!(book.remove(Side::Buy, d("100"), 1), Some(d("3")));
        assert!(!book.ladder(Side::Buy).contains_key(&d("100")));
    }
}
