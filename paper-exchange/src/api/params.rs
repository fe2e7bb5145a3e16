//! Request parameters as Binance reads them: from the query string and from an
//! `application/x-www-form-urlencoded` body, the query string winning when both send one.

use std::collections::HashMap;

use rust_decimal::Decimal;

use crate::api::error::ApiError;

/// Binance's syntax for decimal parameters.
const DECIMAL_SYNTAX: &str = "^([0-9]{1,20})(\\.[0-9]{1,20})?$";
/// Binance's syntax for integer parameters.
const INTEGER_SYNTAX: &str = "^[0-9]{1,20}$";
/// Decimal places an amount may have (the assets' precision).
const MAX_DECIMALS: usize = 8;

/// The parameters of one request. Empty values count as absent, as Binance treats them.
#[derive(Clone, Debug, Default)]
pub struct Params {
    values: HashMap<String, String>,
}

impl Params {
    /// Parses both sources; a name repeated within one source is rejected (-1101).
    pub fn parse(query: Option<&str>, body: &[u8]) -> Result<Self, ApiError> {
        let from_query = pairs(query.unwrap_or_default().as_bytes())?;
        let mut values = pairs(body)?;
        values.extend(from_query);
        Ok(Params { values })
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// A mandatory parameter (-1102 when missing).
    pub fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.get(name).ok_or_else(|| ApiError::mandatory(name))
    }

    /// An optional decimal: -1100 when it is not one, -1111 when it has more than 8 decimals.
    pub fn decimal(&self, name: &str) -> Result<Option<Decimal>, ApiError> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let (whole, fraction) = value.split_once('.').unwrap_or((value, "0"));
        let digits = |s: &str| (1..=20).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || !digits(fraction) {
            return Err(ApiError::illegal_chars(name, DECIMAL_SYNTAX));
        }
        if fraction.trim_end_matches('0').len() > MAX_DECIMALS {
            return Err(ApiError::bad_precision(name));
        }
        value
            .parse::<Decimal>()
            .map(|d| Some(d.normalize()))
            .map_err(|_| ApiError::illegal_chars(name, DECIMAL_SYNTAX))
    }

    /// An optional non-negative integer (-1100 when it is not one).
    pub fn integer(&self, name: &str) -> Result<Option<u64>, ApiError> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let well_formed =
            (1..=20).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit());
        match value.parse() {
            Ok(n) if well_formed => Ok(Some(n)),
            _ => Err(ApiError::illegal_chars(name, INTEGER_SYNTAX)),
        }
    }
}

fn pairs(source: &[u8]) -> Result<HashMap<String, String>, ApiError> {
    let mut values = HashMap::new();
    for (name, value) in form_urlencoded::parse(source) {
        if values
            .insert(name.into_owned(), value.into_owned())
            .is_some()
        {
            return Err(ApiError::duplicate_param());
        }
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_string_wins_over_the_body() {
        let params =
            Params::parse(Some("symbol=ETHUSDT&side=BUY"), b"side=SELL&quantity=1").unwrap();
        assert_eq!(params.get("side"), Some("BUY"));
        assert_eq!(params.get("quantity"), Some("1"));
        assert_eq!(Params::parse(Some("a=1&a=2"), b"").unwrap_err().code, -1101);
    }

    #[test]
    fn decimals_follow_binance_syntax_and_precision() {
        let params = Params::parse(
            Some("a=0.10&b=1e5&c=0.123456789&d=&e=-1&f=3.100000000"),
            b"",
        )
        .unwrap();
        assert_eq!(params.decimal("a").unwrap(), Some("0.1".parse().unwrap()));
        assert_eq!(params.decimal("b").unwrap_err().code, -1100);
        assert_eq!(params.decimal("c").unwrap_err().code, -1111);
        assert_eq!(params.decimal("d").unwrap(), None);
        assert_eq!(params.decimal("e").unwrap_err().code, -1100);
        assert_eq!(params.decimal("f").unwrap(), Some("3.1".parse().unwrap()));
        assert_eq!(params.required("d").unwrap_err().code, -1102);
    }

    #[test]
    fn integers_are_digits_only() {
        let params = Params::parse(Some("a=5000&b=5.5&c=99999999999999999999"), b"").unwrap();
        assert_eq!(params.integer("a").unwrap(), Some(5000));
        assert_eq!(params.integer("b").unwrap_err().code, -1100);
        assert_eq!(params.integer("c").unwrap_err().code, -1100);
    }
}
