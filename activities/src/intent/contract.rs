//! The binding of `IntentBook`, generated from the committed artifact (so it cannot drift from
//! what `contracts/build` compiled), and the values of its enums, which the ABI carries as
//! `uint8`.

use alloy::sol;

sol!(
    // sendQuote takes twelve arguments and the generated code takes them as arguments
    #[allow(clippy::too_many_arguments)]
    #[sol(rpc, all_derives)]
    IntentBook,
    "../contracts/artifacts/IntentBook.json"
);

/// `IntentBook.QuoteStatus` values (`Quote.quoteStatus` and the events' `quoteStatus`).
pub mod quote_status {
    /// Sent by party A, waiting for a party B to lock it.
    pub const PENDING: u8 = 0;
    /// A party B locked it and may open it.
    pub const LOCKED: u8 = 1;
    /// Party A asked to cancel a locked quote; party B may accept or still open it.
    pub const CANCEL_PENDING: u8 = 2;
    /// Final: cancelled before it was opened.
    pub const CANCELED: u8 = 3;
    /// A position is open (possibly partly closed already).
    pub const OPENED: u8 = 4;
    /// Party A asked to close (part of) the position.
    pub const CLOSE_PENDING: u8 = 5;
    /// Party A asked to cancel its close request; party B may accept or still fill it.
    pub const CANCEL_CLOSE_PENDING: u8 = 6;
    /// Final: the whole position was closed.
    pub const CLOSED: u8 = 7;
    /// Final: its deadline passed before it was opened.
    pub const EXPIRED: u8 = 8;
}

/// `IntentBook.PositionType` values: party A's side.
pub mod position_type {
    /// Party A buys (party B is short).
    pub const LONG: u8 = 0;
    /// Party A sells (party B is long).
    pub const SHORT: u8 = 1;
}

/// `IntentBook.OrderType` values, for opening (`Quote.orderType`) and closing
/// (`Quote.closeOrderType`).
pub mod order_type {
    /// May be filled in parts, at the requested price or better.
    pub const LIMIT: u8 = 0;
    /// Filled whole or not at all.
    pub const MARKET: u8 = 1;
}
