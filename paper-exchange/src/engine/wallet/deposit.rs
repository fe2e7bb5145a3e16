//! Deposits: an ERC-20 `Transfer` to an account's deposit address, recorded when first seen
//! (status 0 pending) and credited to the spot wallet once its block has enough
//! confirmations (status 1 success). A `(transaction hash, log index)` counts once however
//! often the chain task reports it.

use alloy::primitives::{Address, B256};
use rust_decimal::Decimal;

use super::publish_balance_update;
use crate::engine::accounts::AccountId;
use crate::engine::exchange::Exchange;

/// Binance's deposit statuses, as far as the paper exchange goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DepositStatus {
    Pending = 0,
    Success = 1,
}

/// A token transfer to a deposit address, as read from the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeenTransfer {
    pub account: AccountId,
    pub coin: String,
    pub network: String,
    pub address: Address,
    pub amount: Decimal,
    pub tx_hash: B256,
    pub log_index: u64,
    pub block: u64,
}

/// One deposit.
#[derive(Clone, Debug)]
pub struct Deposit {
    /// Its place in [`super::WalletBook::deposits`] plus one.
    pub id: u64,
    pub transfer: SeenTransfer,
    pub insert_time: u64,
    pub status: DepositStatus,
    /// Confirmations seen so far, at most the required number.
    pub confirmations: u64,
    pub complete_time: Option<u64>,
}

impl Exchange {
    /// Records a transfer seen on chain; `false` when it was recorded before.
    pub fn deposit_seen(&mut self, transfer: SeenTransfer, now: u64) -> bool {
        let book = &mut self.wallet;
        let key = (transfer.tx_hash, transfer.log_index);
        if book.deposit_index.contains_key(&key) {
            return false;
        }
        book.deposit_index.insert(key, book.deposits.len());
        book.deposits.push(Deposit {
            id: book.deposits.len() as u64 + 1,
            transfer,
            insert_time: now,
            status: DepositStatus::Pending,
            confirmations: 0,
            complete_time: None,
        });
        true
    }

    /// With the chain's head at `head`, credits every pending deposit whose block has
    /// `required` confirmations (its own block counts as one).
    pub fn confirm_deposits(&mut self, head: u64, required: u64, now: u64) {
        for deposit in &mut self.wallet.deposits {
            if deposit.status != DepositStatus::Pending {
                continue;
            }
            let confirmations = (head + 1).saturating_sub(deposit.transfer.block);
            deposit.confirmations = confirmations.min(required);
            if confirmations < required {
                continue;
            }
            deposit.status = DepositStatus::Success;
            deposit.complete_time = Some(now);
            let transfer = &deposit.transfer;
            let spot = self.ledger.accounts.get_mut(transfer.account);
            spot.credit(&transfer.coin, transfer.amount);
            spot.update_time = now;
            let events = &self.ledger.events;
            publish_balance_update(
                events,
                transfer.account,
                &transfer.coin,
                transfer.amount,
                now,
            );
            tracing::info!(account = transfer.account.0, coin = %transfer.coin, amount = %transfer.amount, tx = %transfer.tx_hash, "deposit credited");
        }
    }

    /// `account`'s deposits, newest first.
    pub fn deposits(&self, account: AccountId) -> impl Iterator<Item = &Deposit> {
        self.wallet
            .deposits
            .iter()
            .rev()
            .filter(move |d| d.transfer.account == account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    const ACCOUNT: AccountId = AccountId(0);

    fn seen(log_index: u64, block: u64) -> SeenTransfer {
        SeenTransfer {
            account: ACCOUNT,
            coin: "USDT".into(),
            network: "ETH".into(),
            address: Address::repeat_byte(9),
            amount: Decimal::from(40),
            tx_hash: B256::repeat_byte(3),
            log_index,
            block,
        }
    }

    #[test]
    fn a_transfer_is_credited_once_after_its_confirmations() {
        let mut exchange = Exchange::new(&Config::default(), 7);
        let usdt = |e: &Exchange| e.ledger.accounts.get(ACCOUNT).free("USDT");
        let before = usdt(&exchange);
        assert!(exchange.deposit_seen(seen(0, 10), 1));
        assert!(!exchange.deposit_seen(seen(0, 10), 2));
        exchange.confirm_deposits(11, 3, 3);
        assert_eq!(usdt(&exchange), before);
        let pending = exchange.deposits(ACCOUNT).next().unwrap();
        assert_eq!(
            (pending.status, pending.confirmations),
            (DepositStatus::Pending, 2)
        );
        exchange.confirm_deposits(12, 3, 4);
        exchange.confirm_deposits(13, 3, 5);
        assert!(!exchange.deposit_seen(seen(0, 10), 6));
        assert_eq!(usdt(&exchange), before + Decimal::from(40));
        // another log of the same transaction is another deposit
        assert!(exchange.deposit_seen(seen(1, 10), 7));
        exchange.confirm_deposits(13, 3, 8);
        assert_eq!(usdt(&exchange), before + Decimal::from(80));
        assert_eq!(exchange.deposits(ACCOUNT).count(), 2);
    }
}
