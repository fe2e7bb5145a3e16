//! Leverage per account and symbol, and the notional bracket every perpetual has.
//!
//! The engine's margin rules are one bracket per symbol, so Binance's bracket table here has
//! one row: notional 0 to [`NOTIONAL_CAP`], the configured maintenance margin rate whatever
//! the size, and as its highest leverage the one whose initial margin is twice that rate
//! (Binance's ratio in its first brackets: 125x at the default 0.4 %), at most 125 and never
//! below the configured default leverage. Initial margin is notional / the account's leverage
//! of the symbol (the configured default until `POST /fapi/v1/leverage` sets another); an
//! order that would take the position past the cap is refused (-2027).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::{Futures, FuturesReject};
use crate::engine::accounts::AccountId;
use crate::engine::exchange::Exchange;

/// The highest leverage Binance offers on any perpetual.
pub const MAX_LEVERAGE: u32 = 125;
/// The most notional one position may have (USDT).
pub const NOTIONAL_CAP: u32 = 9_000_000;

/// One row of `GET /fapi/v1/leverageBracket`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bracket {
    /// The highest leverage of the bracket.
    pub initial_leverage: u32,
    pub notional_floor: Decimal,
    pub notional_cap: Decimal,
    pub maint_margin_ratio: Decimal,
}

/// Why a leverage change is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LeverageReject {
    #[error(transparent)]
    Futures(#[from] FuturesReject),
    #[error("Leverage {0} is not valid")]
    Invalid(u64),
    #[error("Leverage is smaller than permitted: insufficient margin balance")]
    InsufficientMargin,
}

/// Leverage an account set per symbol.
pub type LeverageSettings = BTreeMap<String, u32>;

impl Futures {
    /// The bracket of every perpetual (see the module doc).
    pub fn bracket(&self) -> Bracket {
        let rate = self.config.maintenance_margin_rate;
        let from_rate = if rate.is_zero() {
            MAX_LEVERAGE
        } else {
            (Decimal::ONE / (Decimal::TWO * rate))
                .floor()
                .to_u32()
                .unwrap_or(MAX_LEVERAGE)
        };
        Bracket {
            initial_leverage: from_rate.clamp(1, MAX_LEVERAGE).max(self.config.leverage),
            notional_floor: Decimal::ZERO,
            notional_cap: Decimal::from(NOTIONAL_CAP),
            maint_margin_ratio: rate,
        }
    }

    /// The leverage of `account` on `symbol`.
    pub fn leverage_of(&self, account: AccountId, symbol: &str) -> u32 {
        self.account(account)
            .leverage
            .get(symbol)
            .copied()
            .unwrap_or(self.config.leverage)
    }

    /// [`Futures::leverage_of`] as a divisor of notionals.
    pub fn leverage(&self, account: AccountId, symbol: &str) -> Decimal {
        Decimal::from(self.leverage_of(account, symbol))
    }
}

impl Exchange {
    /// `POST /fapi/v1/leverage`: sets `account`'s leverage on the perpetual `symbol`, within
    /// the bracket; a lower leverage must leave the margin balance above the initial margins.
    pub fn set_leverage(
        &mut self,
        account: AccountId,
        symbol: &str,
        leverage: u64,
    ) -> Result<u32, LeverageReject> {
        self.perp_index(symbol)?;
        let max = self.futures.bracket().initial_leverage;
        let leverage = u32::try_from(leverage)
            .ok()
            .filter(|l| (1..=max).contains(l))
            .ok_or(LeverageReject::Invalid(leverage))?;
        let settings = &mut self.futures.accounts[account.0].leverage;
        let previous = settings.insert(symbol.to_string(), leverage);
        let lowered = previous.unwrap_or(self.futures.config.leverage) > leverage;
        if lowered && self.futures_margins(account).available() < Decimal::ZERO {
            let settings = &mut self.futures.accounts[account.0].leverage;
            match previous {
                Some(previous) => settings.insert(symbol.to_string(), previous),
                None => settings.remove(symbol),
            };
            return Err(LeverageReject::InsufficientMargin);
        }
        tracing::info!(symbol, leverage, "futures leverage set");
        Ok(leverage)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::engine::futures::place::NewFuturesOrder;
    use crate::engine::orders::Side;

    fn exchange() -> Exchange {
        let mut config = Config {
            seed: Some(3),
            ..Config::default()
        };
        config.accounts[0].futures_usdt = Decimal::from(10_000);
        Exchange::new(&config, 3)
    }

    fn market_buy(qty: &str) -> NewFuturesOrder {
        NewFuturesOrder {
            symbol: "ETHUSDT".into(),
            side: Side::Buy,
            qty: qty.parse().unwrap(),
            limit: None,
            reduce_only: false,
            client_order_id: None,
        }
    }

    #[test]
    fn the_default_bracket_is_binances_first_one() {
        let bracket = exchange().futures.bracket();
        assert_eq!(bracket.initial_leverage, 125);
        assert_eq!(bracket.maint_margin_ratio, "0.004".parse().unwrap());
        assert_eq!(bracket.notional_cap, Decimal::from(NOTIONAL_CAP));
    }

    #[test]
    fn leverage_is_per_symbol_bounded_and_sets_the_initial_margin() {
        let mut exchange = exchange();
        let me = AccountId(0);
        assert_eq!(exchange.futures.leverage_of(me, "ETHUSDT"), 20);
        for bad in [0, 126, u64::MAX] {
            assert_eq!(
                exchange.set_leverage(me, "ETHUSDT", bad),
                Err(LeverageReject::Invalid(bad))
            );
        }
        assert_eq!(
            exchange.set_leverage(me, "ETHBTC", 5),
            Err(LeverageReject::Futures(FuturesReject::UnknownSymbol))
        );
        // 10,000 USDT at 20x: 1 ETH (~3,000) takes ~150 of initial margin
        exchange
            .place_futures(me, market_buy("1"), 1)
            .expect("placed");
        let at_20 = exchange.futures_margins(me).position_initial;
        assert_eq!(exchange.set_leverage(me, "ETHUSDT", 2), Ok(2));
        assert_eq!(exchange.futures.leverage_of(me, "BTCUSDT"), 20);
        assert_eq!(
            exchange.futures_margins(me).position_initial,
            at_20 * Decimal::TEN
        );
        // 3 ETH more at 2x take ~4,500 of the ~8,500 left; 4 ETH at 1x would need ~12,000
        exchange
            .place_futures(me, market_buy("3"), 2)
            .expect("placed");
        assert_eq!(
            exchange.set_leverage(me, "ETHUSDT", 1),
            Err(LeverageReject::InsufficientMargin)
        );
        assert_eq!(exchange.futures.leverage_of(me, "ETHUSDT"), 2);
        assert_eq!(
            exchange.place_futures(me, market_buy("3"), 3).unwrap_err(),
            FuturesReject::Margin
        );
    }
}
