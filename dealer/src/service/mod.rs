//! The real [`Dealer`](crate::api::Dealer): the maker priced from the order book manager's live
//! books, orders signed by the hot wallet.
//!
//! Layout:
//! - [`books`]: the OBM subscription and its lock-free [`books::MarketSnapshot`] view.
//! - [`config`]: the markets, tokens and neighbours ([`config::DealerConfig`]), converted to the
//!   maker's markets and the front door's list ([`config::DealerSettings`]).
//! - [`fill_request`]: a taker's fill request checked against its stored quote, recorded and
//!   handed to its settlement.
//! - [`fills`]: accepted fills handed to their settlement ([`fills::FillSettlement`]).
//! - [`inventory`]: the hot wallet's and the exchange account's balances, re-read on a timer.
//! - [`quote`]: [`QuoteService`], the [`Dealer`](crate::api::Dealer) itself, and its quotes.
//! - [`record`]: the [`QuoteRecord`] kept of every signed quote and its [`QuoteStore`].
//! - [`units`]: base units to human units and back, rounding explicit.

pub mod books;
pub mod config;
pub mod fill_request;
pub mod fills;
pub mod inventory;
pub mod quote;
pub mod record;
pub mod units;

pub use books::{BookCache, BookEntry, BooksError, CacheSettings, MarketSnapshot};
pub use config::{DealerConfig, DealerSettings, ExchangeFundsConfig, Pair, SettingsError, Token};
pub use fills::{FillSettlement, SettleError};
pub use inventory::read_funds;
pub use quote::{QuoteService, ServiceError};
pub use record::{FillRecord, FillRecorded, MemoryQuoteStore, QuoteRecord, QuoteStore, StoreError};
