//! Universal transfers between the spot wallet and the USDⓈ-M futures wallet (Binance's
//! `MAIN_UMFUTURE` and `UMFUTURE_MAIN`). They confirm at once: both wallets are ours. Each
//! publishes a spot `balanceUpdate` and a futures `ACCOUNT_UPDATE` (DEPOSIT or WITHDRAW).

use rust_decimal::Decimal;

use super::{WalletReject, publish_balance_update};
use crate::engine::accounts::AccountId;
use crate::engine::exchange::Exchange;
use crate::engine::futures::MARGIN_ASSET;
use crate::engine::futures::events::wallet_transfer_update;

/// Which way a transfer goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferKind {
    /// Spot to USDⓈ-M futures.
    MainUmfuture,
    /// USDⓈ-M futures to spot.
    UmfutureMain,
}

impl TransferKind {
    pub const NAMES: &str = "MAIN_UMFUTURE, UMFUTURE_MAIN";

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "MAIN_UMFUTURE" => Some(TransferKind::MainUmfuture),
            "UMFUTURE_MAIN" => Some(TransferKind::UmfutureMain),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            TransferKind::MainUmfuture => "MAIN_UMFUTURE",
            TransferKind::UmfutureMain => "UMFUTURE_MAIN",
        }
    }
}

/// One confirmed transfer.
#[derive(Clone, Debug, PartialEq)]
pub struct Transfer {
    pub account: AccountId,
    pub kind: TransferKind,
    pub asset: String,
    pub amount: Decimal,
    pub tran_id: u64,
    pub timestamp: u64,
}

impl Exchange {
    /// Moves `amount` of `asset` (only USDT, the futures margin asset) between `account`'s
    /// spot and futures wallets and returns the transfer's `tranId`. Spot pays from its free
    /// balance; futures from what it could withdraw (available balance, at most the wallet),
    /// so that open positions and orders keep their margin. Nothing moves on a refusal.
    pub fn universal_transfer(
        &mut self,
        account: AccountId,
        kind: TransferKind,
        asset: &str,
        amount: Decimal,
        now: u64,
    ) -> Result<u64, WalletReject> {
        if asset != MARGIN_ASSET {
            return Err(WalletReject::TransferAsset);
        }
        if amount <= Decimal::ZERO {
            return Err(WalletReject::ZeroAmount);
        }
        let available = match kind {
            TransferKind::MainUmfuture => self.ledger.accounts.get(account).free(asset),
            TransferKind::UmfutureMain => self.futures_margins(account).max_withdraw(),
        };
        if available < amount {
            return Err(WalletReject::TransferInsufficient);
        }
        let (spot_delta, futures_delta) = match kind {
            TransferKind::MainUmfuture => (-amount, amount),
            TransferKind::UmfutureMain => (amount, -amount),
        };
        let spot = self.ledger.accounts.get_mut(account);
        spot.credit(asset, spot_delta);
        spot.update_time = now;
        let futures = &mut self.futures.accounts[account.0];
        futures.wallet += futures_delta;
        futures.update_time = now;
        publish_balance_update(&self.ledger.events, account, asset, spot_delta, now);
        let futures = self.futures.account(account);
        self.futures
            .publish(wallet_transfer_update(account, futures, futures_delta, now));
        let book = &mut self.wallet;
        let tran_id = book.transfers.len() as u64 + 1;
        book.transfers.push(Transfer {
            account,
            kind,
            asset: asset.to_string(),
            amount,
            tran_id,
            timestamp: now,
        });
        Ok(tran_id)
    }

    /// `account`'s transfers of `kind`, newest first.
    pub fn transfers(
        &self,
        account: AccountId,
        kind: TransferKind,
    ) -> impl Iterator<Item = &Transfer> {
        self.wallet
            .transfers
            .iter()
            .rev()
            .filter(move |t| t.account == account && t.kind == kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::engine::futures::place::NewFuturesOrder;
    use crate::engine::orders::{Side, TimeInForce};

    const ACCOUNT: AccountId = AccountId(0);

    fn exchange() -> Exchange {
        Exchange::new(&Config::default(), 7)
    }

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn wallets(exchange: &Exchange) -> (Decimal, Decimal) {
        (
            exchange.ledger.accounts.get(ACCOUNT).free("USDT"),
            exchange.futures.account(ACCOUNT).wallet,
        )
    }

    #[test]
    fn transfers_move_usdt_both_ways_and_are_recorded() {
        let mut exchange = exchange();
        let (spot, futures) = wallets(&exchange);
        let kind = TransferKind::MainUmfuture;
        assert_eq!(
            exchange.universal_transfer(ACCOUNT, kind, "USDT", d("250.5"), 10),
            Ok(1)
        );
        assert_eq!(
            wallets(&exchange),
            (spot - d("250.5"), futures + d("250.5"))
        );
        let back = TransferKind::UmfutureMain;
        assert_eq!(
            exchange.universal_transfer(ACCOUNT, back, "USDT", d("0.5"), 11),
            Ok(2)
        );
        assert_eq!(wallets(&exchange), (spot - d("250"), futures + d("250")));
        let history: Vec<_> = exchange.transfers(ACCOUNT, kind).collect();
        assert_eq!(history.len(), 1);
        assert_eq!((history[0].tran_id, history[0].amount), (1, d("250.5")));
    }

    #[test]
    fn futures_pay_out_only_what_open_orders_leave_free() {
        let mut exchange = exchange();
        let resting = NewFuturesOrder {
            symbol: "ETHUSDT".into(),
            side: Side::Buy,
            qty: d("100"),
            limit: Some((d("1500"), TimeInForce::Gtc)),
            reduce_only: false,
            client_order_id: None,
        };
        exchange.place_futures(ACCOUNT, resting, 1).unwrap();
        let free = exchange.futures_margins(ACCOUNT).max_withdraw();
        // 100 at 1500 over 20x leverage holds 7,500 of the wallet
        assert_eq!(free, exchange.futures.account(ACCOUNT).wallet - d("7500"));
        let back = TransferKind::UmfutureMain;
        assert_eq!(
            exchange.universal_transfer(ACCOUNT, back, "USDT", free + d("0.01"), 2),
            Err(WalletReject::TransferInsufficient)
        );
        assert!(
            exchange
                .universal_transfer(ACCOUNT, back, "USDT", free, 3)
                .is_ok()
        );
        assert_eq!(exchange.futures.account(ACCOUNT).wallet, d("7500"));
    }

    #[test]
    fn refused_transfers_change_nothing() {
        let mut exchange = exchange();
        let before = wallets(&exchange);
        let too_much = before.0 + Decimal::ONE;
        let refusals = [
            (TransferKind::MainUmfuture, "USDT", too_much),
            (TransferKind::UmfutureMain, "USDT", before.1 + Decimal::ONE),
            (TransferKind::MainUmfuture, "ETH", Decimal::ONE),
            (TransferKind::MainUmfuture, "USDT", Decimal::ZERO),
        ];
        for (kind, asset, amount) in refusals {
            assert!(
                exchange
                    .universal_transfer(ACCOUNT, kind, asset, amount, 1)
                    .is_err()
            );
        }
        assert_eq!(wallets(&exchange), before);
        assert!(exchange.wallet.transfers.is_empty());
    }
}
