//! An account's futures margins, valued at each symbol's mark price. Apart from `futures/mod.rs`
//! so that the futures market's module does not import the exchange that holds it.

use rust_decimal::Decimal;

use crate::engine::accounts::AccountId;
use crate::engine::exchange::Exchange;

use super::Futures;
use super::position::Position;

/// Marks and margins of one account at the current mark prices.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Margins {
    pub wallet: Decimal,
    pub unrealized: Decimal,
    pub position_initial: Decimal,
    pub open_order_initial: Decimal,
    pub maintenance: Decimal,
}

impl Margins {
    pub fn margin_balance(&self) -> Decimal {
        self.wallet + self.unrealized
    }

    pub fn initial(&self) -> Decimal {
        self.position_initial + self.open_order_initial
    }

    /// What new positions may still use: margin balance less the initial margins.
    pub fn available(&self) -> Decimal {
        self.margin_balance() - self.initial()
    }

    /// What could leave the wallet: the available balance, at most the wallet itself.
    pub fn max_withdraw(&self) -> Decimal {
        self.available().min(self.wallet).max(Decimal::ZERO)
    }
}

impl Exchange {
    /// The margins of `account`, its positions valued at each symbol's mark price.
    pub fn futures_margins(&self, account: AccountId) -> Margins {
        let futures = &self.futures;
        let wallet = futures.account(account).wallet;
        let mut margins = Margins {
            wallet,
            open_order_initial: futures.open_order_margin(account, None),
            ..Margins::default()
        };
        for (symbol, position) in &futures.account(account).positions {
            let mark = self.mark_price(symbol).unwrap_or(position.entry);
            let one = futures.position_margins(account, symbol, position, mark);
            margins.unrealized += one.unrealized;
            margins.position_initial += one.position_initial;
            margins.maintenance += one.maintenance;
        }
        margins
    }
}

impl Futures {
    /// One position's share of its account's margins at `mark`: its unrealized profit, its
    /// initial margin at the account's leverage of `symbol` and its maintenance margin.
    pub fn position_margins(
        &self,
        account: AccountId,
        symbol: &str,
        position: &Position,
        mark: Decimal,
    ) -> Margins {
        let notional = position.amt.abs() * mark;
        Margins {
            unrealized: position.unrealized(mark),
            position_initial: notional / self.leverage(account, symbol),
            maintenance: notional * self.config.maintenance_margin_rate,
            ..Margins::default()
        }
    }
}
