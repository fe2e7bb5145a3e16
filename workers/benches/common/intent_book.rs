//! The test stack's `IntentBook` from party A's side, for benches: new party A accounts funded
//! in one go, their quotes and close requests as transactions to send at once
//! (`common/accounts.rs`), and the book's events as a block watcher (`common/blocks.rs`) saw
//! them, by quote. Needs `accounts`, `blocks` and `support` at the bench's crate root.

use crate::accounts::{self, Account};
use crate::blocks::{Block, SeenLog};
use crate::support::{
    dev_account,
    party_a::{ETHUSDT, LONG, MARKET, now, wad},
};
use alloy::{
    network::TransactionBuilder,
    primitives::{B256, U256},
    providers::{DynProvider, Provider},
    rpc::types::TransactionRequest,
};
use hedgeflow::dev::deploy::{self, TestToken};
use hedgeflow_activities::intent::contract::{IntentBook, quote_status};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::collections::HashMap;
use std::time::Duration;

pub type Book = IntentBook::IntentBookInstance<DynProvider>;

/// Gas of party A's set-up calls (mint, approve, deposit, allocate) and close requests.
const CALL_GAS: u64 = 300_000;

/// `count` new party A accounts, each with gas money and 100,000 of collateral deposited and
/// allocated in `book`: the deployer's transactions all at once, then the parties' all at once.
pub async fn funded_parties(book: &Book, count: usize) -> Vec<Account> {
    let chain = book.provider();
    let parties: Vec<Account> = (0..count).map(|_| Account::random()).collect();
    let deployer = dev_account(9);
    let collateral = deploy::intent_collateral_address(deployer.address());
    let collateral = TestToken::new(collateral, chain.clone());
    let nonce = chain.get_transaction_count(deployer.address()).pending();
    let deployer = Account::at(deployer, nonce.await.expect("the deployer's nonce"));
    let amount = wad(dec!(100000));
    let mut gifts = Vec::new();
    for party in &parties {
        let gas_money = TransactionRequest::default()
            .with_to(party.address())
            .with_value(U256::from(10u128.pow(18)))
            .with_gas_limit(21_000);
        let mint = collateral.mint(party.address(), amount);
        gifts.push(gas_money);
        gifts.push(mint.into_transaction_request().with_gas_limit(CALL_GAS));
    }
    let sent = accounts::send_at_once(chain, &[(&deployer, gifts)]).await;
    accounts::mined(chain, &sent, Duration::from_secs(120)).await;
    let own: Vec<(&Account, Vec<TransactionRequest>)> = parties
        .iter()
        .map(|party| {
            let calls = vec![
                collateral
                    .approve(*book.address(), U256::MAX)
                    .into_transaction_request(),
                book.deposit(amount).into_transaction_request(),
                book.allocate(amount).into_transaction_request(),
            ];
            let calls = calls.into_iter().map(|c| c.with_gas_limit(CALL_GAS));
            (party, calls.collect())
        })
        .collect();
    let sent = accounts::send_at_once(chain, &own).await;
    accounts::mined(chain, &sent, Duration::from_secs(120)).await;
    parties
}

/// Party A's MARKET LONG of `quantity` ETHUSDT at `price`, valid for `ttl` seconds, with the
/// tests' locked values (cva 100, lf 20, maintenance margins 200); its gas limit not set.
pub fn quote(book: &Book, price: Decimal, quantity: Decimal, ttl: u64) -> TransactionRequest {
    book.sendQuote(
        vec![],
        U256::from(ETHUSDT),
        LONG,
        MARKET,
        wad(price.round_dp(2)),
        wad(quantity),
        wad(dec!(100)),
        wad(dec!(20)),
        wad(dec!(200)),
        wad(dec!(200)),
        U256::ZERO,
        U256::from(now() + ttl),
    )
    .into_transaction_request()
}

/// Party A asking to close `quantity` of quote `id` at MARKET `price`, valid for `ttl` seconds.
pub fn close_request(
    book: &Book,
    id: u64,
    price: Decimal,
    quantity: Decimal,
    ttl: u64,
) -> TransactionRequest {
    book.requestToClosePosition(
        U256::from(id),
        wad(price.round_dp(2)),
        wad(quantity),
        MARKET,
        U256::from(now() + ttl),
    )
    .into_transaction_request()
    .with_gas_limit(CALL_GAS)
}

/// The book's events in a watcher's logs, by quote id (`SendQuote` by its transaction), each
/// with the block it was in.
#[derive(Default)]
pub struct Events {
    pub sent: HashMap<B256, (u64, Block)>,
    pub locked: HashMap<u64, Block>,
    pub opened: HashMap<u64, Block>,
    pub close_requested: HashMap<u64, Block>,
    /// `FillCloseRequest` that left the quote CLOSED.
    pub closed: HashMap<u64, Block>,
}

impl Events {
    pub fn of(logs: &[SeenLog]) -> Self {
        let mut events = Events::default();
        let id = |quote_id: U256| u64::try_from(quote_id).unwrap_or(u64::MAX);
        for seen in logs {
            let (log, block) = (&seen.log, seen.block);
            if let Ok(e) = log.log_decode::<IntentBook::SendQuote>() {
                let tx = log.transaction_hash.unwrap_or_default();
                events.sent.insert(tx, (id(e.inner.data.quoteId), block));
            } else if let Ok(e) = log.log_decode::<IntentBook::LockQuote>() {
                events.locked.insert(id(e.inner.data.quoteId), block);
            } else if let Ok(e) = log.log_decode::<IntentBook::OpenPosition>() {
                events.opened.insert(id(e.inner.data.quoteId), block);
            } else if let Ok(e) = log.log_decode::<IntentBook::RequestToClosePosition>() {
                events
                    .close_requested
                    .insert(id(e.inner.data.quoteId), block);
            } else if let Ok(e) = log.log_decode::<IntentBook::FillCloseRequest>()
                && e.inner.data.quoteStatus == quote_status::CLOSED
            {
                events.closed.insert(id(e.inner.data.quoteId), block);
            }
        }
        events
    }
}
