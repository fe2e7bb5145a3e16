//! The intent hedger's balance manager (`IntentBalanceWorkflow`): what it reads of our party B's
//! collateral and the moves it makes between party-A allocations, the book's free balance and the
//! broker account.
//!
//! A party A's allocation is healthy when what party B would have left for it after paying its
//! unrealized loss still covers its maintenance margin, with room to spare:
//! `health = (allocated + uPnL − cva − lf) / maintenance`. At 1 the allocation is exactly what
//! party B locked when opening; below it a close at the current mark would be refused by the book
//! (the loser pays from its allocation).

use crate::{Amount, chain::TxIntent, intent::to_wad, transfer::transferCall};
use alloy::{
    primitives::{Address, B256},
    sol,
    sol_types::SolCall,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

sol! {
    /// Lets the book take the collateral a deposit moves in.
    function approve(address spender, uint256 amount) external returns (bool);
}

/// One run of the balance manager: the book's chain (the Schedule's argument). The policy is read
/// from the orchestrator's config each run, so a config change applies without a new Schedule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceRequest {
    pub chain_id: u64,
}

/// The thresholds the balance manager keeps (`[intents.balance]`), in collateral units and health
/// ratios.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalancePolicy {
    /// An allocation below this health is topped up...
    pub min_health: Decimal,
    /// ...to this health.
    pub target_health: Decimal,
    /// Above this health, an allocation's excess over `target_health` is released to the book's
    /// free balance, where others can use it. An allocation without positions is released whole.
    pub release_above: Decimal,
    /// The broker account's available balance below which the book's spare free balance is sent
    /// to it; the broker's balance above it is what may come back to the chain.
    pub broker_min_available: Decimal,
    /// What a move to the broker aims to leave it with.
    pub broker_target_available: Decimal,
    /// Free balance kept in the book for new quotes' allocations; only the rest goes to the broker.
    pub chain_reserve: Decimal,
    /// Moves smaller than this are not worth a transaction.
    pub min_move: Decimal,
    /// Whether collateral may move between the broker account and the chain.
    pub broker_moves: bool,
    /// The broker's name of the book's collateral (`USDT`) and of the book's chain (its
    /// withdrawal `network`).
    pub broker_asset: BrokerAsset,
    /// Collateral the hot wallet keeps outside the book; what it holds beyond this (left there by
    /// a move that stopped halfway) is deposited back into the book.
    #[serde(default)]
    pub wallet_float: Decimal,
}

/// Party B's allocation for one party A, as the book and the broker's mark prices have it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    pub party_a: Address,
    /// `allocatedBalanceOfPartyB`.
    pub allocated: Decimal,
    /// Locked and pending cva + lf: paid out on liquidation, so not party B's to count on.
    pub cva_lf: Decimal,
    /// Locked and pending party-B maintenance margin.
    pub maintenance: Decimal,
    /// Every reservation (cva + lf + maintenance, locked and pending): what
    /// `deallocateForPartyB` cannot take.
    pub reserved: Decimal,
    /// Party B's unrealized P&L on its open positions with this party A, at the broker's mark.
    pub upnl: Decimal,
    /// A quote of this party A is between steps (locking, opening, closing) or changed lately:
    /// its allocation may be in use and is not released.
    pub busy: bool,
}

impl Allocation {
    /// What the allocation is worth to party B after its loss and the liquidation fees.
    pub fn equity(&self) -> Decimal {
        self.allocated + self.upnl - self.cva_lf
    }

    /// `None` without positions (no maintenance to cover).
    pub fn health(&self) -> Option<Decimal> {
        (!self.maintenance.is_zero()).then(|| self.equity() / self.maintenance)
    }

    /// What the book lets party B deallocate.
    pub fn free(&self) -> Decimal {
        (self.allocated - self.reserved).max(Decimal::ZERO)
    }
}

/// Everything the balance manager decides from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceSheet {
    pub chain_id: u64,
    pub book: Address,
    /// The book's collateral token.
    pub collateral: Address,
    /// Party B: the hot wallet.
    pub party_b: Address,
    /// Party B's free (unallocated) balance in the book.
    pub book_free: Decimal,
    /// The book's collateral in the hot wallet itself (outside the book).
    #[serde(default)]
    pub wallet_collateral: Decimal,
    pub allocations: Vec<Allocation>,
    pub policy: BalancePolicy,
}

impl BalanceSheet {
    /// A transaction of the hot wallet on the book's chain, journaled under `key`.
    pub fn tx(&self, key: String, to: Address, data: Vec<u8>) -> TxIntent {
        TxIntent {
            intent_key: key,
            chain_id: self.chain_id,
            to,
            value: Amount::ZERO,
            data: data.into(),
        }
    }

    /// `collateral.approve(book, amount)`.
    pub fn approve_book(&self, amount: Decimal) -> Option<Vec<u8>> {
        Some(
            approveCall {
                spender: self.book,
                amount: to_wad(amount)?,
            }
            .abi_encode(),
        )
    }

    /// `collateral.transfer(to, amount)`.
    pub fn transfer_collateral(&self, to: Address, amount: Decimal) -> Option<Vec<u8>> {
        Some(
            transferCall {
                to,
                amount: to_wad(amount)?,
            }
            .abi_encode(),
        )
    }
}

/// The broker account's collateral (USDⓈ-M futures wallet).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerFunds {
    pub asset: String,
    /// What can leave the account without touching open positions' margin.
    pub available: Decimal,
    pub wallet: Decimal,
    pub maintenance_margin: Decimal,
}

/// One move of collateral, executed as its own idempotent step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum BalanceMove {
    /// `deallocateForPartyB`: from a party A's allocation to the book's free balance.
    Release { party_a: Address, amount: Decimal },
    /// `allocateForPartyB`: from the book's free balance to a party A's allocation.
    TopUp { party_a: Address, amount: Decimal },
    /// Broker futures wallet → spot → withdrawal to the hot wallet → `deposit` into the book.
    BrokerToChain { amount: Decimal },
    /// `withdraw` from the book → the broker's deposit address → futures wallet.
    ChainToBroker { amount: Decimal },
    /// The hot wallet's collateral beyond its float (a move that stopped after its collateral
    /// left the book or the broker) → `deposit` into the book.
    Deposit { amount: Decimal },
}

/// The book's collateral as the broker names it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerAsset {
    /// `USDT`.
    pub asset: String,
    /// The book's chain, as the broker's wallet API names it.
    pub network: String,
}

/// A broker withdrawal to the chain, idempotent by `id` (the exchange's `withdrawOrderId`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerWithdrawal {
    pub id: String,
    pub asset: String,
    pub network: String,
    pub amount: Decimal,
    /// Where on chain (the hot wallet).
    pub address: Address,
    /// The newest wallet transfer's `tranId` before the move: a transfer of the same kind and
    /// amount after it is this move's, made before a crash. 0 (moves started before marks were
    /// recorded) takes any such transfer for the move's: never a second transfer.
    #[serde(default)]
    pub transfer_mark: u64,
}

/// A transfer to the broker's deposit address, to be credited and moved to the futures wallet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerDeposit {
    /// Names the move, for the futures-wallet transfer's journal.
    pub id: String,
    pub asset: String,
    pub amount: Decimal,
    pub tx_hash: B256,
    /// As [`BrokerWithdrawal::transfer_mark`].
    #[serde(default)]
    pub transfer_mark: u64,
}

/// A move and how it ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveOutcome {
    /// The move's key: the run's workflow id and its index.
    pub id: String,
    #[serde(flatten)]
    pub kind: BalanceMove,
    /// Transactions sent, by step.
    pub transactions: Vec<(String, B256)>,
    /// Why it stopped, if it did not complete.
    pub error: Option<String>,
}

/// What a run saw and did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceReport {
    pub sheet: BalanceSheet,
    pub broker: Option<BrokerFunds>,
    pub moves: Vec<MoveOutcome>,
}
