//! Conversions between on-chain base units ([`U256`]) and the maker's human units
//! ([`Decimal`]), exact or refused, with the rounding direction explicit at each call.

use alloy::primitives::U256;
use rust_decimal::{Decimal, RoundingStrategy};

/// `units / 10^decimals` exactly, or `None` if it does not fit a [`Decimal`] (96-bit mantissa)
/// or `decimals` exceeds 28.
pub fn to_human(units: U256, decimals: u32) -> Option<Decimal> {
    let units = i128::try_from(units).ok()?;
    Decimal::try_from_i128_with_scale(units, decimals).ok()
}

/// `amount × 10^decimals`, rounded down (what a taker receives), or `None` if negative.
pub fn to_base_units_down(amount: Decimal, decimals: u32) -> Option<U256> {
    to_base_units(amount, decimals, RoundingStrategy::ToNegativeInfinity)
}

/// `amount × 10^decimals`, rounded up (what a taker pays), or `None` if negative.
pub fn to_base_units_up(amount: Decimal, decimals: u32) -> Option<U256> {
    to_base_units(amount, decimals, RoundingStrategy::ToPositiveInfinity)
}

fn to_base_units(amount: Decimal, decimals: u32, strategy: RoundingStrategy) -> Option<U256> {
    let rounded = amount.round_dp_with_strategy(decimals, strategy);
    if rounded.is_sign_negative() && !rounded.is_zero() {
        return None;
    }
    let mantissa = U256::from(rounded.mantissa().unsigned_abs());
    // After rounding the scale is at most `decimals`.
    let shift = decimals.checked_sub(rounded.scale())?;
    mantissa.checked_mul(U256::from(10u64).checked_pow(U256::from(shift))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn conversion_table() {
        // (human, decimals, down, up)
        let cases = [
            ("1.5", 6, 1_500_000u128, 1_500_000u128),
            ("1.2345674", 6, 1_234_567, 1_234_568),
            ("0.0000001", 6, 0, 1),
            ("3000", 0, 3000, 3000),
            (
                "2",
                18,
                2_000_000_000_000_000_000,
                2_000_000_000_000_000_000,
            ),
        ];
        for (human, decimals, down, up) in cases {
            assert_eq!(
                to_base_units_down(d(human), decimals),
                Some(U256::from(down)),
                "{human}"
            );
            assert_eq!(
                to_base_units_up(d(human), decimals),
                Some(U256::from(up)),
                "{human}"
            );
        }
        assert_eq!(to_base_units_down(d("-1"), 6), None);
        assert_eq!(to_human(U256::from(1_500_000u64), 6), Some(d("1.5")));
        assert_eq!(
            to_human(U256::from(1u64), 18),
            Some(d("0.000000000000000001"))
        );
        assert_eq!(to_human(U256::MAX, 18), None);
        assert_eq!(to_human(U256::from(u128::MAX), 18), None);
    }
}
