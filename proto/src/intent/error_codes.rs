//! The hedger API's error codes (`GET /error_codes`): why a quote was not taken.

pub const UNKNOWN_SYMBOL: u32 = 1001;
pub const NOTIONAL_CAP: u32 = 1002;
pub const OPEN_INTEREST_CAP: u32 = 1003;
pub const PRICE_OUT_OF_RANGE: u32 = 1004;
pub const INSUFFICIENT_ALLOCATION: u32 = 1005;
pub const DEADLINE: u32 = 1006;
pub const NOT_WHITELISTED: u32 = 1007;
pub const QUANTITY_STEP: u32 = 1008;
pub const BROKER_UNFILLED: u32 = 1009;
pub const TAKEN: u32 = 1010;
pub const CHAIN_REFUSED: u32 = 1011;

/// Every code with its message.
pub const ALL: [(u32, &str); 11] = [
    (UNKNOWN_SYMBOL, "symbol is not supported by this hedger"),
    (
        NOTIONAL_CAP,
        "quote notional exceeds the symbol's notional cap",
    ),
    (
        OPEN_INTEREST_CAP,
        "quote would exceed the hedger's open interest cap",
    ),
    (
        PRICE_OUT_OF_RANGE,
        "requested price is outside the allowed range of the mark price",
    ),
    (
        INSUFFICIENT_ALLOCATION,
        "not enough balance allocated to this party A",
    ),
    (DEADLINE, "not enough time before the quote's deadline"),
    (
        NOT_WHITELISTED,
        "this hedger is not in the quote's whitelist",
    ),
    (
        QUANTITY_STEP,
        "a MARKET quote's quantity is not a multiple of the broker's step",
    ),
    (
        BROKER_UNFILLED,
        "the broker order did not fill at the requested price",
    ),
    (TAKEN, "another party B or party A acted first"),
    (
        CHAIN_REFUSED,
        "the contract refused the hedger's transaction",
    ),
];

pub fn message(code: u32) -> Option<&'static str> {
    ALL.iter().find(|(c, _)| *c == code).map(|(_, m)| *m)
}
