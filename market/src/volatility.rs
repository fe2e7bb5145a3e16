//! The market watcher's short-term volatility: the standard deviation of the mid price's log
//! returns over a sliding window of samples taken at a fixed interval, scaled to one second so
//! the maker can widen a quote by `σ·√ttl`.

use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use std::collections::VecDeque;
use std::time::Duration;

/// Mid samples of one book, oldest first.
#[derive(Clone, Debug)]
pub struct Volatility {
    interval: Duration,
    capacity: usize,
    mids: VecDeque<f64>,
}

/// A volatility estimate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Standard deviation of log returns per second, as a fraction (0.0001 is 1 bp).
    pub per_second: Decimal,
    /// Returns it was computed from.
    pub samples: u32,
}

impl Volatility {
    /// Keeps `window / interval` returns, sampled every `interval`.
    pub fn new(interval: Duration, window: Duration) -> Self {
        let returns = (window.as_secs_f64() / interval.as_secs_f64())
            .ceil()
            .max(1.0) as usize;
        Self {
            interval,
            capacity: returns + 1,
            mids: VecDeque::with_capacity(returns + 1),
        }
    }

    /// Records the mid at the next sampling instant. A missing mid (unusable book) breaks the
    /// series: returns across the hole would mix unrelated prices.
    pub fn sample(&mut self, mid: Option<Decimal>) {
        match mid.and_then(|mid| mid.to_f64()).filter(|mid| *mid > 0.0) {
            Some(mid) => {
                if self.mids.len() == self.capacity {
                    self.mids.pop_front();
                }
                self.mids.push_back(mid);
            }
            None => self.mids.clear(),
        }
    }

    /// The estimate from the samples held; zero with fewer than two returns.
    pub fn estimate(&self) -> Estimate {
        let returns: Vec<f64> = self
            .mids
            .iter()
            .zip(self.mids.iter().skip(1))
            .map(|(a, b)| (b / a).ln())
            .collect();
        if returns.len() < 2 {
            return Estimate {
                per_second: Decimal::ZERO,
                samples: returns.len() as u32,
            };
        }
        let n = returns.len() as f64;
        let mean = returns.iter().sum::<f64>() / n;
        let variance = returns.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let per_second = variance.sqrt() / self.interval.as_secs_f64().sqrt();
        Estimate {
            per_second: Decimal::from_f64(per_second)
                .unwrap_or_default()
                .round_dp(12),
            samples: returns.len() as u32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn a_flat_price_has_no_volatility() {
        let mut vol = Volatility::new(Duration::from_secs(1), Duration::from_secs(10));
        for _ in 0..5 {
            vol.sample(Some(dec!(100)));
        }
        assert_eq!(vol.estimate().per_second, Decimal::ZERO);
        assert_eq!(vol.estimate().samples, 4);
    }

    #[test]
    fn alternating_returns_give_their_deviation_scaled_to_a_second() {
        // Mids 100, 101, 100, 101, ...: returns ±ln(1.01), sample std ≈ 0.00995·√(n/(n−1)).
        let mut vol = Volatility::new(Duration::from_millis(250), Duration::from_secs(60));
        for i in 0..41 {
            vol.sample(Some(if i % 2 == 0 { dec!(100) } else { dec!(101) }));
        }
        let estimate = vol.estimate();
        let r = (1.01f64).ln();
        let expected = r * (40.0f64 / 39.0).sqrt() / 0.25f64.sqrt();
        let got = estimate.per_second.to_f64().unwrap();
        assert!((got - expected).abs() < 1e-9, "{got} vs {expected}");
        assert_eq!(estimate.samples, 40);
    }

    #[test]
    fn the_window_slides_and_a_hole_resets() {
        let mut vol = Volatility::new(Duration::from_secs(1), Duration::from_secs(3));
        for mid in [
            dec!(100),
            dec!(150),
            dec!(100),
            dec!(100),
            dec!(100),
            dec!(100),
        ] {
            vol.sample(Some(mid));
        }
        // Only the last three returns (all flat) remain.
        assert_eq!(vol.estimate().per_second, Decimal::ZERO);
        assert_eq!(vol.estimate().samples, 3);
        vol.sample(None);
        assert_eq!(vol.estimate().samples, 0);
    }
}
