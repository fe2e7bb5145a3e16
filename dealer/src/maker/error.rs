//! Why the maker refuses to quote, and the Dealer JSON-RPC v1.0 code for each reason.
//!
//! `Display` is the message shown to the taker: it names public facts only (the market's
//! published min/max size) and never our balances, caps, books or prices. The fields carry the
//! details for logs and the quote record (`Debug`).

use rust_decimal::Decimal;

use super::book::BookError;

/// JSON-RPC `-42009`: unsupported market.
pub const UNSUPPORTED_MARKET: i32 = -42009;
/// JSON-RPC `-42011`: quote too large (market maximum or dealer balance).
pub const QUOTE_TOO_LARGE: i32 = -42011;
/// JSON-RPC `-42012`: quote too small.
pub const QUOTE_TOO_SMALL: i32 = -42012;
/// JSON-RPC `-42013`: quote unavailable at this time.
pub const QUOTE_UNAVAILABLE: i32 = -42013;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MakerError {
    #[error("unsupported market")]
    UnknownMarket { market: String },

    /// Below the market's minimum, or so small that an amount rounds to zero.
    #[error("quote too small: the minimum size is {min} {asset}")]
    TooSmall { min: Decimal, asset: String },

    #[error("quote too large: the maximum size is {max} {asset}")]
    TooLarge { max: Decimal, asset: String },

    /// We could not deliver this amount from the hot wallet after honouring every outstanding
    /// quote (`available` is the balance net of pending exposure).
    #[error("quote too large for the dealer's available balance")]
    InsufficientBalance {
        asset: String,
        needed: Decimal,
        available: Decimal,
    },

    /// Outstanding unexpired quotes plus this one would exceed our exposure cap for the asset we
    /// deliver. `-42013` rather than `-42011`: the condition is ours and transient (it clears as
    /// quotes expire or fill), not a property of the taker's size against the market's limits.
    #[error("quote unavailable at this time")]
    ExposureLimit {
        asset: String,
        pending: Decimal,
        requested: Decimal,
        cap: Decimal,
    },

    /// The exchange holds less than this quote's hedge would pay. `-42013`: ours and transient
    /// (it clears when ops fund the exchange account or hedges settle).
    #[error("quote unavailable at this time")]
    HedgeUnfunded {
        asset: String,
        needed: Decimal,
        available: Decimal,
    },

    /// A book we hedge on is missing, stale or malformed.
    #[error("quote unavailable at this time")]
    BookUnusable { symbol: String, reason: BookError },

    /// The hedge books hold less than the requested size.
    #[error("quote unavailable at this time: not enough liquidity for this size")]
    TooThin { requested: Decimal },

    /// The market watcher has no volatility for a symbol we hedge on.
    #[error("quote unavailable at this time")]
    NoVolatility { symbol: String },

    /// The all-in price is further from mid than the market allows (a thin book, a bad tick or
    /// an absurd volatility reading).
    #[error("quote unavailable at this time")]
    PriceDeviation {
        price: Decimal,
        mid: Decimal,
        deviation_bps: Decimal,
        max_bps: Decimal,
    },
}

impl MakerError {
    /// The Dealer JSON-RPC v1.0 error code.
    pub fn code(&self) -> i32 {
        match self {
            MakerError::UnknownMarket { .. } => UNSUPPORTED_MARKET,
            MakerError::TooSmall { .. } => QUOTE_TOO_SMALL,
            MakerError::TooLarge { .. } | MakerError::InsufficientBalance { .. } => QUOTE_TOO_LARGE,
            MakerError::ExposureLimit { .. }
            | MakerError::HedgeUnfunded { .. }
            | MakerError::BookUnusable { .. }
            | MakerError::TooThin { .. }
            | MakerError::NoVolatility { .. }
            | MakerError::PriceDeviation { .. } => QUOTE_UNAVAILABLE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maker::testkit::d;

    #[test]
    fn codes_and_messages() {
        let cases = [
            (
                MakerError::UnknownMarket {
                    market: "X/Y".into(),
                },
                -42009,
                "unsupported market",
            ),
            (
                MakerError::TooSmall {
                    min: d("0.01"),
                    asset: "ETH".into(),
                },
                -42012,
                "quote too small: the minimum size is 0.01 ETH",
            ),
            (
                MakerError::TooLarge {
                    max: d("10"),
                    asset: "ETH".into(),
                },
                -42011,
                "quote too large: the maximum size is 10 ETH",
            ),
            (
                MakerError::InsufficientBalance {
                    asset: "ETH".into(),
                    needed: d("5"),
                    available: d("1"),
                },
                -42011,
                "quote too large for the dealer's available balance",
            ),
            (
                MakerError::ExposureLimit {
                    asset: "ETH".into(),
                    pending: d("9"),
                    requested: d("2"),
                    cap: d("10"),
                },
                -42013,
                "quote unavailable at this time",
            ),
            (
                MakerError::BookUnusable {
                    symbol: "ETHUSDC".into(),
                    reason: BookError::EmptySide,
                },
                -42013,
                "quote unavailable at this time",
            ),
            (
                MakerError::TooThin {
                    requested: d("100"),
                },
                -42013,
                "quote unavailable at this time: not enough liquidity for this size",
            ),
        ];
        for (err, code, msg) in cases {
            assert_eq!(err.code(), code, "{err:?}");
            assert_eq!(err.to_string(), msg);
        }
    }
}
