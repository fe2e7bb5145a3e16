//! `read_balance_sheet`: party B's collateral on the book as the balance manager sees it. Every
//! party A we hold a quote of gets its allocation, reservations and our unrealized P&L on its
//! open positions at the broker's mark price. Logs and counts each allocation's health.

use super::{IntentDesk, IntentError, contract::IntentBook, quotes::read_quote};
use crate::treasury::IERC20;
use crate::{chain::ChainError, observe};
use alloy::primitives::{Address, U256};
use chrono::{TimeDelta, Utc};
use hedgeflow_proto::{
    balance::{Allocation, BalanceRequest, BalanceSheet},
    intent::{ChainQuote, HedgerState, IntentRef, PositionType, from_wad},
};
use rust_decimal::{Decimal, RoundingStrategy, prelude::ToPrimitive};
use std::collections::BTreeMap;

impl IntentDesk {
    pub(super) async fn balance_sheet(
        &self,
        request: &BalanceRequest,
    ) -> Result<BalanceSheet, IntentError> {
        let chain_id = self.chain.config.chain_id;
        if request.chain_id != chain_id {
            return Err(IntentError::Decode(format!(
                "chain {} is not the book's ({chain_id})",
                request.chain_id
            )));
        }
        let balance = self
            .config
            .balance
            .as_ref()
            .ok_or_else(|| IntentError::Decode("no [intents.balance] section".into()))?;
        let policy = balance.policy().map_err(IntentError::Decode)?;
        let book = IntentBook::new(self.config.book, self.chain.provider.clone());

        // Party As, and whether one of their quotes is between steps or changed lately (a new
        // quote may be counting on the allocation the hedger's policy found free).
        let idle = TimeDelta::from_std(balance.release_after).unwrap_or(TimeDelta::MAX);
        let since = Utc::now().checked_sub_signed(idle).unwrap_or_default();
        let mut busy: BTreeMap<Address, bool> = BTreeMap::new();
        for (party_a, state, recent) in self.store.intent_party_states(chain_id, since).await? {
            let party_a: Address = party_a
                .parse()
                .map_err(|_| IntentError::Decode(format!("stored party A {party_a}")))?;
            let between = HedgerState::parse(&state).is_none_or(HedgerState::is_between_steps);
            *busy.entry(party_a).or_default() |= between || recent;
        }
        let mut open: BTreeMap<Address, Vec<ChainQuote>> = BTreeMap::new();
        for row in self.store.intent_positions(None).await? {
            let quote = read_quote(&self.chain, self.config.book, row.quote_id as u64).await?;
            if quote.status.has_position() && quote.party_b == Some(self.party_b) {
                open.entry(quote.party_a).or_default().push(quote);
            }
        }
        let mut marks = BTreeMap::new();
        let mut allocations = Vec::with_capacity(busy.len());
        for (party_a, busy) in busy {
            let (allocated, reserved) = self.party_b_allocation(party_a).await?;
            let mut allocation = Allocation {
                party_a,
                allocated,
                cva_lf: Decimal::ZERO,
                maintenance: Decimal::ZERO,
                reserved,
                upnl: Decimal::ZERO,
                busy,
            };
            for quote in open.get(&party_a).into_iter().flatten() {
                let mark = self.mark(&mut marks, quote.symbol_id).await?;
                allocation.upnl += party_b_upnl(quote, mark);
                allocation.maintenance += quote.party_b_mm;
                allocation.cva_lf += quote.party_b_locked - quote.party_b_mm;
            }
            if let Some(health) = allocation.health() {
                let ratio = health.to_f64().unwrap_or(f64::MAX);
                observe::allocation_health(&party_a.to_string(), ratio, health < policy.min_health);
            }
            allocations.push(allocation);
        }
        let book_free = self.party_b_free().await?;
        let collateral = book.collateral().call().await.map_err(ChainError::rpc)?;
        let in_wallet = self::balance(
            IERC20::new(collateral, self.chain.provider.clone())
                .balanceOf(self.party_b)
                .call()
                .await,
        )?;
        Ok(BalanceSheet {
            chain_id,
            book: self.config.book,
            collateral,
            party_b: self.party_b,
            book_free,
            wallet_collateral: in_wallet,
            allocations,
            policy,
        })
    }

    /// What party B's allocation for `intent`'s party A lacks to pay `owed`, rounded up to a
    /// millionth.
    pub(super) async fn close_shortfall(
        &self,
        intent: &IntentRef,
        owed: Decimal,
    ) -> Result<Decimal, IntentError> {
        let quote = read_quote(&self.chain, intent.book, intent.quote_id).await?;
        let (allocated, _) = self.party_b_allocation(quote.party_a).await?;
        Ok((owed - allocated)
            .max(Decimal::ZERO)
            .round_dp_with_strategy(6, RoundingStrategy::AwayFromZero))
    }

    /// Party B's allocation for `party_a`, and what of it the book reserves (locked and pending
    /// cva + lf + maintenance): `deallocateForPartyB` can take only the difference.
    pub(super) async fn party_b_allocation(
        &self,
        party_a: Address,
    ) -> Result<(Decimal, Decimal), IntentError> {
        let book = IntentBook::new(self.config.book, self.chain.provider.clone());
        let b = self.party_b;
        // Three independent views: one round trip's wait, not three.
        let (allocated, locked, pending) = (
            book.allocatedBalanceOfPartyB(b, party_a),
            book.lockedBalanceOfPartyB(b, party_a),
            book.pendingLockedBalanceOfPartyB(b, party_a),
        );
        let (allocated, locked, pending) =
            tokio::join!(allocated.call(), locked.call(), pending.call());
        let allocated = balance(allocated)?;
        Ok((allocated, balance(locked)? + balance(pending)?))
    }

    /// Party B's free (unallocated) balance in the book.
    pub(super) async fn party_b_free(&self) -> Result<Decimal, IntentError> {
        let book = IntentBook::new(self.config.book, self.chain.provider.clone());
        balance(book.balanceOf(self.party_b).call().await)
    }

    /// The broker's mark price of the book's `symbol_id`, asked once per sheet.
    async fn mark(
        &self,
        marks: &mut BTreeMap<u64, Decimal>,
        symbol_id: u64,
    ) -> Result<Decimal, IntentError> {
        if let Some(mark) = marks.get(&symbol_id) {
            return Ok(*mark);
        }
        let symbol = self
            .config
            .symbol(symbol_id)
            .ok_or_else(|| IntentError::Decode(format!("symbol {symbol_id} is not hedged")))?;
        let mark = self
            .broker
            .mark_price(&symbol.broker_symbol)
            .await?
            .mark_price;
        marks.insert(symbol_id, mark);
        Ok(mark)
    }
}

/// A balance view's answer as collateral.
fn balance(read: Result<U256, alloy::contract::Error>) -> Result<Decimal, IntentError> {
    let value = read.map_err(ChainError::rpc)?;
    from_wad(value).ok_or_else(|| IntentError::Decode(format!("{value} is not a balance")))
}

/// Party B's unrealized P&L on `quote`'s open quantity at `mark`: party B is short a LONG.
fn party_b_upnl(quote: &ChainQuote, mark: Decimal) -> Decimal {
    let move_up = (mark - quote.opened_price) * quote.open_quantity();
    match quote.position_type {
        PositionType::Long => -move_up,
        PositionType::Short => move_up,
    }
}
