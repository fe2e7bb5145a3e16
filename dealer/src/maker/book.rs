//! Order book snapshots as the maker receives them from the order book manager (role `obm`).
//!
//! Prices are quote-asset units per base-asset unit and quantities are base-asset units, both in
//! human units (`1.5` ETH, not wei) as [`Decimal`]. A snapshot is plain data: the maker never
//! holds a reference to a live book, so a quote is priced against one consistent view.

use std::time::Duration;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One price level: `qty` base units resting at `price` quote units per base unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    pub price: Decimal,
    pub qty: Decimal,
}

impl Level {
    pub fn new(price: Decimal, qty: Decimal) -> Self {
        Self { price, qty }
    }
}

/// A point-in-time copy of one exchange symbol's book.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BookSnapshot {
    /// Exchange symbol, e.g. `ETHUSDT`.
    pub symbol: String,
    /// The order book manager's id for this snapshot, stored with every quote priced from it.
    pub snapshot_id: u64,
    /// The exchange's last update id folded into this snapshot (Binance `lastUpdateId`).
    pub update_id: u64,
    /// When the order book manager last applied an update, in Unix ms; staleness is judged
    /// against this.
    pub updated_at_ms: u64,
    /// Best (highest) first, strictly decreasing prices.
    pub bids: Vec<Level>,
    /// Best (lowest) first, strictly increasing prices.
    pub asks: Vec<Level>,
}

/// Why a snapshot cannot be priced from.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BookError {
    #[error("book is {age_ms} ms old, older than the {max_ms} ms allowed")]
    Stale { age_ms: u64, max_ms: u64 },
    #[error("book has an empty side")]
    EmptySide,
    #[error("book is crossed or locked (best bid {bid} >= best ask {ask})")]
    Crossed { bid: Decimal, ask: Decimal },
    #[error("book has a level with a non-positive price or quantity")]
    BadLevel,
    #[error("book levels are not ordered best first")]
    Unordered,
    #[error("no book for the symbol")]
    Missing,
}

/// A reference to the snapshot a quote was priced from, kept in the quote's record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookRef {
    pub symbol: String,
    pub snapshot_id: u64,
    pub update_id: u64,
}

impl BookSnapshot {
    pub fn best_bid(&self) -> Option<Decimal> {
        self.bids.first().map(|l| l.price)
    }

    pub fn best_ask(&self) -> Option<Decimal> {
        self.asks.first().map(|l| l.price)
    }

    /// `(best bid + best ask) / 2`, or `None` if a side is empty.
    pub fn mid(&self) -> Option<Decimal> {
        Some((self.best_bid()? + self.best_ask()?) / Decimal::TWO)
    }

    pub fn book_ref(&self) -> BookRef {
        BookRef {
            symbol: self.symbol.clone(),
            snapshot_id: self.snapshot_id,
            update_id: self.update_id,
        }
    }

    /// Checks that the snapshot is fresh and well formed: both sides non-empty, every level
    /// positive, each side strictly ordered best first, and best bid < best ask.
    ///
    /// A locked book (bid == ask) is refused as well as a crossed one: on a matching engine
    /// neither can persist, so either means our copy is inconsistent. Refusing it is also what
    /// guarantees the maker's buy price is strictly above its sell price. A snapshot stamped in
    /// the future (clock skew between roles) counts as age 0.
    pub fn check(&self, now_ms: u64, max_age: Duration) -> Result<(), BookError> {
        let age_ms = now_ms.saturating_sub(self.updated_at_ms);
        let max_ms = u64::try_from(max_age.as_millis()).unwrap_or(u64::MAX);
        if age_ms > max_ms {
            return Err(BookError::Stale { age_ms, max_ms });
        }
        let (Some(bid), Some(ask)) = (self.best_bid(), self.best_ask()) else {
            return Err(BookError::EmptySide);
        };
        let positive = |l: &Level| l.price > Decimal::ZERO && l.qty > Decimal::ZERO;
        if !self.bids.iter().chain(&self.asks).all(positive) {
            return Err(BookError::BadLevel);
        }
        let bids_ordered = self.bids.windows(2).all(|w| w[0].price > w[1].price);
        let asks_ordered = self.asks.windows(2).all(|w| w[0].price < w[1].price);
        if !bids_ordered || !asks_ordered {
            return Err(BookError::Unordered);
        }
        if bid >= ask {
            return Err(BookError::Crossed { bid, ask });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maker::testkit::{book, d};

    const AGE: Duration = Duration::from_secs(1);

    #[test]
    fn mid_is_the_average_of_the_best_prices() {
        let b = book("ETHUSDT", &[("99", "1"), ("98", "1")], &[("101", "1")]);
        assert_eq!(b.mid(), Some(d("100")));
        assert_eq!(b.check(1_500, AGE), Ok(()));
    }

    #[test]
    fn check_table() {
        let ok = book("X", &[("99", "1")], &[("101", "1")]);
        let cases: Vec<(&str, BookSnapshot, u64, Option<BookError>)> = vec![
            ("fresh", ok.clone(), 2_000, None),
            ("future stamp", ok.clone(), 0, None),
            (
                "stale",
                ok.clone(),
                2_001,
                Some(BookError::Stale {
                    age_ms: 1_001,
                    max_ms: 1_000,
                }),
            ),
            (
                "empty bids",
                book("X", &[], &[("101", "1")]),
                1_000,
                Some(BookError::EmptySide),
            ),
            (
                "locked",
                book("X", &[("100", "1")], &[("100", "1")]),
                1_000,
                Some(BookError::Crossed {
                    bid: d("100"),
                    ask: d("100"),
                }),
            ),
            (
                "zero qty",
                book("X", &[("99", "0")], &[("101", "1")]),
                1_000,
                Some(BookError::BadLevel),
            ),
            (
                "asks unordered",
                book("X", &[("99", "1")], &[("102", "1"), ("101", "1")]),
                1_000,
                Some(BookError::Unordered),
            ),
        ];
        for (name, b, now, want) in cases {
            assert_eq!(b.check(now, AGE).err(), want, "{name}");
        }
    }
}
