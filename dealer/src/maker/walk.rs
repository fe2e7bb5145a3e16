//! Walking one side of a book: how much of the other asset a given size really costs.
//!
//! A side is a slice of [`Level`]s best first (asks for buying base, bids for selling base). The
//! walk fills from the best level outwards and reports the base filled, the quote exchanged and
//! the worst price touched. Fees are not applied here (see [`super::hedge_cost`]).

use rust_decimal::Decimal;

use super::book::Level;

/// The result of a walk, in human units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fill {
    /// Base units filled.
    pub base: Decimal,
    /// Quote units exchanged for them (before fees).
    pub quote: Decimal,
    /// The last (worst) level price touched.
    pub worst_price: Decimal,
}

impl Fill {
    /// Quote per base over the whole fill.
    pub fn average_price(&self) -> Decimal {
        self.quote / self.base
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WalkError {
    /// The side holds less than requested; `available` is in the requested denomination.
    #[error("book too thin: requested {requested}, only {available} available")]
    InsufficientDepth {
        requested: Decimal,
        available: Decimal,
    },
    #[error("walk size must be positive, got {0}")]
    NonPositive(Decimal),
}

/// Fills exactly `base` units from `levels`.
pub fn walk_base(levels: &[Level], base: Decimal) -> Result<Fill, WalkError> {
    walk(levels, base, |l| l.qty, |l, take| (take, take * l.price))
}

/// Exchanges exactly `quote` units against `levels` (spends them when walking asks, raises them
/// when walking bids). A partial last level is divided at Decimal's 28-digit precision; callers
/// round the resulting base in the dealer's favour.
pub fn walk_quote(levels: &[Level], quote: Decimal) -> Result<Fill, WalkError> {
    walk(
        levels,
        quote,
        |l| l.qty * l.price,
        |l, take| (take / l.price, take),
    )
}

/// The shared loop: `capacity` is a level's size in the walked denomination, `split` turns a
/// taken amount of that denomination into `(base, quote)`.
fn walk(
    levels: &[Level],
    size: Decimal,
    capacity: impl Fn(&Level) -> Decimal,
    split: impl Fn(&Level, Decimal) -> (Decimal, Decimal),
) -> Result<Fill, WalkError> {
    if size <= Decimal::ZERO {
        return Err(WalkError::NonPositive(size));
    }
    let mut remaining = size;
    let mut fill = Fill {
        base: Decimal::ZERO,
        quote: Decimal::ZERO,
        worst_price: Decimal::ZERO,
    };
    for level in levels {
        let cap = capacity(level);
        let take = remaining.min(cap);
        let (base, quote) = if take == cap {
            (level.qty, level.qty * level.price)
        } else {
            split(level, take)
        };
        fill.base += base;
        fill.quote += quote;
        fill.worst_price = level.price;
        remaining -= take;
        if remaining.is_zero() {
            return Ok(fill);
        }
    }
    Err(WalkError::InsufficientDepth {
        requested: size,
        available: size - remaining,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maker::testkit::d;

    fn asks() -> Vec<Level> {
        vec![
            Level::new(d("100"), d("1")),
            Level::new(d("101"), d("2")),
            Level::new(d("105"), d("0.5")),
        ]
    }

    #[test]
    fn walk_base_table() {
        // (size, base, quote, worst)
        let cases = [
            ("0.5", "0.5", "50", "100"),
            ("1", "1", "100", "100"),
            ("2", "2", "201", "101"),
            ("3", "3", "302", "101"),
            ("3.5", "3.5", "354.5", "105"),
        ];
        for (size, base, quote, worst) in cases {
            let f = walk_base(&asks(), d(size)).unwrap();
            assert_eq!(
                (f.base, f.quote, f.worst_price),
                (d(base), d(quote), d(worst)),
                "{size}"
            );
        }
    }

    #[test]
    fn walk_quote_table() {
        // (quote budget, base, worst)
        let cases = [
            ("50", "0.5", "100"),
            ("100", "1", "100"),
            ("201", "2", "101"),
            ("150.5", "1.5", "101"),
            ("354.5", "3.5", "105"),
        ];
        for (budget, base, worst) in cases {
            let f = walk_quote(&asks(), d(budget)).unwrap();
            assert_eq!(
                (f.base, f.quote, f.worst_price),
                (d(base), d(budget), d(worst)),
                "{budget}"
            );
        }
    }

    #[test]
    fn average_price_is_quote_over_base() {
        assert_eq!(
            walk_base(&asks(), d("2")).unwrap().average_price(),
            d("100.5")
        );
    }

    #[test]
    fn too_thin_and_non_positive_are_errors() {
        assert_eq!(
            walk_base(&asks(), d("4")),
            Err(WalkError::InsufficientDepth {
                requested: d("4"),
                available: d("3.5")
            })
        );
        assert_eq!(
            walk_quote(&asks(), d("400")),
            Err(WalkError::InsufficientDepth {
                requested: d("400"),
                available: d("354.5")
            })
        );
        assert_eq!(
            walk_base(&asks(), d("0")),
            Err(WalkError::NonPositive(d("0")))
        );
        assert!(matches!(
            walk_base(&[], d("1")),
            Err(WalkError::InsufficientDepth { .. })
        ));
    }
}
