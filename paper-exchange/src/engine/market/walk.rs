//! The mid price's random walk: geometric Brownian motion without drift, one step per tick.

use rand::Rng;

/// Seconds in a year, the unit of annualised volatility.
const YEAR_SECONDS: f64 = 365.0 * 24.0 * 3600.0;

/// A mid price moving by a lognormal step each tick.
#[derive(Clone, Debug)]
pub struct RandomWalk {
    mid: f64,
    sigma_per_tick: f64,
}

impl RandomWalk {
    /// `volatility` is annualised (0.8 is 80 %), `tick_seconds` the time one step stands for.
    pub fn new(initial: f64, volatility: f64, tick_seconds: f64) -> Self {
        RandomWalk {
            mid: initial,
            sigma_per_tick: volatility * (tick_seconds / YEAR_SECONDS).sqrt(),
        }
    }

    pub fn mid(&self) -> f64 {
        self.mid
    }

    /// Moves the mid one tick and returns it. The `-σ²/2` term keeps the expected price flat.
    pub fn step(&mut self, rng: &mut impl Rng) -> f64 {
        let sigma = self.sigma_per_tick;
        self.mid *= (sigma * standard_normal(rng) - sigma * sigma / 2.0).exp();
        self.mid
    }
}

/// A standard normal sample (Box–Muller), so the walk needs no distribution crate.
fn standard_normal(rng: &mut impl Rng) -> f64 {
    // 1 - u keeps the logarithm's argument in (0, 1]
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn the_same_seed_gives_the_same_path() {
        let path = |seed| {
            let mut rng = StdRng::seed_from_u64(seed);
            let mut walk = RandomWalk::new(3000.0, 0.8, 0.1);
            (0..100).map(|_| walk.step(&mut rng)).collect::<Vec<_>>()
        };
        assert_eq!(path(1), path(1));
        assert_ne!(path(1), path(2));
    }

    #[test]
    fn steps_scale_with_volatility() {
        // per-step log returns over many steps: their spread tracks sigma_per_tick
        let mut rng = StdRng::seed_from_u64(3);
        let tick = 1.0;
        let mut walk = RandomWalk::new(100.0, 2.0, tick);
        let mut previous = walk.mid();
        let returns: Vec<f64> = (0..20_000)
            .map(|_| {
                let next = walk.step(&mut rng);
                let r = (next / previous).ln();
                previous = next;
                r
            })
            .collect();
        let mean = returns.iter().sum::<f64>() / returns.len() as f64;
        let var = returns.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / returns.len() as f64;
        let expected = 2.0 * (tick / YEAR_SECONDS).sqrt();
        assert!(
            (var.sqrt() / expected - 1.0).abs() < 0.05,
            "{} vs {}",
            var.sqrt(),
            expected
        );
    }
}
