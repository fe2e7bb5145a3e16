//! Withdrawals: applied (the spot balance is debited at once, status 4 processing), sent by
//! [`super::chain`] (the transaction hash becomes `txId`), then completed once mined (6) or
//! failed and refunded (5), with Binance's status numbers.

use alloy::primitives::{Address, B256};
use rust_decimal::Decimal;

use super::{WalletReject, publish_balance_update};
use crate::engine::accounts::AccountId;
use crate::engine::exchange::Exchange;

/// A withdrawal's number: its place in [`super::WalletBook::withdrawals`] plus one. Binance's
/// `id` is its decimal string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WithdrawalId(pub u64);

/// Binance's withdrawal statuses, as far as the paper exchange goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WithdrawStatus {
    Processing = 4,
    Failure = 5,
    Completed = 6,
}

/// A withdrawal as applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WithdrawRequest {
    pub coin: String,
    pub network: String,
    pub address: Address,
    pub amount: Decimal,
    pub withdraw_order_id: Option<String>,
}

/// One withdrawal and how far it got.
#[derive(Clone, Debug)]
pub struct Withdrawal {
    pub id: WithdrawalId,
    pub account: AccountId,
    pub request: WithdrawRequest,
    pub apply_time: u64,
    pub status: WithdrawStatus,
    /// Set once the transaction is broadcast.
    pub tx_id: Option<B256>,
    pub complete_time: Option<u64>,
    /// Why it failed (shown as Binance's `info`).
    pub info: String,
}

impl Exchange {
    /// Debits `request.amount` of `request.coin` from `account`'s free spot balance and
    /// records the withdrawal as processing, for the chain task to send. A `withdrawOrderId`
    /// the account used before is refused, so a retried apply never sends twice. The caller
    /// has checked the coin, network and address.
    pub fn apply_withdrawal(
        &mut self,
        account: AccountId,
        request: WithdrawRequest,
        now: u64,
    ) -> Result<WithdrawalId, WalletReject> {
        if request.amount <= Decimal::ZERO {
            return Err(WalletReject::ZeroAmount);
        }
        if let Some(order_id) = &request.withdraw_order_id
            && self
                .withdrawals(account)
                .any(|w| w.request.withdraw_order_id.as_ref() == Some(order_id))
        {
            return Err(WalletReject::DuplicateWithdrawOrderId(order_id.clone()));
        }
        let spot = self.ledger.accounts.get_mut(account);
        if spot.free(&request.coin) < request.amount {
            return Err(WalletReject::WithdrawInsufficient);
        }
        spot.debit(&request.coin, request.amount);
        spot.update_time = now;
        let events = &self.ledger.events;
        publish_balance_update(events, account, &request.coin, -request.amount, now);
        let book = &mut self.wallet;
        let id = WithdrawalId(book.withdrawals.len() as u64 + 1);
        book.withdrawals.push(Withdrawal {
            id,
            account,
            request,
            apply_time: now,
            status: WithdrawStatus::Processing,
            tx_id: None,
            complete_time: None,
            info: String::new(),
        });
        Ok(id)
    }

    pub fn withdrawal(&self, id: WithdrawalId) -> Option<&Withdrawal> {
        let index = usize::try_from(id.0).ok()?.checked_sub(1)?;
        self.wallet.withdrawals.get(index)
    }

    fn withdrawal_mut(&mut self, id: WithdrawalId) -> Option<&mut Withdrawal> {
        let index = usize::try_from(id.0).ok()?.checked_sub(1)?;
        self.wallet.withdrawals.get_mut(index)
    }

    /// `account`'s withdrawals, newest first.
    pub fn withdrawals(&self, account: AccountId) -> impl Iterator<Item = &Withdrawal> {
        self.wallet
            .withdrawals
            .iter()
            .rev()
            .filter(move |w| w.account == account)
    }

    /// The withdrawal's transaction was broadcast.
    pub fn withdrawal_sent(&mut self, id: WithdrawalId, tx: B256) {
        if let Some(withdrawal) = self.withdrawal_mut(id) {
            withdrawal.tx_id = Some(tx);
        }
    }

    /// The withdrawal's transaction was mined.
    pub fn withdrawal_completed(&mut self, id: WithdrawalId, now: u64) {
        if let Some(withdrawal) = self.withdrawal_mut(id)
            && withdrawal.status == WithdrawStatus::Processing
        {
            withdrawal.status = WithdrawStatus::Completed;
            withdrawal.complete_time = Some(now);
        }
    }

    /// The withdrawal could not be sent, or its transaction reverted: the amount goes back
    /// to the spot balance, once.
    pub fn withdrawal_failed(&mut self, id: WithdrawalId, info: String, now: u64) {
        let Some(withdrawal) = self.withdrawal_mut(id) else {
            return;
        };
        if withdrawal.status != WithdrawStatus::Processing {
            return;
        }
        withdrawal.status = WithdrawStatus::Failure;
        withdrawal.complete_time = Some(now);
        withdrawal.info = info;
        let (account, coin, amount) = (
            withdrawal.account,
            withdrawal.request.coin.clone(),
            withdrawal.request.amount,
        );
        let spot = self.ledger.accounts.get_mut(account);
        spot.credit(&coin, amount);
        spot.update_time = now;
        publish_balance_update(&self.ledger.events, account, &coin, amount, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    const ACCOUNT: AccountId = AccountId(0);

    fn request(amount: &str, order_id: Option<&str>) -> WithdrawRequest {
        WithdrawRequest {
            coin: "USDT".into(),
            network: "ETH".into(),
            address: Address::repeat_byte(7),
            amount: amount.parse().unwrap(),
            withdraw_order_id: order_id.map(str::to_string),
        }
    }

    fn usdt(exchange: &Exchange) -> Decimal {
        exchange.ledger.accounts.get(ACCOUNT).free("USDT")
    }

    #[test]
    fn apply_debits_once_per_withdraw_order_id() {
        let mut exchange = Exchange::new(&Config::default(), 7);
        let before = usdt(&exchange);
        let id = exchange
            .apply_withdrawal(ACCOUNT, request("100", Some("w1")), 5)
            .unwrap();
        assert_eq!(usdt(&exchange), before - Decimal::from(100));
        assert_eq!(
            exchange.apply_withdrawal(ACCOUNT, request("100", Some("w1")), 6),
            Err(WalletReject::DuplicateWithdrawOrderId("w1".into()))
        );
        assert_eq!(usdt(&exchange), before - Decimal::from(100));
        exchange.withdrawal_sent(id, B256::repeat_byte(1));
        exchange.withdrawal_completed(id, 9);
        let done = exchange.withdrawal(id).unwrap();
        assert_eq!(done.status, WithdrawStatus::Completed);
        assert_eq!(done.tx_id, Some(B256::repeat_byte(1)));
        // a late failure report does not refund a completed withdrawal
        exchange.withdrawal_failed(id, "late".into(), 10);
        assert_eq!(usdt(&exchange), before - Decimal::from(100));
    }

    #[test]
    fn failures_refund_once_and_refusals_change_nothing() {
        let mut exchange = Exchange::new(&Config::default(), 7);
        let before = usdt(&exchange);
        let too_much = (before + Decimal::ONE).to_string();
        assert_eq!(
            exchange.apply_withdrawal(ACCOUNT, request(&too_much, None), 1),
            Err(WalletReject::WithdrawInsufficient)
        );
        assert_eq!(
            exchange.apply_withdrawal(ACCOUNT, request("0", None), 1),
            Err(WalletReject::ZeroAmount)
        );
        assert_eq!(usdt(&exchange), before);
        assert!(exchange.wallet.withdrawals.is_empty());
        let id = exchange
            .apply_withdrawal(ACCOUNT, request("5", None), 2)
            .unwrap();
        exchange.withdrawal_failed(id, "reverted".into(), 3);
        exchange.withdrawal_failed(id, "reverted".into(), 4);
        assert_eq!(usdt(&exchange), before);
        assert_eq!(
            exchange.withdrawal(id).unwrap().status,
            WithdrawStatus::Failure
        );
    }
}
