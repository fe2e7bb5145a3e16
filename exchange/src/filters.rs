//! A symbol's trading rules from `GET /api/v3/exchangeInfo` (PRICE_FILTER, LOT_SIZE,
//! NOTIONAL or the older MIN_NOTIONAL), and the rounding that keeps an order inside them:
//! an order off the tick or step grid is refused (-1013) rather than rounded by Binance.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;

/// Which way a price is rounded to the tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    Down,
    Up,
}

/// The trading rules of one symbol that decide an order's price and size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SymbolFilters {
    pub symbol: String,
    pub base_asset: String,
    pub quote_asset: String,
    /// PRICE_FILTER `tickSize`; zero when the filter is off.
    pub tick_size: Decimal,
    pub min_price: Decimal,
    /// LOT_SIZE `stepSize`.
    pub step_size: Decimal,
    pub min_qty: Decimal,
    pub max_qty: Decimal,
    /// NOTIONAL (or MIN_NOTIONAL) `minNotional`; zero when absent.
    pub min_notional: Decimal,
}

impl SymbolFilters {
    /// `qty` rounded down to the step: never more than the caller asked for.
    pub fn round_qty(&self, qty: Decimal) -> Decimal {
        round_to(qty, self.step_size, Rounding::Down)
    }

    /// `price` rounded to the tick in `direction` (down for a buy that must not pay more, up
    /// for a sell that must not receive less).
    pub fn round_price(&self, price: Decimal, direction: Rounding) -> Decimal {
        round_to(price, self.tick_size, direction)
    }

    /// Whether `qty` at `price` meets LOT_SIZE's bounds and the minimum notional.
    pub fn accepts(&self, price: Decimal, qty: Decimal) -> bool {
        qty >= self.min_qty
            && (self.max_qty.is_zero() || qty <= self.max_qty)
            && price >= self.min_price
            && price * qty >= self.min_notional
    }
}

/// `value` on the grid of `step` (unchanged when `step` is zero, a disabled filter).
fn round_to(value: Decimal, step: Decimal, direction: Rounding) -> Decimal {
    if step.is_zero() {
        return value;
    }
    let strategy = match direction {
        Rounding::Down => RoundingStrategy::ToNegativeInfinity,
        Rounding::Up => RoundingStrategy::ToPositiveInfinity,
    };
    let steps = (value / step).round_dp_with_strategy(0, strategy);
    (steps * step).normalize()
}

#[derive(Deserialize)]
pub(crate) struct ExchangeInfoDto {
    symbols: Vec<SymbolDto>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SymbolDto {
    symbol: String,
    base_asset: String,
    quote_asset: String,
    filters: Vec<FilterDto>,
}

#[derive(Deserialize)]
#[serde(tag = "filterType")]
enum FilterDto {
    #[serde(rename = "PRICE_FILTER", rename_all = "camelCase")]
    Price {
        min_price: Decimal,
        tick_size: Decimal,
    },
    #[serde(rename = "LOT_SIZE", rename_all = "camelCase")]
    LotSize {
        min_qty: Decimal,
        max_qty: Decimal,
        step_size: Decimal,
    },
    /// Futures' MIN_NOTIONAL names the field `notional`.
    #[serde(rename = "NOTIONAL", alias = "MIN_NOTIONAL", rename_all = "camelCase")]
    Notional {
        #[serde(alias = "notional")]
        min_notional: Decimal,
    },
    #[serde(other)]
    Other,
}

impl ExchangeInfoDto {
    /// The filters of `symbol`, if it is listed.
    pub(crate) fn into_domain(self, symbol: &str) -> Option<SymbolFilters> {
        let listed = self.symbols.into_iter().find(|s| s.symbol == symbol)?;
        let mut filters = SymbolFilters {
            symbol: listed.symbol,
            base_asset: listed.base_asset,
            quote_asset: listed.quote_asset,
            tick_size: Decimal::ZERO,
            min_price: Decimal::ZERO,
            step_size: Decimal::ZERO,
            min_qty: Decimal::ZERO,
            max_qty: Decimal::ZERO,
            min_notional: Decimal::ZERO,
        };
        for filter in listed.filters {
            match filter {
                FilterDto::Price {
                    min_price,
                    tick_size,
                } => (filters.min_price, filters.tick_size) = (min_price, tick_size),
                FilterDto::LotSize {
                    min_qty,
                    max_qty,
                    step_size,
                } => {
                    (filters.min_qty, filters.max_qty, filters.step_size) =
                        (min_qty, max_qty, step_size)
                }
                FilterDto::Notional { min_notional } => filters.min_notional = min_notional,
                FilterDto::Other => {}
            }
        }
        Some(filters)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn filters() -> SymbolFilters {
        let info = r#"{"symbols":[{"symbol":"ETHUSDT","baseAsset":"ETH","quoteAsset":"USDT","filters":[
            {"filterType":"PRICE_FILTER","minPrice":"0.01000000","maxPrice":"1000000.00000000","tickSize":"0.01000000"},
            {"filterType":"LOT_SIZE","minQty":"0.00010000","maxQty":"9000.00000000","stepSize":"0.00010000"},
            {"filterType":"ICEBERG_PARTS","limit":10},
            {"filterType":"MIN_NOTIONAL","minNotional":"5.00000000","applyToMarket":true,"avgPriceMins":5}]}]}"#;
        serde_json::from_str::<ExchangeInfoDto>(info)
            .unwrap()
            .into_domain("ETHUSDT")
            .unwrap()
    }

    #[test]
    fn filters_are_read_from_exchange_info() {
        let f = filters();
        assert_eq!((f.tick_size, f.step_size), (d("0.01"), d("0.0001")));
        assert_eq!((f.min_qty, f.min_notional), (d("0.0001"), d("5")));
        assert_eq!(f.quote_asset, "USDT");
    }

    #[test]
    fn rounding_stays_on_the_grid_in_the_asked_direction() {
        let f = filters();
        let cases = [
            ("3000.019", Rounding::Down, "3000.01"),
            ("3000.011", Rounding::Up, "3000.02"),
            ("3000.01", Rounding::Up, "3000.01"),
            ("3000.01", Rounding::Down, "3000.01"),
        ];
        for (price, direction, expected) in cases {
            assert_eq!(f.round_price(d(price), direction), d(expected), "{price}");
        }
        assert_eq!(f.round_qty(d("1.23456789")), d("1.2345"));
        assert_eq!(f.round_qty(d("0.00009")), d("0"));
        assert!(f.accepts(d("3000"), d("0.0017")));
        assert!(!f.accepts(d("3000"), d("0.0016")), "below min notional 5");
        assert!(!f.accepts(d("3000"), d("0.00001")));
    }
}
