//! The synthetic market of one symbol: a random-walk mid price and the liquidity quoted
//! around it, refreshed every tick.
//!
//! - [`walk`]: the mid price's random walk.
//! - [`liquidity`]: the bid and ask ladders around a mid.

pub mod liquidity;
pub mod walk;

use rand::SeedableRng;
use rand::rngs::StdRng;
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};

use crate::config::SymbolConfig;
use crate::engine::book::Ladder;
use liquidity::Shape;
use walk::RandomWalk;

/// One symbol's synthetic market, deterministic for a given seed.
#[derive(Debug)]
pub struct SyntheticMarket {
    walk: RandomWalk,
    shape: Shape,
    rng: StdRng,
}

impl SyntheticMarket {
    pub fn new(config: &SymbolConfig, tick_seconds: f64, seed: u64) -> Self {
        SyntheticMarket {
            walk: RandomWalk::new(
                config.initial_price.to_f64().unwrap_or(1.0),
                config.volatility,
                tick_seconds,
            ),
            shape: Shape {
                tick_size: config.tick_size,
                step_size: config.step_size,
                levels: config.levels,
                half_spread: config.half_spread_bps / 10_000.0,
                spacing: config.level_spacing_bps / 10_000.0,
                level_qty: config.level_qty,
            },
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// The current mid, on the tick grid.
    pub fn mid(&self) -> Decimal {
        let mid = Decimal::from_f64(self.walk.mid()).unwrap_or(Decimal::ZERO);
        crate::engine::book::floor_to(mid, self.shape.tick_size).max(self.shape.tick_size)
    }

    /// The ladders at the current mid, without moving it (the book before the first tick).
    pub fn quote(&mut self) -> (Ladder, Ladder) {
        liquidity::ladders(self.walk.mid(), &self.shape, &mut self.rng)
    }

    /// Moves the mid one tick and quotes fresh ladders around it.
    pub fn tick(&mut self) -> (Ladder, Ladder) {
        self.walk.step(&mut self.rng);
        self.quote()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn a_seed_makes_the_market_deterministic() {
        let config = Config::default();
        let run = |seed| {
            let mut market = SyntheticMarket::new(&config.symbols[0], 0.1, seed);
            (0..50).map(|_| market.tick()).last().unwrap()
        };
        assert_eq!(run(5), run(5));
        assert_ne!(run(5), run(6));
    }
}
