//! The front door's view of the dealer: what the public JSON-RPC needs from pricing, signing and
//! the quote store, as one trait ([`Dealer`]) the `dealer` role implements with the real maker,
//! hot wallet and DB.
//!
//! Layout: `types` holds the validated domain types the front door hands over (never JSON:
//! `rpc/` parses and converts at the edge), `error` the errors a [`Dealer`] answers with, each
//! carrying its Dealer JSON-RPC v1.0 code.
//!
//! Everything reaching a [`Dealer`] has passed the front door's checks: addresses parsed, exactly
//! one positive size that fits in 256 bits, a known market, maker sizes within the market's
//! `quoteInfo` bounds, an authorized taker within its rate limit, a v4 UUID. A [`Dealer`] does
//! not repeat those checks; it owns what needs prices, balances or the store.

mod error;
mod types;

pub use error::{FillError, QuoteError};
pub use types::{
    FillReceipt, FillRequest, FillState, MAX_ADVERSE_MID_MOVE_BPS, Market, Quote, QuoteInfo,
    QuoteRequest, REFERENCE_MID, RfqOrder, Signature, SignedOrder, Size, TradeInfo,
    ValidityParameter,
};

use std::sync::Arc;

/// What the public front door asks of the dealer.
///
/// Implementations must be cheap to call concurrently: the front door calls [`Dealer::markets`]
/// on every quote request (return a shared snapshot, not a fresh `Vec`), and awaits
/// [`Dealer::quote`] on the request's own task, so a quote must not block the thread (run CPU
/// heavy or blocking work elsewhere).
#[async_trait::async_trait]
pub trait Dealer: Send + Sync + 'static {
    /// The EIP-155 chain id of the one network this dealer settles on.
    fn chain_id(&self) -> u64;

    /// Every market served now, as a shared snapshot (cheap to clone). The front door filters
    /// and paginates it for `dealer_getMarkets` and checks quote requests against it.
    fn markets(&self) -> Arc<[Market]>;

    /// Price (and, if `request.include_order`, sign and store) a quote.
    ///
    /// Not idempotent: every call is a new quote with a new id. Errors carry the spec's codes
    /// (see [`QuoteError`]).
    async fn quote(&self, request: QuoteRequest) -> Result<Quote, QuoteError>;

    /// Accept a taker's signed fill of a stored quote: validate it against the quote and record
    /// it (the settlement starts from that record; until it has a transaction the receipt has
    /// none).
    ///
    /// Must be idempotent per `quote_id`: a second call for a quote already accepted answers
    /// [`FillError::AlreadyFilled`] (or the first receipt) and never settles twice.
    async fn submit_fill(&self, request: FillRequest) -> Result<FillReceipt, FillError>;

    /// Where the fill of `quote_id` stands (`quoted` while none was requested). Unknown quotes
    /// are [`FillError::UnknownQuote`]. Read-only.
    async fn fill_status(&self, quote_id: uuid::Uuid) -> Result<FillState, FillError>;
}
