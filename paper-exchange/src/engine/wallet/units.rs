//! Coin amounts (decimals) and token amounts (integer base units, 10^decimals per coin).

use alloy::primitives::U256;
use rust_decimal::Decimal;

/// `amount` in base units; `None` when it is negative or finer than the token's unit.
pub fn to_base_units(amount: Decimal, decimals: u8) -> Option<U256> {
    let amount = amount.normalize();
    let decimals = u32::from(decimals);
    if amount.is_sign_negative() || amount.scale() > decimals {
        return None;
    }
    let mantissa = u128::try_from(amount.mantissa()).ok()?;
    let scale = U256::from(10u8).pow(U256::from(decimals - amount.scale()));
    U256::from(mantissa).checked_mul(scale)
}

/// `raw` base units as a coin amount; `None` beyond what a decimal holds (about 7.9e28
/// base units).
pub fn from_base_units(raw: U256, decimals: u8) -> Option<Decimal> {
    let raw = i128::try_from(u128::try_from(raw).ok()?).ok()?;
    Decimal::try_from_i128_with_scale(raw, u32::from(decimals))
        .ok()
        .map(|d| d.normalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn amounts_round_trip_through_base_units() {
        assert_eq!(to_base_units(d("1.5"), 6), Some(U256::from(1_500_000)));
        assert_eq!(to_base_units(d("12"), 0), Some(U256::from(12)));
        assert_eq!(to_base_units(d("0.0000001"), 6), None);
        assert_eq!(to_base_units(d("-1"), 6), None);
        let raw = to_base_units(d("123456.12345678"), 18).unwrap();
        assert_eq!(from_base_units(raw, 18), Some(d("123456.12345678")));
        assert_eq!(from_base_units(U256::MAX, 18), None);
    }
}
