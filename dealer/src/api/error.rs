//! The errors a [`Dealer`](super::Dealer) answers with, each mapped to its Dealer JSON-RPC v1.0
//! code in one place ([`QuoteError::code`], [`FillError::code`]).
//!
//! Messages are shown to takers: they must not carry secrets or internal detail (a `String`
//! payload is a short human reason, e.g. "maker balance"), and the front door logs them.

/// Why a quote was refused. The front door produces the request-shape variants itself
/// (addresses, both sizes, unknown market, authorization, rate limit); a dealer typically answers
/// `TooLarge`, `TooSmall`, `Unavailable`, `TemporaryRestriction` or `InvalidAsset`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuoteError {
    /// -42003: an address parameter is not a 20-byte hex address.
    #[error("invalid address: {0}")]
    InvalidAddress(String),
    /// -42004: the asset is not a supported ERC-20 (or maker and taker asset are the same).
    #[error("invalid asset: {0}")]
    InvalidAsset(String),
    /// -42005: both `makerAssetSize` and `takerAssetSize` were given.
    #[error("specify makerAssetSize or takerAssetSize, not both")]
    TwoSizes,
    /// -42006: the taker is denied, or not on a non-empty allow list.
    #[error("taker not authorized")]
    TakerNotAuthorized,
    /// -42008: a taker-specific temporary restriction (e.g. too many unfilled quotes).
    #[error("temporary restriction: {0}")]
    TemporaryRestriction(String),
    /// -42009: no market for this maker/taker asset pair.
    #[error("unsupported market")]
    UnsupportedMarket,
    /// -42011: the quote would exceed the market maximum or the dealer's balance.
    #[error("quote too large: {0}")]
    TooLarge(String),
    /// -42012: the quote would be below the market minimum.
    #[error("quote too small: {0}")]
    TooSmall(String),
    /// -42013: not quoting right now (no fresh book, risk halt, signer down, ...).
    #[error("quote unavailable at this time: {0}")]
    Unavailable(String),
    /// -42024: the taker's request rate limit is reached.
    #[error("request rate limit reached")]
    RateLimited,
}

impl QuoteError {
    /// The Dealer JSON-RPC v1.0 error code.
    pub fn code(&self) -> i32 {
        match self {
            Self::InvalidAddress(_) => -42003,
            Self::InvalidAsset(_) => -42004,
            Self::TwoSizes => -42005,
            Self::TakerNotAuthorized => -42006,
            Self::TemporaryRestriction(_) => -42008,
            Self::UnsupportedMarket => -42009,
            Self::TooLarge(_) => -42011,
            Self::TooSmall(_) => -42012,
            Self::Unavailable(_) => -42013,
            Self::RateLimited => -42024,
        }
    }
}

/// Why a fill was refused. The front door produces `InvalidUuid` and `RateLimited` itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FillError {
    /// -42014: the fill arrived after the quote's expiration (and only then).
    #[error("quote expired")]
    Expired,
    /// -42015: no such quote was ever served (or it had no order).
    #[error("unknown quote")]
    UnknownQuote,
    /// -42016: the quote was already filled (or a fill for it is in progress).
    #[error("order already filled")]
    AlreadyFilled,
    /// -42017: simulating the fill against current chain state failed.
    #[error("fill validation failed: {0}")]
    ValidationFailed(String),
    /// -42018: the taker's balance of the taker asset is too low.
    #[error("insufficient taker balance")]
    InsufficientBalance,
    /// -42019: the taker's allowance to the settlement contract is too low.
    #[error("insufficient taker allowance")]
    InsufficientAllowance,
    /// -42020: the fill does not match the quote (salt, signer, signature, gas price, expiry)
    /// or a soft-cancel validity parameter no longer holds.
    #[error("quote validation failure: {0}")]
    QuoteValidation(String),
    /// -42023: `quoteId` is not a v4 UUID.
    #[error("invalid UUID")]
    InvalidUuid,
    /// -42024: the taker's request rate limit is reached.
    #[error("request rate limit reached")]
    RateLimited,
    /// -32603: the dealer could not process the fill (store or workflow engine unreachable).
    /// The taker may retry: fills are idempotent per quote id.
    #[error("internal error")]
    Internal,
}

impl FillError {
    /// The Dealer JSON-RPC v1.0 error code.
    pub fn code(&self) -> i32 {
        match self {
            Self::Expired => -42014,
            Self::UnknownQuote => -42015,
            Self::AlreadyFilled => -42016,
            Self::ValidationFailed(_) => -42017,
            Self::InsufficientBalance => -42018,
            Self::InsufficientAllowance => -42019,
            Self::QuoteValidation(_) => -42020,
            Self::InvalidUuid => -42023,
            Self::RateLimited => -42024,
            Self::Internal => -32603,
        }
    }
}
