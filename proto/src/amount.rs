//! Base-unit token amounts.

use alloy::primitives::U256;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::{fmt, str::FromStr};

/// An amount in a token's base units (wei for ETH, 10^-6 for a 6-decimal token).
///
/// Serialized as a decimal string (`"1500000"`), never as hex or a JSON number, so workflow
/// histories read naturally and no precision is lost in JSON tooling.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(pub U256);

impl Amount {
    pub const ZERO: Self = Self(U256::ZERO);

    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }

    /// Parses a human amount with up to `decimals` fractional digits (`"1.5"` with 6 decimals is
    /// `1500000`). Rejects signs, exponents, empty strings and excess precision rather than
    /// rounding, because a silently rounded payment is worse than a refused one.
    pub fn parse_units(text: &str, decimals: u8) -> Result<Self, AmountError> {
        let text = text.trim();
        let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
        let digits_ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() && frac.is_empty() || !digits_ok(whole) || !digits_ok(frac) {
            return Err(AmountError::Malformed(text.to_owned()));
        }
        if frac.len() > decimals as usize {
            return Err(AmountError::TooPrecise {
                text: text.to_owned(),
                decimals,
            });
        }
        let scaled = format!("{whole}{frac:0<width$}", width = decimals as usize);
        let value = U256::from_str_radix(scaled.trim_start_matches('0').max("0"), 10)
            .map_err(|_| AmountError::Overflow(text.to_owned()))?;
        Ok(Self(value))
    }

    /// Formats base units as a human amount with `decimals` fractional digits, trailing zeros
    /// trimmed (`1500000` with 6 decimals is `"1.5"`).
    pub fn format_units(&self, decimals: u8) -> String {
        let digits = self.0.to_string();
        let decimals = decimals as usize;
        let padded = format!("{digits:0>width$}", width = decimals + 1);
        let (whole, frac) = padded.split_at(padded.len() - decimals);
        let frac = frac.trim_end_matches('0');
        if frac.is_empty() {
            whole.to_owned()
        } else {
            format!("{whole}.{frac}")
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AmountError {
    #[error("amount {0:?} is not a decimal number")]
    Malformed(String),
    #[error("amount {text:?} has more than {decimals} decimal places")]
    TooPrecise { text: String, decimals: u8 },
    #[error("amount {0:?} does not fit in 256 bits")]
    Overflow(String),
}

impl From<U256> for Amount {
    fn from(value: U256) -> Self {
        Self(value)
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for Amount {
    type Err = AmountError;
    /// Base units, decimal.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_units(s, 0)
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_format_units() {
        let cases = [
            ("1.5", 6, Some(1_500_000u64), "1.5"),
            ("0.000001", 6, Some(1), "0.000001"),
            ("42", 0, Some(42), "42"),
            ("007", 2, Some(700), "7"),
            (".5", 1, Some(5), "0.5"),
            ("5.", 1, Some(50), "5"),
            ("0", 18, Some(0), "0"),
            ("1.2345678", 6, None, ""),
            ("-1", 6, None, ""),
            ("1e6", 6, None, ""),
            ("", 6, None, ""),
            (".", 6, None, ""),
            ("1,5", 6, None, ""),
        ];
        for (text, decimals, expected, formatted) in cases {
            let parsed = Amount::parse_units(text, decimals);
            match expected {
                Some(units) => {
                    let amount = parsed.unwrap_or_else(|e| panic!("{text}: {e}"));
                    assert_eq!(amount.0, U256::from(units), "{text}");
                    assert_eq!(amount.format_units(decimals), formatted, "{text}");
                }
                None => assert!(parsed.is_err(), "{text} should be refused"),
            }
        }
    }

    #[test]
    fn overflow_is_refused() {
        let huge = "1".repeat(80);
        assert!(matches!(
            Amount::parse_units(&huge, 0),
            Err(AmountError::Overflow(_))
        ));
    }

    #[test]
    fn serializes_as_decimal_string() {
        let amount = Amount(U256::from(10u64).pow(U256::from(20u64)));
        let json = serde_json::to_string(&amount).unwrap();
        assert_eq!(json, "\"100000000000000000000\"");
        assert_eq!(serde_json::from_str::<Amount>(&json).unwrap(), amount);
        assert!(serde_json::from_str::<Amount>("\"0x10\"").is_err());
    }
}
