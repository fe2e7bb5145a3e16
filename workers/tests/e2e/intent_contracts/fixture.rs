//! The fixture of the `IntentBook` tests: a fresh anvil with the book deployed, funded parties,
//! the standard quote, the actions every test takes (send, lock, open, close) each checked to log
//! its one event, the signed prices, the views of both parties' collateral, and the assertions
//! the tests repeat (an event, a wrong status, a wrong caller, a settled close).

use crate::contract_chain::{self, now, reverts};
use alloy::{
    contract::{CallBuilder, CallDecoder, SolCallBuilder},
    primitives::{Address, B256, U256, keccak256},
    providers::{DynProvider, Provider},
    rpc::types::TransactionReceipt,
    signers::{Signature, SignerSync, local::PrivateKeySigner},
    sol_types::{SolError, SolEvent, SolValue},
};
use hedgeflow::dev::{deploy::TestToken, process};
use hedgeflow_activities::intent::contract::{
    IntentBook::{self, PriceSig},
    order_type::LIMIT,
};
use std::fmt::Debug;

pub const CHAIN_ID: u64 = 41360;

/// Account indices of the dev mnemonic.
pub const PARTY_A: usize = 1;
pub const PARTY_B: usize = 2;
/// A second registered party B, also funded for party A.
pub const OTHER_B: usize = 3;
pub const STRANGER: usize = 4;
pub const PRICE_SIGNER: usize = 5;
pub const ADMIN: usize = 9;

/// The book's parameters.
pub const FORCE_CANCEL_COOLDOWN: u64 = 300;
pub const FORCE_CANCEL_CLOSE_COOLDOWN: u64 = 600;
pub const PRICE_VALIDITY: u64 = 60;
pub const MAX_DEVIATION_BPS: u64 = 100;

/// The one symbol, and the smallest notional it takes.
pub const SYMBOL: u64 = 1;
pub const MIN_NOTIONAL: u64 = 1_000;

/// The standard quote: 10 at 2,000, open for an hour, reserving 100 + 50 + 200 = 350 of party
/// A's allocation and 100 + 50 + 150 = 300 of party B's.
pub const PRICE: u64 = 2_000;
pub const QUANTITY: u64 = 10;
pub const CVA: u64 = 100;
pub const LF: u64 = 50;
pub const PARTY_A_MM: u64 = 200;
pub const PARTY_B_MM: u64 = 150;
pub const RESERVE_A: u64 = CVA + LF + PARTY_A_MM;
pub const RESERVE_B: u64 = CVA + LF + PARTY_B_MM;
pub const QUOTE_TTL: u64 = 3_600;

/// What each funded party holds: minted, deposited, and allocated (party Bs: for party A).
pub const MINTED: u64 = 100_000;
pub const DEPOSITED: u64 = 50_000;
pub const ALLOCATED: u64 = 10_000;

/// `n` whole units in 18-decimal fixed point.
pub fn units(n: u64) -> U256 {
    U256::from(n) * U256::from(10).pow(U256::from(18))
}

/// `n` thousandths of a unit.
pub fn milli(n: u64) -> U256 {
    U256::from(n) * U256::from(10).pow(U256::from(15))
}

pub type Book = IntentBook::IntentBookInstance<DynProvider>;
pub type Token = TestToken::TestTokenInstance<DynProvider>;

/// `sendQuote`'s arguments.
#[derive(Clone, Debug)]
pub struct NewQuote {
    pub whitelist: Vec<Address>,
    pub symbol_id: U256,
    pub position_type: u8,
    pub order_type: u8,
    pub price: U256,
    pub quantity: U256,
    pub cva: U256,
    pub lf: U256,
    pub party_amm: U256,
    pub party_bmm: U256,
    pub max_funding_rate: U256,
    pub deadline: U256,
}

/// A party A's view of its collateral in the book.
#[derive(Debug, PartialEq)]
pub struct PartyA {
    pub balance: U256,
    pub allocated: U256,
    pub pending: U256,
    pub locked: U256,
}

/// A party B's view of its collateral in the book, for one party A (`balance` is its own).
#[derive(Debug, PartialEq)]
pub struct PartyB {
    pub balance: U256,
    pub allocated: U256,
    pub pending: U256,
    pub locked: U256,
}

pub struct Env {
    pub _anvil: process::Supervised,
    pub _dir: tempfile::TempDir,
    pub provider: DynProvider,
    pub signers: Vec<PrivateKeySigner>,
    pub book: Book,
    pub token: Token,
}

impl Env {
    /// A fresh anvil with the token and the book deployed by the admin, symbol 1 added, party B
    /// and the other party B registered; party A and both party Bs hold [`MINTED`], deposited
    /// [`DEPOSITED`] and allocated [`ALLOCATED`] (the party Bs for party A).
    pub async fn start() -> Env {
        let chain = contract_chain::dev_chain("intent-contracts", CHAIN_ID).await;
        let (provider, signers) = (chain.provider, chain.signers);
        let admin = signers[ADMIN].address();
        let token =
            TestToken::deploy_builder(provider.clone(), "Tether USD".into(), "USDT".into(), 18)
                .from(admin)
                .deploy()
                .await
                .unwrap();
        let book = IntentBook::deploy_builder(
            provider.clone(),
            token,
            signers[PRICE_SIGNER].address(),
            U256::from(FORCE_CANCEL_COOLDOWN),
            U256::from(FORCE_CANCEL_CLOSE_COOLDOWN),
            U256::from(PRICE_VALIDITY),
            U256::from(MAX_DEVIATION_BPS),
        )
        .from(admin)
        .deploy()
        .await
        .unwrap();
        let env = Env {
            _anvil: chain.anvil,
            _dir: chain.dir,
            book: IntentBook::new(book, provider.clone()),
            token: TestToken::new(token, provider.clone()),
            provider,
            signers,
        };
        mined(
            env.book
                .addSymbol("BTCUSDT".into(), units(MIN_NOTIONAL))
                .from(admin),
        )
        .await;
        for party_b in [PARTY_B, OTHER_B] {
            mined(env.book.registerPartyB(env.account(party_b)).from(admin)).await;
        }
        for party in [PARTY_A, PARTY_B, OTHER_B] {
            env.fund(party, MINTED, DEPOSITED).await;
        }
        mined(env.book.allocate(units(ALLOCATED)).from(env.a())).await;
        for party_b in [PARTY_B, OTHER_B] {
            mined(
                env.book
                    .allocateForPartyB(units(ALLOCATED), env.a())
                    .from(env.account(party_b)),
            )
            .await;
        }
        env
    }

    pub fn account(&self, index: usize) -> Address {
        self.signers[index].address()
    }

    pub fn a(&self) -> Address {
        self.account(PARTY_A)
    }

    pub fn b(&self) -> Address {
        self.account(PARTY_B)
    }

    pub fn admin(&self) -> Address {
        self.account(ADMIN)
    }

    pub fn book_address(&self) -> Address {
        *self.book.address()
    }

    /// Mints `minted` to `party`, approves the book for all of it and deposits `deposited`.
    pub async fn fund(&self, party: usize, minted: u64, deposited: u64) {
        let account = self.account(party);
        mined(self.token.mint(account, units(minted)).from(self.admin())).await;
        mined(
            self.token
                .approve(self.book_address(), U256::MAX)
                .from(account),
        )
        .await;
        mined(self.book.deposit(units(deposited)).from(account)).await;
    }

    /// The standard quote (see [`QUANTITY`]) of this side and order type, lockable by anyone.
    pub async fn new_quote(&self, position_type: u8, order_type: u8) -> NewQuote {
        NewQuote {
            whitelist: vec![],
            symbol_id: U256::from(SYMBOL),
            position_type,
            order_type,
            price: units(PRICE),
            quantity: units(QUANTITY),
            cva: units(CVA),
            lf: units(LF),
            party_amm: units(PARTY_A_MM),
            party_bmm: units(PARTY_B_MM),
            max_funding_rate: milli(1),
            deadline: U256::from(now(&self.provider).await + QUOTE_TTL),
        }
    }

    pub fn send_call(
        &self,
        quote: &NewQuote,
    ) -> SolCallBuilder<&DynProvider, IntentBook::sendQuoteCall> {
        self.book.sendQuote(
            quote.whitelist.clone(),
            quote.symbol_id,
            quote.position_type,
            quote.order_type,
            quote.price,
            quote.quantity,
            quote.cva,
            quote.lf,
            quote.party_amm,
            quote.party_bmm,
            quote.max_funding_rate,
            quote.deadline,
        )
    }

    /// Party A sends `quote`; its id.
    pub async fn send(&self, quote: &NewQuote) -> U256 {
        let receipt = mined(self.send_call(quote).from(self.a())).await;
        self.one_event::<IntentBook::SendQuote>(&receipt).quoteId
    }

    /// Party A sends the standard quote and party B locks it; its id.
    pub async fn locked(&self, position_type: u8, order_type: u8) -> U256 {
        let id = self
            .send(&self.new_quote(position_type, order_type).await)
            .await;
        self.lock(PARTY_B, id).await;
        id
    }

    /// [`Env::locked`], then party B opens all of it at the requested price; its id.
    pub async fn opened(&self, position_type: u8) -> U256 {
        let id = self.locked(position_type, LIMIT).await;
        self.open(id, units(QUANTITY), units(PRICE)).await;
        id
    }

    pub async fn lock(&self, party_b: usize, id: U256) {
        let receipt = mined(self.book.lockQuote(id).from(self.account(party_b))).await;
        assert_eq!(
            self.one_event::<IntentBook::LockQuote>(&receipt),
            IntentBook::LockQuote {
                partyB: self.account(party_b),
                quoteId: id
            }
        );
    }

    /// Party B opens `filled` of quote `id` at `price`, with `price` signed now; the event.
    pub async fn open(&self, id: U256, filled: U256, price: U256) -> IntentBook::OpenPosition {
        let receipt = mined(
            self.book
                .openPosition(id, filled, price, self.price_sig(price).await)
                .from(self.b()),
        )
        .await;
        self.one_event(&receipt)
    }

    /// Party A asks to close `quantity` of quote `id` at `price` within an hour.
    pub async fn request_close(&self, id: U256, price: U256, quantity: U256, order_type: u8) {
        let deadline = U256::from(now(&self.provider).await + QUOTE_TTL);
        let receipt = mined(
            self.book
                .requestToClosePosition(id, price, quantity, order_type, deadline)
                .from(self.a()),
        )
        .await;
        self.one_event::<IntentBook::RequestToClosePosition>(&receipt);
    }

    /// Party B fills `filled` of quote `id`'s close request at `price`, signed now; the event.
    pub async fn fill_close(
        &self,
        id: U256,
        filled: U256,
        price: u64,
    ) -> IntentBook::FillCloseRequest {
        let price = units(price);
        let receipt = mined(
            self.book
                .fillCloseRequest(id, filled, price, self.price_sig(price).await)
                .from(self.b()),
        )
        .await;
        self.one_event(&receipt)
    }

    /// The digest the price signer signs, computed here as the off-chain signer does.
    pub fn price_digest(&self, symbol_id: u64, price: U256, timestamp: u64) -> B256 {
        keccak256(
            (
                self.book_address(),
                U256::from(CHAIN_ID),
                U256::from(symbol_id),
                price,
                U256::from(timestamp),
            )
                .abi_encode(),
        )
    }

    /// `signer`'s EIP-191 signature of the price, as r, s, v.
    pub fn sign_price(
        &self,
        signer: usize,
        symbol_id: u64,
        price: U256,
        timestamp: u64,
    ) -> Signature {
        self.signers[signer]
            .sign_message_sync(self.price_digest(symbol_id, price, timestamp).as_slice())
            .unwrap()
    }

    pub fn price_sig_with(
        &self,
        signer: usize,
        symbol_id: u64,
        price: U256,
        timestamp: u64,
    ) -> PriceSig {
        PriceSig {
            symbolId: U256::from(symbol_id),
            price,
            timestamp: U256::from(timestamp),
            signature: self
                .sign_price(signer, symbol_id, price, timestamp)
                .as_bytes()
                .into(),
        }
    }

    /// `price` of the symbol, signed by the price signer as of the latest block.
    pub async fn price_sig(&self, price: U256) -> PriceSig {
        self.price_sig_with(PRICE_SIGNER, SYMBOL, price, now(&self.provider).await)
    }

    pub async fn quote(&self, id: U256) -> IntentBook::Quote {
        self.book.getQuote(id).call().await.unwrap()
    }

    pub async fn status(&self, id: U256) -> u8 {
        self.quote(id).await.quoteStatus
    }

    pub async fn party_a(&self, party_a: Address) -> PartyA {
        PartyA {
            balance: self.book.balanceOf(party_a).call().await.unwrap(),
            allocated: self
                .book
                .allocatedBalanceOfPartyA(party_a)
                .call()
                .await
                .unwrap(),
            pending: self
                .book
                .pendingLockedBalanceOfPartyA(party_a)
                .call()
                .await
                .unwrap(),
            locked: self
                .book
                .lockedBalanceOfPartyA(party_a)
                .call()
                .await
                .unwrap(),
        }
    }

    pub async fn party_b(&self, party_b: Address, party_a: Address) -> PartyB {
        PartyB {
            balance: self.book.balanceOf(party_b).call().await.unwrap(),
            allocated: self
                .book
                .allocatedBalanceOfPartyB(party_b, party_a)
                .call()
                .await
                .unwrap(),
            pending: self
                .book
                .pendingLockedBalanceOfPartyB(party_b, party_a)
                .call()
                .await
                .unwrap(),
            locked: self
                .book
                .lockedBalanceOfPartyB(party_b, party_a)
                .call()
                .await
                .unwrap(),
        }
    }

    /// Party A's (pending, locked) reservations.
    pub async fn a_reserved(&self) -> (U256, U256) {
        let a = self.party_a(self.a()).await;
        (a.pending, a.locked)
    }

    /// Party B's (pending, locked) reservations for party A.
    pub async fn b_reserved(&self) -> (U256, U256) {
        let b = self.party_b(self.b(), self.a()).await;
        (b.pending, b.locked)
    }

    /// The only event the book logged in `receipt`, which must be an `E`.
    pub fn one_event<E: SolEvent>(&self, receipt: &TransactionReceipt) -> E {
        let logs: Vec<_> = receipt
            .logs()
            .iter()
            .filter(|log| log.address() == self.book_address())
            .collect();
        assert_eq!(logs.len(), 1, "one IntentBook event: {logs:?}");
        logs[0]
            .log_decode::<E>()
            .unwrap_or_else(|error| panic!("not a {}: {error}", E::SIGNATURE))
            .inner
            .data
    }

    /// Mines the call and asserts that the book logged exactly one event, `expected`.
    pub async fn emits<P: Provider, D: CallDecoder, E: SolEvent + PartialEq + Debug>(
        &self,
        call: CallBuilder<P, D>,
        expected: E,
    ) {
        let receipt = mined(call).await;
        assert_eq!(self.one_event::<E>(&receipt), expected);
    }

    /// Quote `id`'s close request: (status, quantity still to close, quantity closed).
    pub async fn close_state(&self, id: U256) -> (u8, U256, U256) {
        let quote = self.quote(id).await;
        (quote.quoteStatus, quote.quantityToClose, quote.closedAmount)
    }

    /// Asserts what party A and party B (for party A) hold after a close was settled: their
    /// balances untouched, `allocated` (party A's, party B's) after the P&L moved between them,
    /// nothing pending and `locked` (party A's, party B's) still locked by what stays open.
    pub async fn assert_settled(&self, allocated: (U256, U256), locked: (U256, U256)) {
        assert_eq!(
            self.party_a(self.a()).await,
            PartyA {
                balance: units(DEPOSITED - ALLOCATED),
                allocated: allocated.0,
                pending: U256::ZERO,
                locked: locked.0,
            }
        );
        assert_eq!(
            self.party_b(self.b(), self.a()).await,
            PartyB {
                balance: units(DEPOSITED - ALLOCATED),
                allocated: allocated.1,
                pending: U256::ZERO,
                locked: locked.1,
            }
        );
    }
}

/// `contract_chain::mined` with the gas headroom the chain submitter adds
/// (`activities/src/chain/submit.rs`). Every quote action stores `block.timestamp`; an estimate
/// made in the same second as the quote's previous change prices that store as a no-op (100 gas
/// instead of 2,900), which is too little if the transaction lands in the next second.
pub async fn mined<P: Provider, D: CallDecoder>(call: CallBuilder<P, D>) -> TransactionReceipt {
    let gas = call
        .estimate_gas()
        .await
        .unwrap_or_else(|error| panic!("estimating failed: {error:?}"));
    contract_chain::mined(call.gas(gas + gas / 5)).await
}

/// The custom error `E` the call reverts with, for errors with a field only the chain knows
/// (the block's timestamp).
pub async fn error_of<P: Provider, D: CallDecoder, E: SolError + Debug>(
    call: CallBuilder<P, D>,
) -> E {
    let error = match call.send().await {
        Ok(pending) => panic!("expected a revert, but {} was sent", pending.tx_hash()),
        Err(error) => error,
    };
    error
        .as_decoded_error::<E>()
        .unwrap_or_else(|| panic!("not {}: {error:?}", E::SIGNATURE))
}

pub fn reserve_a() -> U256 {
    units(RESERVE_A)
}

pub fn reserve_b() -> U256 {
    units(RESERVE_B)
}

/// Asserts that the call reverts because quote `id` is in `status`, which the call does not take.
pub async fn wrong_status<P: Provider, D: CallDecoder>(
    call: CallBuilder<P, D>,
    id: U256,
    status: u8,
) {
    let expected = IntentBook::WrongStatus {
        quoteId: id,
        quoteStatus: status,
    };
    reverts(call, expected).await
}

/// Asserts that the call reverts because `caller` is not quote `id`'s party A.
pub async fn only_party_a<P: Provider, D: CallDecoder>(
    call: CallBuilder<P, D>,
    id: U256,
    caller: Address,
) {
    reverts(
        call,
        IntentBook::OnlyPartyA {
            quoteId: id,
            caller,
        },
    )
    .await
}

/// Asserts that the call reverts because `caller` is not quote `id`'s party B.
pub async fn only_party_b<P: Provider, D: CallDecoder>(
    call: CallBuilder<P, D>,
    id: U256,
    caller: Address,
) {
    reverts(
        call,
        IntentBook::OnlyPartyB {
            quoteId: id,
            caller,
        },
    )
    .await
}
