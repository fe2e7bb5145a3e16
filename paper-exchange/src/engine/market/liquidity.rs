//! Synthetic liquidity: a ladder of bid and ask levels around a mid price.

use rand::Rng;
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};

use crate::engine::book::{Ladder, floor_to};

/// The shape of one symbol's synthetic book.
#[derive(Clone, Debug)]
pub struct Shape {
    pub tick_size: Decimal,
    pub step_size: Decimal,
    /// Levels per side.
    pub levels: usize,
    /// Mid to best bid/ask, as a fraction of the mid.
    pub half_spread: f64,
    /// Between consecutive levels, as a fraction of the mid (at least one tick is used).
    pub spacing: f64,
    /// Typical base quantity of a level.
    pub level_qty: Decimal,
}

/// Bid and ask ladders around `mid`: prices on the tick grid, strictly apart, never crossed;
/// quantities in whole steps, random around `level_qty` and growing with depth.
pub fn ladders(mid: f64, shape: &Shape, rng: &mut impl Rng) -> (Ladder, Ladder) {
    let tick = shape.tick_size;
    let to_price = |x: f64| Decimal::from_f64(x).unwrap_or(Decimal::ZERO);
    let mut bids = Ladder::new();
    let mut asks = Ladder::new();
    let mut previous_bid: Option<Decimal> = None;
    let mut previous_ask: Option<Decimal> = None;
    for i in 0..shape.levels {
        let offset = shape.half_spread + shape.spacing * i as f64;
        let mut bid = floor_to(to_price(mid * (1.0 - offset)), tick);
        let mut ask = ceil_to(to_price(mid * (1.0 + offset)), tick);
        if let Some(previous) = previous_bid {
            bid = bid.min(previous - tick);
        }
        match previous_ask {
            Some(previous) => ask = ask.max(previous + tick),
            None => ask = ask.max(bid + tick),
        }
        if bid > Decimal::ZERO {
            bids.insert(bid, level_qty(i, shape, rng));
            previous_bid = Some(bid);
        }
        asks.insert(ask, level_qty(i, shape, rng));
        previous_ask = Some(ask);
    }
    (bids, asks)
}

fn level_qty(depth: usize, shape: &Shape, rng: &mut impl Rng) -> Decimal {
    let typical = shape.level_qty.to_f64().unwrap_or(1.0);
    let qty = typical * (1.0 + depth as f64 / shape.levels as f64) * rng.random_range(0.5..1.5);
    let qty = floor_to(
        Decimal::from_f64(qty).unwrap_or(Decimal::ZERO),
        shape.step_size,
    );
    qty.max(shape.step_size)
}

fn ceil_to(value: Decimal, step: Decimal) -> Decimal {
    (value / step).ceil() * step
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn shape(levels: usize) -> Shape {
        Shape {
            tick_size: "0.01".parse().unwrap(),
            step_size: "0.0001".parse().unwrap(),
            levels,
            half_spread: 0.0,
            spacing: 0.000_001, // below one tick: levels must still be one tick apart
            level_qty: "2".parse().unwrap(),
        }
    }

    #[test]
    fn ladders_are_on_the_grid_uncrossed_and_full() {
        let mut rng = StdRng::seed_from_u64(9);
        let shape = shape(40);
        let (bids, asks) = ladders(3000.0, &shape, &mut rng);
        assert_eq!((bids.len(), asks.len()), (40, 40));
        let best_bid = *bids.keys().next_back().unwrap();
        let best_ask = *asks.keys().next().unwrap();
        assert!(best_bid < best_ask);
        for (price, qty) in bids.iter().chain(asks.iter()) {
            assert!((price % shape.tick_size).is_zero(), "{price}");
            assert!(
                (qty % shape.step_size).is_zero() && *qty > Decimal::ZERO,
                "{qty}"
            );
        }
    }

    #[test]
    fn a_low_price_keeps_only_positive_bids() {
        let mut rng = StdRng::seed_from_u64(1);
        let (bids, asks) = ladders(0.05, &shape(10), &mut rng);
        assert!(bids.keys().all(|p| *p > Decimal::ZERO));
        assert!(bids.len() < 10);
        assert_eq!(asks.len(), 10);
    }
}
