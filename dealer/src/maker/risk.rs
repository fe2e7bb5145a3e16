//! Risk checks on a priced quote: size limits, hot-wallet balance, pending exposure and the
//! exchange balance its hedge pays from.
//!
//! The state the checks read ([`Inventory`], [`ExposureBook`]) is plain in-memory data the
//! dealer keeps current (balances from the hot wallet and inventory manager, exposure from the
//! quotes it serves); nothing here performs I/O or reads a clock.
//!
//! **Exposure** is the amount of an asset we must deliver if every outstanding, unexpired quote
//! were filled. A quote enters the book when served and leaves when it is filled or cancelled
//! (the fill then shows up in the balance) or when it expires.

use std::collections::{BTreeSet, HashMap};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::error::MakerError;
use super::market::{Market, Size, TakerSide};

/// Limits that span markets, keyed by asset symbol.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RiskLimits {
    /// Cap on pending exposure per asset we deliver, human units. An asset without a cap is
    /// bounded only by the hot-wallet balance.
    pub exposure_caps: HashMap<String, Decimal>,
}

/// What we hold, human units, keyed by asset symbol.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    /// Hot-wallet balance available to deliver. A missing asset counts as zero.
    pub hot_wallet: HashMap<String, Decimal>,
    /// Net position against target across hot wallet and exchange (long positive), which drives
    /// the skew. A missing asset counts as flat.
    pub position: HashMap<String, Decimal>,
    /// Free balances on the exchange the hedges pay from, by our asset symbol; `None` when the
    /// dealer follows no exchange account (the hedge side is then not checked).
    pub exchange: Option<HashMap<String, Decimal>>,
}

impl Inventory {
    pub fn available(&self, asset: &str) -> Decimal {
        self.hot_wallet.get(asset).copied().unwrap_or_default()
    }

    pub fn position(&self, asset: &str) -> Decimal {
        self.position.get(asset).copied().unwrap_or_default()
    }
}

/// One outstanding quote's delivery obligation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exposure {
    pub asset: String,
    pub amount: Decimal,
    pub expires_at_ms: u64,
}

/// Outstanding quotes' obligations, keyed by quote id.
///
/// Kept with a running total per asset and an index by expiry, so `pending` costs what has
/// expired since the last [`ExposureBook::prune`] (nothing right after one) rather than a scan
/// of every outstanding quote: at 1,000 quotes/s with a 10 s TTL the book holds ~10,000.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExposureBook {
    entries: HashMap<String, Exposure>,
    /// Sum of the entries' amounts per asset, expired or not.
    totals: HashMap<String, Decimal>,
    /// Every entry by (expiry, quote id).
    by_expiry: BTreeSet<(u64, String)>,
}

impl ExposureBook {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a served quote. Re-adding a quote id replaces its entry.
    pub fn add(&mut self, quote_id: impl Into<String>, exposure: Exposure) {
        let quote_id = quote_id.into();
        self.remove(&quote_id);
        *self.totals.entry(exposure.asset.clone()).or_default() += exposure.amount;
        self.by_expiry
            .insert((exposure.expires_at_ms, quote_id.clone()));
        self.entries.insert(quote_id, exposure);
    }

    /// Removes a quote that was filled or cancelled.
    pub fn remove(&mut self, quote_id: &str) -> Option<Exposure> {
        let exposure = self.entries.remove(quote_id)?;
        self.by_expiry
            .remove(&(exposure.expires_at_ms, quote_id.to_owned()));
        if let Some(total) = self.totals.get_mut(&exposure.asset) {
            *total -= exposure.amount;
        }
        Some(exposure)
    }

    /// Sum of unexpired obligations in `asset` at `now_ms` (a quote expiring exactly at `now_ms`
    /// is expired).
    pub fn pending(&self, asset: &str, now_ms: u64) -> Decimal {
        let total = self.totals.get(asset).copied().unwrap_or_default();
        let expired: Decimal = self
            .by_expiry
            .range(..(now_ms.saturating_add(1), String::new()))
            .filter_map(|(_, quote_id)| self.entries.get(quote_id))
            .filter(|e| e.asset == asset)
            .map(|e| e.amount)
            .sum();
        total - expired
    }

    /// Drops expired entries.
    pub fn prune(&mut self, now_ms: u64) {
        while let Some((expires_at_ms, quote_id)) = self.by_expiry.first().cloned() {
            if expires_at_ms > now_ms {
                break;
            }
            self.remove(&quote_id);
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Size limits on a base amount, before pricing when the request is sized in base, after it
/// when sized in quote.
pub fn check_base_size(market: &Market, base: Decimal) -> Result<(), MakerError> {
    if base < market.min_base || base <= Decimal::ZERO {
        return Err(too_small(market));
    }
    if base > market.max_base {
        return Err(too_large(market));
    }
    Ok(())
}

/// Early size check for a request sized in quote, once the mid is known: if `quote / mid`
/// exceeds `max_base × (1 + max deviation)`, any price we could serve (within the deviation
/// band) gives more than `max_base`, so the request is too large whatever the books say. This
/// also bounds every amount pricing computes, so a hostile size cannot overflow a Decimal.
pub fn check_quote_size(market: &Market, quote: Decimal, mid: Decimal) -> Result<(), MakerError> {
    let band = Decimal::ONE + market.max_deviation_bps / Decimal::from(10_000);
    match quote.checked_div(mid) {
        Some(base) if base <= market.max_base * band => Ok(()),
        _ => Err(too_large(market)),
    }
}

/// Size check for a request the books could not fill: too large if its mid-equivalent exceeds
/// the market maximum (the taker should ask for less), otherwise the books are too thin.
pub fn check_unfillable(market: &Market, size: Size, mid: Decimal) -> MakerError {
    let base = match size {
        Size::Base(base) => Some(base),
        Size::Quote(quote) => quote.checked_div(mid),
    };
    match base {
        Some(base) if base <= market.max_base => MakerError::TooThin {
            requested: match size {
                Size::Base(v) | Size::Quote(v) => v,
            },
        },
        _ => too_large(market),
    }
}

/// The hot wallet must cover this delivery on top of every outstanding quote's.
pub fn check_balance(
    inventory: &Inventory,
    exposure: &ExposureBook,
    asset: &str,
    amount: Decimal,
    now_ms: u64,
) -> Result<(), MakerError> {
    let available = inventory.available(asset) - exposure.pending(asset, now_ms);
    if amount > available {
        return Err(MakerError::InsufficientBalance {
            asset: asset.to_owned(),
            needed: amount,
            available,
        });
    }
    Ok(())
}

/// The exchange must hold what this quote's hedge pays: `amount` of `asset` (the quote asset
/// when the hedge buys the base back, the base when it sells it). Checked per quote; the
/// hedgers net quotes in both directions, so summing every outstanding one would refuse too
/// much.
pub fn check_hedge_funds(
    inventory: &Inventory,
    asset: &str,
    amount: Decimal,
) -> Result<(), MakerError> {
    let Some(exchange) = &inventory.exchange else {
        return Ok(());
    };
    let available = exchange.get(asset).copied().unwrap_or_default();
    if amount > available {
        return Err(MakerError::HedgeUnfunded {
            asset: asset.to_owned(),
            needed: amount,
            available,
        });
    }
    Ok(())
}

/// How far the mid moved against us since a quote was priced, bps (negative: in our favour).
/// A taker who buys leaves us short base, so a rising mid is adverse; one who sells leaves us
/// long, so a falling one is.
pub fn adverse_move_bps(side: TakerSide, quoted_mid: Decimal, mid_now: Decimal) -> Decimal {
    if quoted_mid.is_zero() {
        return Decimal::MAX;
    }
    let moved = mid_now / quoted_mid - Decimal::ONE;
    let adverse = match side {
        TakerSide::Buy => moved,
        TakerSide::Sell => -moved,
    };
    adverse * Decimal::from(10_000)
}

/// Pending exposure plus this quote must stay within the asset's cap.
pub fn check_exposure(
    limits: &RiskLimits,
    exposure: &ExposureBook,
    asset: &str,
    amount: Decimal,
    now_ms: u64,
) -> Result<(), MakerError> {
    let Some(&cap) = limits.exposure_caps.get(asset) else {
        return Ok(());
    };
    let pending = exposure.pending(asset, now_ms);
    if pending + amount > cap {
        return Err(MakerError::ExposureLimit {
            asset: asset.to_owned(),
            pending,
            requested: amount,
            cap,
        });
    }
    Ok(())
}

pub(crate) fn too_small(market: &Market) -> MakerError {
    MakerError::TooSmall {
        min: market.min_base,
        asset: market.base.symbol.clone(),
    }
}

pub(crate) fn too_large(market: &Market) -> MakerError {
    MakerError::TooLarge {
        max: market.max_base,
        asset: market.base.symbol.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maker::testkit::{d, eth_usdc};

    fn exposure(asset: &str, amount: &str, expires_at_ms: u64) -> Exposure {
        Exposure {
            asset: asset.into(),
            amount: d(amount),
            expires_at_ms,
        }
    }

    #[test]
    fn size_table() {
        let m = eth_usdc(); // min 0.01, max 10
        let cases = [
            ("0.009", Some(-42012)),
            ("0", Some(-42012)),
            ("0.01", None),
            ("10", None),
            ("10.000001", Some(-42011)),
        ];
        for (size, code) in cases {
            assert_eq!(
                check_base_size(&m, d(size)).err().map(|e| e.code()),
                code,
                "{size}"
            );
        }
    }

    #[test]
    fn quote_size_table() {
        let m = eth_usdc(); // max 10 ETH, 1,000 bps deviation: up to 11 ETH at mid
        let mid = d("2000");
        assert_eq!(check_quote_size(&m, d("22000"), mid), Ok(()));
        assert_eq!(
            check_quote_size(&m, d("22000.01"), mid).unwrap_err().code(),
            -42011
        );
        assert_eq!(
            check_quote_size(&m, Decimal::MAX, d("0.0000001"))
                .unwrap_err()
                .code(),
            -42011
        );
    }

    #[test]
    fn unfillable_is_too_large_above_max_else_too_thin() {
        let m = eth_usdc();
        assert_eq!(
            check_unfillable(&m, Size::Quote(d("30000")), d("2000")).code(),
            -42011
        );
        assert_eq!(
            check_unfillable(&m, Size::Quote(d("10000")), d("2000")),
            MakerError::TooThin {
                requested: d("10000")
            }
        );
        assert_eq!(
            check_unfillable(&m, Size::Base(d("5")), d("2000")).code(),
            -42013
        );
    }

    #[test]
    fn pending_counts_only_unexpired_quotes_of_the_asset() {
        let mut book = ExposureBook::new();
        book.add("a", exposure("ETH", "1", 2_000));
        book.add("b", exposure("ETH", "2", 1_000));
        book.add("c", exposure("USDC", "500", 5_000));
        assert_eq!(book.pending("ETH", 999), d("3"));
        assert_eq!(book.pending("ETH", 1_000), d("1"));
        assert_eq!(book.pending("ETH", 2_000), d("0"));
        assert_eq!(book.remove("a").map(|e| e.amount), Some(d("1")));
        assert_eq!(book.pending("ETH", 0), d("2"));
        book.prune(1_000);
        assert_eq!(book.len(), 1);
    }

    /// The running totals agree with a plain sum over the unexpired entries through adds,
    /// replacements, removals and prunes.
    #[test]
    fn pending_equals_the_sum_of_unexpired_entries() {
        let mut book = ExposureBook::new();
        let mut plain: HashMap<String, Exposure> = HashMap::new();
        let check = |book: &ExposureBook, plain: &HashMap<String, Exposure>, now: u64| {
            for asset in ["ETH", "USDC"] {
                let sum: Decimal = plain
                    .values()
                    .filter(|e| e.asset == asset && e.expires_at_ms > now)
                    .map(|e| e.amount)
                    .sum();
                assert_eq!(book.pending(asset, now), sum, "{asset} at {now}");
            }
        };
        for i in 0..200u64 {
            let id = format!("q{}", i % 37);
            let asset = if i % 3 == 0 { "USDC" } else { "ETH" };
            let e = exposure(
                asset,
                &format!("{}.{}", i % 7, i % 10),
                1_000 + (i * 7919) % 500,
            );
            book.add(id.clone(), e.clone());
            plain.insert(id, e);
            if i % 5 == 0 {
                let gone = format!("q{}", (i * 3) % 37);
                assert_eq!(book.remove(&gone), plain.remove(&gone));
            }
            check(&book, &plain, 1_000 + i);
            if i % 11 == 0 {
                let now = 1_000 + i * 2;
                book.prune(now);
                plain.retain(|_, e| e.expires_at_ms > now);
                assert_eq!(book.len(), plain.len());
                check(&book, &plain, now);
            }
        }
    }

    #[test]
    fn a_move_is_adverse_when_it_makes_our_hedge_dearer() {
        // the taker bought: we buy back, so a rise is against us
        assert_eq!(
            adverse_move_bps(TakerSide::Buy, d("3000"), d("3003")),
            d("10")
        );
        assert_eq!(
            adverse_move_bps(TakerSide::Buy, d("3000"), d("2997")),
            d("-10")
        );
        // the taker sold: we sell, so a fall is against us
        assert_eq!(
            adverse_move_bps(TakerSide::Sell, d("3000"), d("2997")),
            d("10")
        );
        assert_eq!(
            adverse_move_bps(TakerSide::Sell, d("3000"), d("3000")),
            d("0")
        );
    }

    #[test]
    fn balance_and_exposure_table() {
        let mut book = ExposureBook::new();
        book.add("a", exposure("ETH", "3", 10_000));
        let inv = Inventory {
            hot_wallet: [("ETH".into(), d("5"))].into(),
            ..Default::default()
        };
        let limits = RiskLimits {
            exposure_caps: [("ETH".into(), d("4"))].into(),
        };
        // (amount, now, balance code, exposure code)
        let cases = [
            ("1", 0, None, None),
            ("2", 0, None, Some(-42013)),
            ("2.5", 0, Some(-42011), Some(-42013)),
            // After the outstanding quote expires both limits free up.
            ("4", 10_000, None, None),
        ];
        for (amount, now, bal, exp) in cases {
            let b = check_balance(&inv, &book, "ETH", d(amount), now)
                .err()
                .map(|e| e.code());
            let e = check_exposure(&limits, &book, "ETH", d(amount), now)
                .err()
                .map(|e| e.code());
            assert_eq!((b, e), (bal, exp), "{amount} at {now}");
        }
        // Uncapped assets and missing balances.
        assert_eq!(
            check_exposure(&limits, &book, "USDC", d("1000000000"), 0),
            Ok(())
        );
        assert_eq!(
            check_balance(&inv, &book, "USDC", d("1"), 0)
                .unwrap_err()
                .code(),
            -42011
        );
    }
}
