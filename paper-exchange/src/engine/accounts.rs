//! Accounts and their balances: free funds, and funds locked by open orders.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::config::AccountConfig;

/// Index of an account, the same in [`Accounts`] and among the API keys (`Config::accounts`
/// order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AccountId(pub usize);

/// One asset's balance.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Balance {
    pub free: Decimal,
    pub locked: Decimal,
}

/// One account's balances. Debits and locks do not check the free funds: the exchange checks
/// an order's worst case before it executes any of it, so that an order never half-applies.
#[derive(Clone, Debug, Default)]
pub struct Account {
    pub balances: BTreeMap<String, Balance>,
    pub update_time: u64,
}

impl Account {
    pub fn free(&self, asset: &str) -> Decimal {
        self.balances.get(asset).map_or(Decimal::ZERO, |b| b.free)
    }

    /// Moves `amount` from free to locked.
    pub fn lock(&mut self, asset: &str, amount: Decimal) {
        let balance = self.balance(asset);
        balance.free -= amount;
        balance.locked += amount;
    }

    /// Moves `amount` from locked back to free.
    pub fn unlock(&mut self, asset: &str, amount: Decimal) {
        let balance = self.balance(asset);
        balance.locked -= amount;
        balance.free += amount;
    }

    /// Takes `amount` out of the free funds.
    pub fn debit(&mut self, asset: &str, amount: Decimal) {
        self.balance(asset).free -= amount;
    }

    /// Takes `amount` out of the locked funds (an open order's fill pays from its lock).
    pub fn debit_locked(&mut self, asset: &str, amount: Decimal) {
        self.balance(asset).locked -= amount;
    }

    pub fn credit(&mut self, asset: &str, amount: Decimal) {
        self.balance(asset).free += amount;
    }

    fn balance(&mut self, asset: &str) -> &mut Balance {
        self.balances.entry(asset.to_string()).or_default()
    }
}

/// All accounts, in configuration order.
#[derive(Debug, Default)]
pub struct Accounts {
    accounts: Vec<Account>,
}

impl Accounts {
    pub fn new(configs: &[AccountConfig]) -> Self {
        let accounts = configs
            .iter()
            .map(|config| Account {
                balances: config
                    .balances
                    .iter()
                    .map(|(asset, free)| {
                        (
                            asset.clone(),
                            Balance {
                                free: *free,
                                locked: Decimal::ZERO,
                            },
                        )
                    })
                    .collect(),
                update_time: 0,
            })
            .collect();
        Accounts { accounts }
    }

    pub fn get(&self, id: AccountId) -> &Account {
        &self.accounts[id.0]
    }

    pub fn get_mut(&mut self, id: AccountId) -> &mut Account {
        &mut self.accounts[id.0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_unlock_and_debits_keep_the_total() {
        let mut account = Account::default();
        account.credit("USDT", Decimal::from(100));
        account.lock("USDT", Decimal::from(60));
        assert_eq!(account.free("USDT"), Decimal::from(40));
        account.debit("USDT", Decimal::from(5));
        account.debit_locked("USDT", Decimal::from(10));
        account.unlock("USDT", Decimal::from(50));
        assert_eq!(
            account.balances["USDT"],
            Balance {
                free: Decimal::from(85),
                locked: Decimal::ZERO
            }
        );
    }
}
