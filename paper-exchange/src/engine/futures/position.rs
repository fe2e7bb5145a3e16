//! One-way mode positions: a signed amount, a volume-weighted entry price, and the profit a
//! reducing fill realizes.

use rust_decimal::Decimal;

/// A position in one symbol; `amt` is positive long, negative short.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Position {
    pub amt: Decimal,
    /// Volume-weighted price of the open amount; zero when flat.
    pub entry: Decimal,
    pub update_time: u64,
}

impl Position {
    /// Applies a fill of `qty` (positive buys, negative sells) at `price` and returns the
    /// profit it realizes. Increasing averages the entry price; reducing realizes the closed
    /// part against the entry; flipping opens the rest at `price`.
    pub fn apply(&mut self, qty: Decimal, price: Decimal, now: u64) -> Decimal {
        self.update_time = now;
        let same_direction =
            self.amt.is_zero() || self.amt.is_sign_positive() == qty.is_sign_positive();
        if same_direction {
            let amt = self.amt + qty;
            self.entry = (self.amt.abs() * self.entry + qty.abs() * price) / amt.abs();
            self.amt = amt;
            return Decimal::ZERO;
        }
        let closed = qty.abs().min(self.amt.abs());
        let direction = if self.amt.is_sign_positive() {
            Decimal::ONE
        } else {
            -Decimal::ONE
        };
        let realized = closed * (price - self.entry) * direction;
        self.amt += qty;
        if self.amt.is_zero() {
            self.entry = Decimal::ZERO;
        } else if self.amt.is_sign_positive() != direction.is_sign_positive() {
            // flipped: what is left was opened by this fill
            self.entry = price;
        }
        realized
    }

    /// Profit (negative: loss) of the open amount at `mark`.
    pub fn unrealized(&self, mark: Decimal) -> Decimal {
        self.amt * (mark - self.entry)
    }

    /// How much of an order on the side `buy` would reduce this position.
    pub fn reducible(&self, buy: bool) -> Decimal {
        let opposite = if buy {
            self.amt.is_sign_negative()
        } else {
            self.amt.is_sign_positive()
        };
        if opposite {
            self.amt.abs()
        } else {
            Decimal::ZERO
        }
    }

    /// The mark price at which `wallet` (the cross wallet balance) falls to the maintenance
    /// margin of this position alone: wallet + amt·(p − entry) = mmr·|amt|·p. Zero when flat
    /// or when no positive price liquidates it.
    pub fn liquidation_price(&self, wallet: Decimal, maintenance_rate: Decimal) -> Decimal {
        let denominator = self.amt - maintenance_rate * self.amt.abs();
        if self.amt.is_zero() || denominator.is_zero() {
            return Decimal::ZERO;
        }
        ((self.amt * self.entry - wallet) / denominator).max(Decimal::ZERO)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn open_increase_reduce_flip_and_close() {
        let mut position = Position::default();
        assert_eq!(position.apply(d("1"), d("100"), 1), Decimal::ZERO);
        assert_eq!(position.apply(d("3"), d("104"), 2), Decimal::ZERO);
        assert_eq!((position.amt, position.entry), (d("4"), d("103")));
        assert_eq!(position.unrealized(d("105")), d("8"));
        // sell 1 at 110: realizes 7
        assert_eq!(position.apply(d("-1"), d("110"), 3), d("7"));
        assert_eq!((position.amt, position.entry), (d("3"), d("103")));
        // sell 5 at 100: closes 3 (−9) and opens 2 short at 100
        assert_eq!(position.apply(d("-5"), d("100"), 4), d("-9"));
        assert_eq!((position.amt, position.entry), (d("-2"), d("100")));
        assert_eq!(position.reducible(true), d("2"));
        assert_eq!(position.reducible(false), Decimal::ZERO);
        // buy back at 90: a short gains 20
        assert_eq!(position.apply(d("2"), d("90"), 5), d("20"));
        assert_eq!(
            position,
            Position {
                amt: Decimal::ZERO,
                entry: Decimal::ZERO,
                update_time: 5
            }
        );
    }

    #[test]
    fn liquidation_price_of_a_lone_cross_position() {
        let long = Position {
            amt: d("1"),
            entry: d("100"),
            update_time: 0,
        };
        // 1 + (p − 100) = 0.004 p → p = 99 / 0.996
        assert_eq!(
            long.liquidation_price(d("1"), d("0.004")),
            d("99") / d("0.996")
        );
        let short = Position {
            amt: d("-1"),
            entry: d("100"),
            update_time: 0,
        };
        assert_eq!(
            short.liquidation_price(d("10"), d("0.004")),
            d("110") / d("1.004")
        );
        assert_eq!(long.liquidation_price(d("1000"), d("0.004")), Decimal::ZERO);
    }
}
