//! Strict positional parameters: the request's `params` Array, read slot by slot, with the
//! parsers for the spec's encodings (addresses, base-unit amounts, UUIDs, hex bytes).
//!
//! A slot holding `null` counts as omitted. Named parameters (an Object) and more slots than the
//! method takes are refused with -32602. Values are borrowed from the request text where
//! possible; nothing here allocates on the success path except the slot list.

use super::error::{INVALID_PARAMS, RpcError};
use alloy::primitives::{Address, Bytes, U256};
use jsonrpsee::types::Params;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use uuid::Uuid;

/// The positional parameters of one call.
pub(crate) struct Positional<'a> {
    slots: Vec<&'a RawValue>,
}

/// A JSON String, borrowed unless it had escapes.
#[derive(Deserialize)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

impl<'a> Positional<'a> {
    /// Read `params` as an Array of at most `max` slots (absent params = empty Array).
    pub(crate) fn new(params: &'a Params<'_>, max: usize) -> Result<Self, RpcError> {
        let Some(text) = params.as_str() else {
            return Ok(Self { slots: Vec::new() });
        };
        let slots: Vec<&RawValue> = serde_json::from_str(text).map_err(|_| {
            RpcError::invalid_params("params must be an Array (positional parameters)")
        })?;
        if slots.len() > max {
            return Err(RpcError::invalid_params(format!(
                "too many params: expected at most {max}, got {}",
                slots.len()
            )));
        }
        Ok(Self { slots })
    }

    /// The raw slot, `None` when omitted or `null`.
    pub(crate) fn raw(&self, index: usize) -> Option<&'a RawValue> {
        self.slots.get(index).copied().filter(|v| v.get() != "null")
    }

    /// A String slot.
    pub(crate) fn str(&self, index: usize, name: &str) -> Result<Option<Cow<'a, str>>, RpcError> {
        self.typed::<Text<'a>>(index, name, "a String")
            .map(|t| t.map(|t| t.0))
    }

    /// An integer Number slot that fits `T` (floats, negatives for unsigned, exponents refused).
    pub(crate) fn integer<T: Deserialize<'a>>(
        &self,
        index: usize,
        name: &str,
    ) -> Result<Option<T>, RpcError> {
        self.typed(index, name, "a non-negative integer Number")
    }

    /// A Boolean slot.
    pub(crate) fn bool(&self, index: usize, name: &str) -> Result<Option<bool>, RpcError> {
        self.typed(index, name, "a Boolean")
    }

    /// An Object slot, checked for shape only (its content is not used).
    pub(crate) fn object(&self, index: usize, name: &str) -> Result<(), RpcError> {
        match self.raw(index) {
            Some(raw) if !raw.get().starts_with('{') => Err(wrong_type(index, name, "an Object")),
            _ => Ok(()),
        }
    }

    /// An address slot: `Ok(None)` when omitted, `Err(code)` when not an address.
    pub(crate) fn address(
        &self,
        index: usize,
        name: &str,
        code: i32,
    ) -> Result<Option<Address>, RpcError> {
        match self.str(index, name)? {
            None => Ok(None),
            Some(text) => parse_address(&text).map(Some).ok_or_else(|| {
                RpcError::new(
                    code,
                    format!("{name} is not a 0x-prefixed 20-byte hex address"),
                )
            }),
        }
    }

    /// A base-unit amount slot (decimal String).
    pub(crate) fn amount(&self, index: usize, name: &str) -> Result<Option<U256>, RpcError> {
        match self.str(index, name)? {
            None => Ok(None),
            Some(text) => parse_amount(&text).map(Some).map_err(|e| {
                RpcError::invalid_params(match e {
                    AmountError::Malformed => {
                        format!(
                            "{name} must be a base-10 unsigned integer String without leading zeros"
                        )
                    }
                    AmountError::TooLarge => format!("{name} exceeds uint256"),
                })
            }),
        }
    }

    fn typed<T: Deserialize<'a>>(
        &self,
        index: usize,
        name: &str,
        expected: &str,
    ) -> Result<Option<T>, RpcError> {
        match self.raw(index) {
            None => Ok(None),
            Some(raw) => serde_json::from_str(raw.get())
                .map(Some)
                .map_err(|_| wrong_type(index, name, expected)),
        }
    }
}

fn wrong_type(index: usize, name: &str, expected: &str) -> RpcError {
    RpcError::new(
        INVALID_PARAMS,
        format!("param {index} ({name}) must be {expected}"),
    )
}

/// A required slot that was omitted.
pub(crate) fn missing(index: usize, name: &str, code: i32) -> RpcError {
    RpcError::new(code, format!("param {index} ({name}) is required"))
}

/// `0x` and 40 hex digits, either case (checksums are not verified: the spec's addresses are
/// lowercase, and a mixed-case input is read as the same address).
pub fn parse_address(text: &str) -> Option<Address> {
    let hex = text.strip_prefix("0x")?;
    if hex.len() != 40 {
        return None;
    }
    let mut out = [0u8; 20];
    decode_hex(hex, &mut out)?;
    Some(Address::from(out))
}

/// Why a text is not a base-unit amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountError {
    /// Not `0` or a digit string without a leading zero (signs, spaces, decimals, hex, exponents
    /// and the empty string are all refused).
    Malformed,
    /// More than 2^256 - 1.
    TooLarge,
}

/// A canonical base-10 unsigned integer that fits in 256 bits.
pub fn parse_amount(text: &str) -> Result<U256, AmountError> {
    let bytes = text.as_bytes();
    let canonical = !bytes.is_empty()
        && bytes.iter().all(u8::is_ascii_digit)
        && (bytes[0] != b'0' || bytes.len() == 1);
    if !canonical {
        return Err(AmountError::Malformed);
    }
    // 2^256 has 78 digits: anything longer cannot fit, and refusing it early bounds the work.
    if bytes.len() > 78 {
        return Err(AmountError::TooLarge);
    }
    U256::from_str_radix(text, 10).map_err(|_| AmountError::TooLarge)
}

/// A hyphenated, version 4 UUID (the spec's `UUID` schema).
pub fn parse_uuid_v4(text: &str) -> Option<Uuid> {
    if text.len() != 36 {
        return None;
    }
    Uuid::try_parse(text)
        .ok()
        .filter(|u| u.get_version_num() == 4)
}

/// `0x`-prefixed hex bytes, either case, an even number of digits (`0x` alone is empty).
pub fn parse_hex_bytes(text: &str) -> Option<Bytes> {
    let hex = text.strip_prefix("0x")?;
    if hex.len() % 2 != 0 {
        return None;
    }
    let mut out = vec![0u8; hex.len() / 2];
    decode_hex(hex, &mut out)?;
    Some(Bytes::from(out))
}

fn decode_hex(hex: &str, out: &mut [u8]) -> Option<()> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    for (byte, pair) in out.iter_mut().zip(hex.as_bytes().chunks_exact(2)) {
        *byte = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        let lower = "0xcefc94f1c0a0be7ad47c7fd961197738fc233459";
        let mixed = "0xCEFC94f1c0a0be7ad47c7fd961197738fc233459";
        assert_eq!(parse_address(lower), parse_address(mixed));
        assert!(parse_address(lower).is_some());
        for bad in [
            "",
            "0x",
            "cefc94f1c0a0be7ad47c7fd961197738fc233459",
            "0Xcefc94f1c0a0be7ad47c7fd961197738fc233459",
            "0xcefc94f1c0a0be7ad47c7fd961197738fc23345",
            "0xcefc94f1c0a0be7ad47c7fd961197738fc2334590",
            "0xgefc94f1c0a0be7ad47c7fd961197738fc233459",
            "WETH",
        ] {
            assert_eq!(parse_address(bad), None, "{bad}");
        }
    }

    #[test]
    fn amounts() {
        assert_eq!(parse_amount("0"), Ok(U256::ZERO));
        assert_eq!(
            parse_amount("1435000000000000000"),
            Ok(U256::from(1_435_000_000_000_000_000u64))
        );
        assert_eq!(parse_amount(&U256::MAX.to_string()), Ok(U256::MAX));
        // 2^256 exactly, and 79+ digits
        let two_256 =
            "115792089237316195423570985008687907853269984665640564039457584007913129639936";
        assert_eq!(parse_amount(two_256), Err(AmountError::TooLarge));
        assert_eq!(parse_amount(&"9".repeat(500)), Err(AmountError::TooLarge));
        for bad in [
            "", "-1", "+1", "1.0", "1e18", "0x10", " 1", "1 ", "01", "1_000", "١",
        ] {
            assert_eq!(parse_amount(bad), Err(AmountError::Malformed), "{bad}");
        }
    }

    #[test]
    fn uuids() {
        assert!(parse_uuid_v4("bafa9565-598d-413a-80d3-7ec3b7e24a08").is_some());
        assert!(parse_uuid_v4("BAFA9565-598D-413A-80D3-7EC3B7E24A08").is_some());
        for bad in [
            "bafa9565598d413a80d37ec3b7e24a08",
            "{bafa9565-598d-413a-80d3-7ec3b7e24a08}",
            "bafa9565-598d-113a-80d3-7ec3b7e24a08",
            "not-a-uuid",
        ] {
            assert!(parse_uuid_v4(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn hex_bytes() {
        assert_eq!(parse_hex_bytes("0x").unwrap().len(), 0);
        assert_eq!(parse_hex_bytes("0xABcd").unwrap().as_ref(), &[0xab, 0xcd]);
        assert!(parse_hex_bytes("0xabc").is_none());
        assert!(parse_hex_bytes("abcd").is_none());
        assert!(parse_hex_bytes("0xzz").is_none());
    }
}
