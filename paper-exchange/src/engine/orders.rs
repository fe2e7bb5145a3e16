//! Orders as the exchange records them: Binance's enums and amounts, and one order's state
//! and fills.

use rust_decimal::Decimal;

use crate::engine::accounts::AccountId;

/// Decimal places Binance prints amounts with (the assets' precision).
pub const DP: u32 = 8;

/// An amount as Binance prints it: a string with 8 decimals.
pub fn amount(value: Decimal) -> String {
    let mut value = value.round_dp(DP);
    value.rescale(DP);
    value.to_string()
}

/// Order side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Buy,
    Sell,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Buy => "BUY",
            Side::Sell => "SELL",
        }
    }
}

/// The order types this exchange accepts (the symbols' `orderTypes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderType {
    Limit,
    LimitMaker,
    Market,
}

impl OrderType {
    pub const ALL: [&'static str; 3] = ["LIMIT", "LIMIT_MAKER", "MARKET"];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderType::Limit => "LIMIT",
            OrderType::LimitMaker => "LIMIT_MAKER",
            OrderType::Market => "MARKET",
        }
    }
}

/// How long a limit order stays working.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeInForce {
    Gtc,
    Ioc,
    Fok,
}

impl TimeInForce {
    pub fn as_str(self) -> &'static str {
        match self {
            TimeInForce::Gtc => "GTC",
            TimeInForce::Ioc => "IOC",
            TimeInForce::Fok => "FOK",
        }
    }
}

/// Order status, Binance's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    New,
    PartiallyFilled,
    Filled,
    Canceled,
    Expired,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "NEW",
            Status::PartiallyFilled => "PARTIALLY_FILLED",
            Status::Filled => "FILLED",
            Status::Canceled => "CANCELED",
            Status::Expired => "EXPIRED",
        }
    }

    /// Whether the order still rests on the book.
    pub fn is_open(self) -> bool {
        matches!(self, Status::New | Status::PartiallyFilled)
    }
}

/// One execution of an order.
#[derive(Clone, Debug, PartialEq)]
pub struct Fill {
    pub price: Decimal,
    pub qty: Decimal,
    pub commission: Decimal,
    pub commission_asset: String,
    pub trade_id: u64,
}

/// One order and everything the REST responses show about it.
#[derive(Clone, Debug)]
pub struct Order {
    pub id: u64,
    pub account: AccountId,
    pub symbol: String,
    pub client_order_id: String,
    pub side: Side,
    pub order_type: OrderType,
    pub time_in_force: TimeInForce,
    /// Zero for market orders, as Binance shows them.
    pub price: Decimal,
    pub orig_qty: Decimal,
    pub orig_quote_order_qty: Decimal,
    pub executed_qty: Decimal,
    pub cummulative_quote_qty: Decimal,
    pub status: Status,
    pub time: u64,
    pub update_time: u64,
    /// Funds still held for the unfilled rest (quote for buys, base for sells).
    pub locked: Decimal,
    /// Fills of the order's own request (the FULL response); maker fills later are not kept.
    pub fills: Vec<Fill>,
}

impl Order {
    /// Records one execution of `qty` at `price`.
    pub fn execute(&mut self, price: Decimal, qty: Decimal, now: u64) {
        self.executed_qty += qty;
        self.cummulative_quote_qty += price * qty;
        self.update_time = now;
        self.status = if self.executed_qty >= self.orig_qty {
            Status::Filled
        } else {
            Status::PartiallyFilled
        };
    }

    pub fn remaining(&self) -> Decimal {
        self.orig_qty - self.executed_qty
    }
}

/// A client order id like Binance generates: 22 random letters and digits. Not drawn from the
/// market's seeded generator, so requests do not change the market's path.
pub fn generate_client_order_id() -> String {
    use rand::Rng;
    use rand::distr::Alphanumeric;
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(22)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_have_eight_decimals() {
        assert_eq!(amount("4".parse().unwrap()), "4.00000000");
        assert_eq!(amount("0.000000015".parse().unwrap()), "0.00000002");
        assert_eq!(amount(Decimal::ZERO), "0.00000000");
    }
}
