//! `contracts/src/IntentBook.sol` on a real anvil, through the binding the intent hedger uses
//! (`hedgeflow_activities::intent::contract`): every rule of the quote book, each with its
//! positive case and its negative ones (wrong caller, wrong state, deadline, whitelist, price
//! rules, allocation). Each test starts its own anvil and deploys a `TestToken` (18 decimals) as
//! collateral and the book, with one symbol, two registered party Bs, and party A and both party
//! Bs funded and allocated; so tests share no balances, quotes or clock.
//!
//! Each action is checked, in its test and in the fixture's helpers, to log exactly one
//! `IntentBook` event of the expected kind and fields (`expireQuote`: one per quote); balances
//! are checked exactly (pending and locked reservations through the
//! lifecycle, P&L on close). Reverts are asserted by their custom error (selector and
//! arguments), decoded from the revert data of the failed gas estimation. Prices are signed
//! here the way the off-chain price signer does: EIP-191 over the digest the contract's
//! `priceDigest` returns (one test pins the two to each other).

#[path = "contract_chain/mod.rs"]
mod contract_chain;

use alloy::{
    contract::{CallBuilder, CallDecoder, SolCallBuilder},
    primitives::{Address, B256, Bytes, U256, keccak256},
    providers::{DynProvider, Provider},
    rpc::types::TransactionReceipt,
    signers::{Signature, SignerSync, local::PrivateKeySigner},
    sol_types::{SolError, SolEvent, SolValue},
};
use contract_chain::{events, reverts};
use hedgeflow::dev::{deploy::TestToken, process};
use hedgeflow_activities::intent::contract::{
    IntentBook::{self, PriceSig},
    order_type::{LIMIT, MARKET},
    position_type::{LONG, SHORT},
    quote_status::*,
};
use std::fmt::Debug;

const CHAIN_ID: u64 = 41360;

/// Account indices of the dev mnemonic.
const PARTY_A: usize = 1;
const PARTY_B: usize = 2;
/// A second registered party B, also funded for party A.
const OTHER_B: usize = 3;
const STRANGER: usize = 4;
const PRICE_SIGNER: usize = 5;
const ADMIN: usize = 9;

/// The book's parameters.
const FORCE_CANCEL_COOLDOWN: u64 = 300;
const FORCE_CANCEL_CLOSE_COOLDOWN: u64 = 600;
const PRICE_VALIDITY: u64 = 60;
const MAX_DEVIATION_BPS: u64 = 100;

/// The one symbol, and the smallest notional it takes.
const SYMBOL: u64 = 1;
const MIN_NOTIONAL: u64 = 1_000;

/// The standard quote: 10 at 2,000, open for an hour, reserving 100 + 50 + 200 = 350 of party
/// A's allocation and 100 + 50 + 150 = 300 of party B's.
const PRICE: u64 = 2_000;
const QUANTITY: u64 = 10;
const CVA: u64 = 100;
const LF: u64 = 50;
const PARTY_A_MM: u64 = 200;
const PARTY_B_MM: u64 = 150;
const RESERVE_A: u64 = CVA + LF + PARTY_A_MM;
const RESERVE_B: u64 = CVA + LF + PARTY_B_MM;
const QUOTE_TTL: u64 = 3_600;

/// What each funded party holds: minted, deposited, and allocated (party Bs: for party A).
const MINTED: u64 = 100_000;
const DEPOSITED: u64 = 50_000;
const ALLOCATED: u64 = 10_000;

/// The secp256k1 group order.
const SECP256K1_N: U256 = U256::from_limbs([
    0xbfd25e8cd0364141,
    0xbaaedce6af48a03b,
    0xfffffffffffffffe,
    0xffffffffffffffff,
]);

/// `n` whole units in 18-decimal fixed point.
fn units(n: u64) -> U256 {
    U256::from(n) * U256::from(10).pow(U256::from(18))
}

/// `n` thousandths of a unit.
fn milli(n: u64) -> U256 {
    U256::from(n) * U256::from(10).pow(U256::from(15))
}

type Book = IntentBook::IntentBookInstance<DynProvider>;
type Token = TestToken::TestTokenInstance<DynProvider>;

/// `sendQuote`'s arguments.
#[derive(Clone, Debug)]
struct NewQuote {
    whitelist: Vec<Address>,
    symbol_id: U256,
    position_type: u8,
    order_type: u8,
    price: U256,
    quantity: U256,
    cva: U256,
    lf: U256,
    party_amm: U256,
    party_bmm: U256,
    max_funding_rate: U256,
    deadline: U256,
}

/// A party A's view of its collateral in the book.
#[derive(Debug, PartialEq)]
struct PartyA {
    balance: U256,
    allocated: U256,
    pending: U256,
    locked: U256,
}

/// A party B's view of its collateral in the book, for one party A (`balance` is its own).
#[derive(Debug, PartialEq)]
struct PartyB {
    balance: U256,
    allocated: U256,
    pending: U256,
    locked: U256,
}

struct Env {
    _anvil: process::Supervised,
    _dir: tempfile::TempDir,
    provider: DynProvider,
    signers: Vec<PrivateKeySigner>,
    book: Book,
    token: Token,
}

impl Env {
    /// A fresh anvil with the token and the book deployed by the admin, symbol 1 added, party B
    /// and the other party B registered; party A and both party Bs hold [`MINTED`], deposited
    /// [`DEPOSITED`] and allocated [`ALLOCATED`] (the party Bs for party A).
    async fn start() -> Env {
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

    fn account(&self, index: usize) -> Address {
        self.signers[index].address()
    }

    fn a(&self) -> Address {
        self.account(PARTY_A)
    }

    fn b(&self) -> Address {
        self.account(PARTY_B)
    }

    fn admin(&self) -> Address {
        self.account(ADMIN)
    }

    fn book_address(&self) -> Address {
        *self.book.address()
    }

    /// Mints `minted` to `party`, approves the book for all of it and deposits `deposited`.
    async fn fund(&self, party: usize, minted: u64, deposited: u64) {
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
    async fn new_quote(&self, position_type: u8, order_type: u8) -> NewQuote {
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
            deadline: U256::from(self.now().await + QUOTE_TTL),
        }
    }

    fn send_call(
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
    async fn send(&self, quote: &NewQuote) -> U256 {
        let receipt = mined(self.send_call(quote).from(self.a())).await;
        self.one_event::<IntentBook::SendQuote>(&receipt).quoteId
    }

    /// Party A sends the standard quote and party B locks it; its id.
    async fn locked(&self, position_type: u8, order_type: u8) -> U256 {
        let id = self
            .send(&self.new_quote(position_type, order_type).await)
            .await;
        self.lock(PARTY_B, id).await;
        id
    }

    /// [`Env::locked`], then party B opens all of it at the requested price; its id.
    async fn opened(&self, position_type: u8) -> U256 {
        let id = self.locked(position_type, LIMIT).await;
        self.open(id, units(QUANTITY), units(PRICE)).await;
        id
    }

    async fn lock(&self, party_b: usize, id: U256) {
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
    async fn open(&self, id: U256, filled: U256, price: U256) -> IntentBook::OpenPosition {
        let receipt = mined(
            self.book
                .openPosition(id, filled, price, self.price_sig(price).await)
                .from(self.b()),
        )
        .await;
        self.one_event(&receipt)
    }

    /// Party A asks to close `quantity` of quote `id` at `price` within an hour.
    async fn request_close(&self, id: U256, price: U256, quantity: U256, order_type: u8) {
        let deadline = U256::from(self.now().await + QUOTE_TTL);
        let receipt = mined(
            self.book
                .requestToClosePosition(id, price, quantity, order_type, deadline)
                .from(self.a()),
        )
        .await;
        self.one_event::<IntentBook::RequestToClosePosition>(&receipt);
    }

    /// Party B fills `filled` of quote `id`'s close request at `price`, signed now; the event.
    async fn fill_close(&self, id: U256, filled: U256, price: u64) -> IntentBook::FillCloseRequest {
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
    fn price_digest(&self, symbol_id: u64, price: U256, timestamp: u64) -> B256 {
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
    fn sign_price(&self, signer: usize, symbol_id: u64, price: U256, timestamp: u64) -> Signature {
        self.signers[signer]
            .sign_message_sync(self.price_digest(symbol_id, price, timestamp).as_slice())
            .unwrap()
    }

    fn price_sig_with(
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
    async fn price_sig(&self, price: U256) -> PriceSig {
        self.price_sig_with(PRICE_SIGNER, SYMBOL, price, self.now().await)
    }

    async fn quote(&self, id: U256) -> IntentBook::Quote {
        self.book.getQuote(id).call().await.unwrap()
    }

    async fn status(&self, id: U256) -> u8 {
        self.quote(id).await.quoteStatus
    }

    async fn party_a(&self, party_a: Address) -> PartyA {
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

    async fn party_b(&self, party_b: Address, party_a: Address) -> PartyB {
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
    async fn a_reserved(&self) -> (U256, U256) {
        let a = self.party_a(self.a()).await;
        (a.pending, a.locked)
    }

    /// Party B's (pending, locked) reservations for party A.
    async fn b_reserved(&self) -> (U256, U256) {
        let b = self.party_b(self.b(), self.a()).await;
        (b.pending, b.locked)
    }

    /// The only event the book logged in `receipt`, which must be an `E`.
    fn one_event<E: SolEvent>(&self, receipt: &TransactionReceipt) -> E {
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

    /// The latest block's timestamp.
    async fn now(&self) -> u64 {
        self.provider
            .get_block_by_number(Default::default())
            .await
            .unwrap()
            .unwrap()
            .header
            .timestamp
    }

    async fn increase_time(&self, seconds: u64) {
        self.provider
            .raw_request::<_, serde_json::Value>("evm_increaseTime".into(), (seconds,))
            .await
            .unwrap();
        self.provider
            .raw_request::<_, serde_json::Value>("evm_mine".into(), ())
            .await
            .unwrap();
    }
}

/// `contract_chain::mined` with the gas headroom the chain submitter adds
/// (`activities/src/chain/submit.rs`). Every quote action stores `block.timestamp`; an estimate
/// made in the same second as the quote's previous change prices that store as a no-op (100 gas
/// instead of 2,900), which is too little if the transaction lands in the next second.
async fn mined<P: Provider, D: CallDecoder>(call: CallBuilder<P, D>) -> TransactionReceipt {
    let gas = call
        .estimate_gas()
        .await
        .unwrap_or_else(|error| panic!("estimating failed: {error:?}"));
    contract_chain::mined(call.gas(gas + gas / 5)).await
}

/// The custom error `E` the call reverts with, for errors with a field only the chain knows
/// (the block's timestamp).
async fn error_of<P: Provider, D: CallDecoder, E: SolError + Debug>(call: CallBuilder<P, D>) -> E {
    let error = match call.send().await {
        Ok(pending) => panic!("expected a revert, but {} was sent", pending.tx_hash()),
        Err(error) => error,
    };
    error
        .as_decoded_error::<E>()
        .unwrap_or_else(|| panic!("not {}: {error:?}", E::SIGNATURE))
}

fn reserve_a() -> U256 {
    units(RESERVE_A)
}

fn reserve_b() -> U256 {
    units(RESERVE_B)
}

// ------------------------------------------------------------------------------------ admin

#[tokio::test]
async fn the_deployer_administers_symbols_party_bs_and_the_price_signer() {
    let env = Env::start().await;
    let (book, admin) = (&env.book, env.admin());
    let stranger = env.account(STRANGER);
    assert_eq!(book.admin().call().await.unwrap(), admin);
    assert_eq!(
        book.collateral().call().await.unwrap(),
        *env.token.address()
    );
    assert_eq!(
        book.priceSigner().call().await.unwrap(),
        env.account(PRICE_SIGNER)
    );
    assert_eq!(
        (
            book.forceCancelCooldown().call().await.unwrap(),
            book.forceCancelCloseCooldown().call().await.unwrap(),
            book.priceValidity().call().await.unwrap(),
            book.maxPriceDeviationBps().call().await.unwrap(),
        ),
        (
            U256::from(FORCE_CANCEL_COOLDOWN),
            U256::from(FORCE_CANCEL_CLOSE_COOLDOWN),
            U256::from(PRICE_VALIDITY),
            U256::from(MAX_DEVIATION_BPS)
        )
    );

    // Symbols count from 1 (the fixture added the first).
    let receipt = mined(book.addSymbol("ETHUSDT".into(), units(50)).from(admin)).await;
    assert_eq!(
        env.one_event::<IntentBook::AddSymbol>(&receipt),
        IntentBook::AddSymbol {
            symbolId: U256::from(2),
            name: "ETHUSDT".into()
        }
    );
    assert_eq!(book.symbolsCount().call().await.unwrap(), U256::from(2));
    assert_eq!(
        book.getSymbol(U256::from(2)).call().await.unwrap(),
        IntentBook::Symbol {
            symbolId: U256::from(2),
            name: "ETHUSDT".into(),
            isValid: true,
            minAcceptableQuoteValue: units(50),
        }
    );
    for unknown in [0, 3] {
        reverts(
            book.getSymbol(U256::from(unknown)),
            IntentBook::UnknownSymbol {
                symbolId: U256::from(unknown),
            },
        )
        .await;
    }

    // A disabled symbol takes no new quote; enabled again, it does.
    let quote = env.new_quote(LONG, LIMIT).await;
    let receipt = mined(
        book.setSymbolValidation(U256::from(SYMBOL), false)
            .from(admin),
    )
    .await;
    assert_eq!(
        env.one_event::<IntentBook::SetSymbolValidation>(&receipt),
        IntentBook::SetSymbolValidation {
            symbolId: U256::from(SYMBOL),
            isValid: false
        }
    );
    assert!(
        !book
            .getSymbol(U256::from(SYMBOL))
            .call()
            .await
            .unwrap()
            .isValid
    );
    reverts(
        env.send_call(&quote).from(env.a()),
        IntentBook::InvalidSymbol {
            symbolId: U256::from(SYMBOL),
        },
    )
    .await;
    reverts(
        book.setSymbolValidation(U256::from(9), true).from(admin),
        IntentBook::UnknownSymbol {
            symbolId: U256::from(9),
        },
    )
    .await;
    mined(
        book.setSymbolValidation(U256::from(SYMBOL), true)
            .from(admin),
    )
    .await;
    env.send(&quote).await;

    // Party Bs: registered once, by the admin, never address zero.
    assert!(!book.isPartyB(stranger).call().await.unwrap());
    let receipt = mined(book.registerPartyB(stranger).from(admin)).await;
    assert_eq!(
        env.one_event::<IntentBook::RegisterPartyB>(&receipt),
        IntentBook::RegisterPartyB { partyB: stranger }
    );
    assert!(book.isPartyB(stranger).call().await.unwrap());
    reverts(
        book.registerPartyB(stranger).from(admin),
        IntentBook::AlreadyPartyB { partyB: stranger },
    )
    .await;
    reverts(
        book.registerPartyB(Address::ZERO).from(admin),
        IntentBook::ZeroAddress {},
    )
    .await;

    // The price signer can be replaced, never by address zero.
    let receipt = mined(book.setPriceSigner(stranger).from(admin)).await;
    assert_eq!(
        env.one_event::<IntentBook::SetPriceSigner>(&receipt),
        IntentBook::SetPriceSigner {
            oldSigner: env.account(PRICE_SIGNER),
            newSigner: stranger
        }
    );
    assert_eq!(book.priceSigner().call().await.unwrap(), stranger);
    reverts(
        book.setPriceSigner(Address::ZERO).from(admin),
        IntentBook::ZeroAddress {},
    )
    .await;

    // Nobody else administers.
    for caller in [stranger, env.a(), env.b()] {
        let only_admin = IntentBook::OnlyAdmin { caller };
        reverts(
            book.addSymbol("X".into(), U256::ZERO).from(caller),
            only_admin.clone(),
        )
        .await;
        reverts(
            book.setSymbolValidation(U256::from(SYMBOL), false)
                .from(caller),
            only_admin.clone(),
        )
        .await;
        reverts(
            book.registerPartyB(env.account(7)).from(caller),
            only_admin.clone(),
        )
        .await;
        reverts(book.setPriceSigner(caller).from(caller), only_admin).await;
    }
    assert_eq!(book.symbolsCount().call().await.unwrap(), U256::from(2));

    // The constructor takes neither a zero collateral nor a zero price signer.
    for (collateral, signer) in [
        (Address::ZERO, stranger),
        (*env.token.address(), Address::ZERO),
    ] {
        reverts(
            IntentBook::deploy_builder(
                env.provider.clone(),
                collateral,
                signer,
                U256::ZERO,
                U256::ZERO,
                U256::ZERO,
                U256::ZERO,
            )
            .from(admin),
            IntentBook::ZeroAddress {},
        )
        .await;
    }
}

// --------------------------------------------------------------------------------- balances

#[tokio::test]
async fn deposits_withdrawals_and_allocations_move_exact_amounts() {
    let env = Env::start().await;
    let (book, a, b) = (&env.book, env.a(), env.b());
    let stranger = env.account(STRANGER);
    assert_eq!(
        env.party_a(a).await,
        PartyA {
            balance: units(DEPOSITED - ALLOCATED),
            allocated: units(ALLOCATED),
            pending: U256::ZERO,
            locked: U256::ZERO,
        }
    );
    assert_eq!(
        env.token
            .balanceOf(env.book_address())
            .call()
            .await
            .unwrap(),
        units(3 * DEPOSITED)
    );

    // Deposit pulls the tokens; without an allowance it moves nothing.
    mined(env.token.mint(stranger, units(100)).from(env.admin())).await;
    reverts(
        book.deposit(units(10)).from(stranger),
        IntentBook::TransferFailed {
            token: *env.token.address(),
            from: stranger,
            to: env.book_address(),
            amount: units(10),
        },
    )
    .await;
    mined(
        env.token
            .approve(env.book_address(), units(10))
            .from(stranger),
    )
    .await;
    let receipt = mined(book.deposit(units(10)).from(stranger)).await;
    assert_eq!(
        env.one_event::<IntentBook::Deposit>(&receipt),
        IntentBook::Deposit {
            sender: stranger,
            user: stranger,
            amount: units(10)
        }
    );
    assert_eq!(book.balanceOf(stranger).call().await.unwrap(), units(10));
    assert_eq!(
        env.token.balanceOf(stranger).call().await.unwrap(),
        units(90)
    );

    // Withdraw at most the balance, and it pays the tokens back.
    reverts(
        book.withdraw(units(11)).from(stranger),
        IntentBook::InsufficientBalance {
            user: stranger,
            balance: units(10),
            needed: units(11),
        },
    )
    .await;
    let receipt = mined(book.withdraw(units(4)).from(stranger)).await;
    assert_eq!(
        env.one_event::<IntentBook::Withdraw>(&receipt),
        IntentBook::Withdraw {
            sender: stranger,
            user: stranger,
            amount: units(4)
        }
    );
    assert_eq!(book.balanceOf(stranger).call().await.unwrap(), units(6));
    assert_eq!(
        env.token.balanceOf(stranger).call().await.unwrap(),
        units(94)
    );

    // Party A allocates from its balance and deallocates back.
    let balance = units(DEPOSITED - ALLOCATED);
    reverts(
        book.allocate(balance + U256::from(1)).from(a),
        IntentBook::InsufficientBalance {
            user: a,
            balance,
            needed: balance + U256::from(1),
        },
    )
    .await;
    let receipt = mined(book.allocate(units(1_000)).from(a)).await;
    assert_eq!(
        env.one_event::<IntentBook::AllocatePartyA>(&receipt),
        IntentBook::AllocatePartyA {
            user: a,
            amount: units(1_000)
        }
    );
    let receipt = mined(book.deallocate(units(400)).from(a)).await;
    assert_eq!(
        env.one_event::<IntentBook::DeallocatePartyA>(&receipt),
        IntentBook::DeallocatePartyA {
            user: a,
            amount: units(400)
        }
    );
    assert_eq!(
        env.party_a(a).await,
        PartyA {
            balance: balance - units(600),
            allocated: units(ALLOCATED + 600),
            pending: U256::ZERO,
            locked: U256::ZERO,
        }
    );
    reverts(
        book.deallocate(units(ALLOCATED + 601)).from(a),
        IntentBook::InsufficientAllocation {
            party: a,
            available: units(ALLOCATED + 600),
            needed: units(ALLOCATED + 601),
        },
    )
    .await;

    // Party B allocates per party A, and only registered party Bs do.
    let other_a = env.account(6);
    let receipt = mined(book.allocateForPartyB(units(500), other_a).from(b)).await;
    assert_eq!(
        env.one_event::<IntentBook::AllocateForPartyB>(&receipt),
        IntentBook::AllocateForPartyB {
            partyB: b,
            partyA: other_a,
            amount: units(500)
        }
    );
    assert_eq!(
        env.party_b(b, other_a).await,
        PartyB {
            balance: units(DEPOSITED - ALLOCATED - 500),
            allocated: units(500),
            pending: U256::ZERO,
            locked: U256::ZERO,
        }
    );
    assert_eq!(
        env.party_b(b, a).await.allocated,
        units(ALLOCATED),
        "what it allocated for another party A is untouched"
    );
    reverts(
        book.deallocateForPartyB(units(501), other_a).from(b),
        IntentBook::InsufficientAllocation {
            party: b,
            available: units(500),
            needed: units(501),
        },
    )
    .await;
    let receipt = mined(book.deallocateForPartyB(units(200), other_a).from(b)).await;
    assert_eq!(
        env.one_event::<IntentBook::DeallocateForPartyB>(&receipt),
        IntentBook::DeallocateForPartyB {
            partyB: b,
            partyA: other_a,
            amount: units(200)
        }
    );
    assert_eq!(
        env.party_b(b, other_a).await,
        PartyB {
            balance: units(DEPOSITED - ALLOCATED - 300),
            allocated: units(300),
            pending: U256::ZERO,
            locked: U256::ZERO,
        }
    );
    reverts(
        book.allocateForPartyB(units(1), a).from(stranger),
        IntentBook::NotPartyB { caller: stranger },
    )
    .await;
    reverts(
        book.deallocateForPartyB(units(1), a).from(a),
        IntentBook::NotPartyB { caller: a },
    )
    .await;
    reverts(
        book.allocateForPartyB(units(DEPOSITED), a).from(b),
        IntentBook::InsufficientBalance {
            user: b,
            balance: units(DEPOSITED - ALLOCATED - 300),
            needed: units(DEPOSITED),
        },
    )
    .await;
}

#[tokio::test]
async fn only_the_free_allocation_is_reserved_or_deallocated_through_the_lifecycle() {
    let env = Env::start().await;
    let (book, a, b) = (&env.book, env.a(), env.b());
    let free_a = units(ALLOCATED - RESERVE_A);
    let free_b = units(ALLOCATED - RESERVE_B);

    // Sent: party A's reserve is pending.
    let id = env.send(&env.new_quote(LONG, LIMIT).await).await;
    assert_eq!(env.a_reserved().await, (reserve_a(), U256::ZERO));
    reverts(
        book.deallocate(free_a + U256::from(1)).from(a),
        IntentBook::InsufficientAllocation {
            party: a,
            available: free_a,
            needed: free_a + U256::from(1),
        },
    )
    .await;

    // Locked: party B's too.
    env.lock(PARTY_B, id).await;
    assert_eq!(env.b_reserved().await, (reserve_b(), U256::ZERO));
    reverts(
        book.deallocateForPartyB(free_b + U256::from(1), a).from(b),
        IntentBook::InsufficientAllocation {
            party: b,
            available: free_b,
            needed: free_b + U256::from(1),
        },
    )
    .await;

    // Opened: both move from pending to locked, and still are not free.
    env.open(id, units(QUANTITY), units(PRICE)).await;
    assert_eq!(env.a_reserved().await, (U256::ZERO, reserve_a()));
    assert_eq!(env.b_reserved().await, (U256::ZERO, reserve_b()));
    reverts(
        book.deallocate(free_a + U256::from(1)).from(a),
        IntentBook::InsufficientAllocation {
            party: a,
            available: free_a,
            needed: free_a + U256::from(1),
        },
    )
    .await;
    reverts(
        book.deallocateForPartyB(free_b + U256::from(1), a).from(b),
        IntentBook::InsufficientAllocation {
            party: b,
            available: free_b,
            needed: free_b + U256::from(1),
        },
    )
    .await;

    // Closing request: still locked.
    env.request_close(id, units(PRICE), units(QUANTITY), LIMIT)
        .await;
    assert_eq!(env.a_reserved().await, (U256::ZERO, reserve_a()));

    // Closed at the opened price (no P&L): everything is free again, exactly.
    env.fill_close(id, units(QUANTITY), PRICE).await;
    assert_eq!(env.a_reserved().await, (U256::ZERO, U256::ZERO));
    assert_eq!(env.b_reserved().await, (U256::ZERO, U256::ZERO));
    mined(book.deallocate(units(ALLOCATED)).from(a)).await;
    mined(book.deallocateForPartyB(units(ALLOCATED), a).from(b)).await;
    assert_eq!(
        env.party_a(a).await,
        PartyA {
            balance: units(DEPOSITED),
            allocated: U256::ZERO,
            pending: U256::ZERO,
            locked: U256::ZERO,
        }
    );
    assert_eq!(
        env.party_b(b, a).await,
        PartyB {
            balance: units(DEPOSITED),
            allocated: U256::ZERO,
            pending: U256::ZERO,
            locked: U256::ZERO,
        }
    );
}

// ------------------------------------------------------------------------------- sendQuote

#[tokio::test]
async fn send_quote_stores_the_intent_and_reserves_party_as_collateral() {
    let env = Env::start().await;
    let (book, a) = (&env.book, env.a());
    let mut quote = env.new_quote(SHORT, MARKET).await;
    quote.whitelist = vec![env.b(), env.account(OTHER_B)];
    let receipt = mined(env.send_call(&quote).from(a)).await;
    let id = U256::from(1);
    assert_eq!(
        env.one_event::<IntentBook::SendQuote>(&receipt),
        IntentBook::SendQuote {
            partyA: a,
            quoteId: id,
            partyBsWhiteList: quote.whitelist.clone(),
            symbolId: U256::from(SYMBOL),
            positionType: SHORT,
            orderType: MARKET,
            price: units(PRICE),
            quantity: units(QUANTITY),
            cva: units(CVA),
            lf: units(LF),
            partyAmm: units(PARTY_A_MM),
            partyBmm: units(PARTY_B_MM),
            maxFundingRate: milli(1),
            deadline: quote.deadline,
        }
    );
    assert_eq!(book.quotesCount().call().await.unwrap(), id);
    let sent_at = U256::from(env.now().await);
    assert_eq!(
        env.quote(id).await,
        IntentBook::Quote {
            id,
            partyBsWhiteList: quote.whitelist.clone(),
            symbolId: U256::from(SYMBOL),
            positionType: SHORT,
            orderType: MARKET,
            openedPrice: U256::ZERO,
            requestedOpenPrice: units(PRICE),
            quantity: units(QUANTITY),
            closedAmount: U256::ZERO,
            lockedValues: IntentBook::LockedValues {
                cva: units(CVA),
                lf: units(LF),
                partyAmm: units(PARTY_A_MM),
                partyBmm: units(PARTY_B_MM),
            },
            maxFundingRate: milli(1),
            partyA: a,
            partyB: Address::ZERO,
            quoteStatus: PENDING,
            avgClosedPrice: U256::ZERO,
            requestedClosePrice: U256::ZERO,
            quantityToClose: U256::ZERO,
            closeOrderType: LIMIT,
            parentId: U256::ZERO,
            createTimestamp: sent_at,
            statusModifyTimestamp: sent_at,
            deadline: quote.deadline,
            closeDeadline: U256::ZERO,
        }
    );
    assert_eq!(
        env.party_a(a).await,
        PartyA {
            balance: units(DEPOSITED - ALLOCATED),
            allocated: units(ALLOCATED),
            pending: reserve_a(),
            locked: U256::ZERO,
        }
    );
    for unknown in [0, 2] {
        reverts(
            book.getQuote(U256::from(unknown)),
            IntentBook::UnknownQuote {
                quoteId: U256::from(unknown),
            },
        )
        .await;
    }

    // Each rule, broken alone.
    let good = env.new_quote(LONG, LIMIT).await;
    for symbol in [0, 2] {
        let mut bad = good.clone();
        bad.symbol_id = U256::from(symbol);
        reverts(
            env.send_call(&bad).from(a),
            IntentBook::InvalidSymbol {
                symbolId: U256::from(symbol),
            },
        )
        .await;
    }
    let mut bad = good.clone();
    bad.quantity = U256::ZERO;
    reverts(
        env.send_call(&bad).from(a),
        IntentBook::InvalidQuantity {
            quantity: U256::ZERO,
        },
    )
    .await;
    let mut bad = good.clone();
    bad.price = U256::ZERO;
    reverts(
        env.send_call(&bad).from(a),
        IntentBook::InvalidPrice { price: U256::ZERO },
    )
    .await;
    let mut bad = good.clone();
    bad.deadline = U256::from(env.now().await);
    let error: IntentBook::InvalidDeadline = error_of(env.send_call(&bad).from(a)).await;
    assert_eq!(error.deadline, bad.deadline);
    assert!(error.timestamp >= bad.deadline, "{error:?}");
    // 0.4 at 2,000 is 800, below the symbol's 1,000; 0.5 is exactly 1,000.
    let mut bad = good.clone();
    bad.quantity = milli(400);
    reverts(
        env.send_call(&bad).from(a),
        IntentBook::NotionalTooSmall {
            notional: units(800),
            minimum: units(MIN_NOTIONAL),
        },
    )
    .await;
    let mut smallest = good.clone();
    smallest.quantity = milli(500);
    env.send(&smallest).await;
    // Party A's free allocation: 10,000 - 2 * 350.
    let free = units(ALLOCATED - 2 * RESERVE_A);
    let mut bad = good.clone();
    bad.cva = free - units(LF + PARTY_A_MM) + U256::from(1);
    reverts(
        env.send_call(&bad).from(a),
        IntentBook::InsufficientAllocation {
            party: a,
            available: free,
            needed: free + U256::from(1),
        },
    )
    .await;
    bad.cva -= U256::from(1);
    env.send(&bad).await;
    assert_eq!(
        env.party_a(a).await.pending,
        units(ALLOCATED),
        "the whole allocation is pending"
    );
    assert_eq!(book.quotesCount().call().await.unwrap(), U256::from(3));
}

// --------------------------------------------------------------------------- lock / unlock

#[tokio::test]
async fn lock_quote_is_for_a_registered_whitelisted_funded_party_b_before_the_deadline() {
    let env = Env::start().await;
    let (book, a, b) = (&env.book, env.a(), env.b());
    let (other_b, stranger) = (env.account(OTHER_B), env.account(STRANGER));
    let id = env.send(&env.new_quote(LONG, LIMIT).await).await;

    reverts(
        book.lockQuote(id).from(stranger),
        IntentBook::NotPartyB { caller: stranger },
    )
    .await;
    reverts(
        book.lockQuote(U256::from(9)).from(b),
        IntentBook::UnknownQuote {
            quoteId: U256::from(9),
        },
    )
    .await;
    env.lock(PARTY_B, id).await;
    let quote = env.quote(id).await;
    assert_eq!((quote.quoteStatus, quote.partyB), (LOCKED, b));
    assert_eq!(
        quote.statusModifyTimestamp,
        U256::from(env.now().await),
        "the lock is a status change"
    );
    assert_eq!(env.b_reserved().await, (reserve_b(), U256::ZERO));
    assert_eq!(env.a_reserved().await, (reserve_a(), U256::ZERO));
    // Locked by one, it is no one else's (nor the same party B's again).
    for party_b in [other_b, b] {
        reverts(
            book.lockQuote(id).from(party_b),
            IntentBook::WrongStatus {
                quoteId: id,
                quoteStatus: LOCKED,
            },
        )
        .await;
    }

    // The whitelist: only the party Bs it names.
    let mut whitelisted = env.new_quote(LONG, LIMIT).await;
    whitelisted.whitelist = vec![other_b];
    let id = env.send(&whitelisted).await;
    reverts(
        book.lockQuote(id).from(b),
        IntentBook::NotWhitelisted {
            quoteId: id,
            partyB: b,
        },
    )
    .await;
    env.lock(OTHER_B, id).await;
    assert_eq!(env.quote(id).await.partyB, other_b);

    // Party A cannot take its own quote, even as a registered party B.
    mined(book.registerPartyB(a).from(env.admin())).await;
    mined(book.allocateForPartyB(units(1_000), a).from(a)).await;
    let own = env.send(&env.new_quote(LONG, LIMIT).await).await;
    reverts(
        book.lockQuote(own).from(a),
        IntentBook::SelfTrade {
            quoteId: own,
            caller: a,
        },
    )
    .await;

    // Party B's free allocation for this party A must cover cva + lf + partyBmm.
    let stranger_b = env.account(STRANGER);
    mined(book.registerPartyB(stranger_b).from(env.admin())).await;
    env.fund(STRANGER, 1_000, 1_000).await;
    mined(
        book.allocateForPartyB(reserve_b() - U256::from(1), a)
            .from(stranger_b),
    )
    .await;
    reverts(
        book.lockQuote(own).from(stranger_b),
        IntentBook::InsufficientAllocation {
            party: stranger_b,
            available: reserve_b() - U256::from(1),
            needed: reserve_b(),
        },
    )
    .await;
    mined(book.allocateForPartyB(U256::from(1), a).from(stranger_b)).await;
    env.lock(STRANGER, own).await;
    assert_eq!(
        env.party_b(stranger_b, a).await.pending,
        reserve_b(),
        "its whole allocation is pending"
    );

    // Past the deadline nobody locks.
    let late = env.send(&env.new_quote(LONG, LIMIT).await).await;
    let deadline = env.quote(late).await.deadline;
    env.increase_time(QUOTE_TTL + 1).await;
    reverts(
        book.lockQuote(late).from(b),
        IntentBook::QuoteExpired {
            quoteId: late,
            deadline,
        },
    )
    .await;
}

#[tokio::test]
async fn unlock_quote_returns_it_to_pending_or_expires_it_past_the_deadline() {
    let env = Env::start().await;
    let (book, a, b) = (&env.book, env.a(), env.b());
    let other_b = env.account(OTHER_B);
    let id = env.locked(LONG, LIMIT).await;

    for caller in [other_b, a] {
        reverts(
            book.unlockQuote(id).from(caller),
            IntentBook::OnlyPartyB {
                quoteId: id,
                caller,
            },
        )
        .await;
    }
    let receipt = mined(book.unlockQuote(id).from(b)).await;
    assert_eq!(
        env.one_event::<IntentBook::UnlockQuote>(&receipt),
        IntentBook::UnlockQuote {
            partyB: b,
            quoteId: id,
            quoteStatus: PENDING
        }
    );
    let quote = env.quote(id).await;
    assert_eq!((quote.quoteStatus, quote.partyB), (PENDING, Address::ZERO));
    assert_eq!(env.b_reserved().await, (U256::ZERO, U256::ZERO));
    assert_eq!(env.a_reserved().await, (reserve_a(), U256::ZERO));
    // Nobody holds it now, so nobody can unlock it; another party B can lock it.
    reverts(
        book.unlockQuote(id).from(b),
        IntentBook::OnlyPartyB {
            quoteId: id,
            caller: b,
        },
    )
    .await;
    env.lock(OTHER_B, id).await;

    // Only a LOCKED quote is unlocked (not one party A asked to cancel).
    let cancel_pending = env.locked(LONG, LIMIT).await;
    mined(book.requestToCancelQuote(cancel_pending).from(a)).await;
    reverts(
        book.unlockQuote(cancel_pending).from(b),
        IntentBook::WrongStatus {
            quoteId: cancel_pending,
            quoteStatus: CANCEL_PENDING,
        },
    )
    .await;

    // Past the deadline an unlocked quote expires, releasing party A's reserve as well.
    let late = env.locked(SHORT, LIMIT).await;
    assert_eq!(env.a_reserved().await, (units(3 * RESERVE_A), U256::ZERO));
    env.increase_time(QUOTE_TTL + 1).await;
    let receipt = mined(book.unlockQuote(late).from(b)).await;
    assert_eq!(
        env.one_event::<IntentBook::UnlockQuote>(&receipt),
        IntentBook::UnlockQuote {
            partyB: b,
            quoteId: late,
            quoteStatus: EXPIRED
        }
    );
    assert_eq!(env.status(late).await, EXPIRED);
    assert_eq!(env.a_reserved().await, (units(2 * RESERVE_A), U256::ZERO));
    assert_eq!(
        env.b_reserved().await,
        (reserve_b(), U256::ZERO),
        "only the cancel-pending quote's"
    );
}

// ------------------------------------------------------------------------------ cancelling

#[tokio::test]
async fn cancel_before_the_lock_cancels_and_after_it_waits_for_party_b() {
    let env = Env::start().await;
    let (book, a, b) = (&env.book, env.a(), env.b());
    let other_b = env.account(OTHER_B);

    // Not locked: canceled at once, party A's reserve released.
    let id = env.send(&env.new_quote(LONG, LIMIT).await).await;
    for caller in [b, env.account(STRANGER)] {
        reverts(
            book.requestToCancelQuote(id).from(caller),
            IntentBook::OnlyPartyA {
                quoteId: id,
                caller,
            },
        )
        .await;
    }
    let receipt = mined(book.requestToCancelQuote(id).from(a)).await;
    assert_eq!(
        env.one_event::<IntentBook::RequestToCancelQuote>(&receipt),
        IntentBook::RequestToCancelQuote {
            partyA: a,
            partyB: Address::ZERO,
            quoteStatus: CANCELED,
            quoteId: id
        }
    );
    assert_eq!(env.status(id).await, CANCELED);
    assert_eq!(env.a_reserved().await, (U256::ZERO, U256::ZERO));
    let canceled = IntentBook::WrongStatus {
        quoteId: id,
        quoteStatus: CANCELED,
    };
    reverts(book.requestToCancelQuote(id).from(a), canceled.clone()).await;
    reverts(book.lockQuote(id).from(b), canceled).await;

    // Locked: the cancel waits for party B, both reserves stay pending.
    let id = env.locked(LONG, LIMIT).await;
    let receipt = mined(book.requestToCancelQuote(id).from(a)).await;
    assert_eq!(
        env.one_event::<IntentBook::RequestToCancelQuote>(&receipt),
        IntentBook::RequestToCancelQuote {
            partyA: a,
            partyB: b,
            quoteStatus: CANCEL_PENDING,
            quoteId: id
        }
    );
    assert_eq!(env.status(id).await, CANCEL_PENDING);
    assert_eq!(env.a_reserved().await, (reserve_a(), U256::ZERO));
    assert_eq!(env.b_reserved().await, (reserve_b(), U256::ZERO));
    reverts(
        book.requestToCancelQuote(id).from(a),
        IntentBook::WrongStatus {
            quoteId: id,
            quoteStatus: CANCEL_PENDING,
        },
    )
    .await;

    // Only its party B accepts, and then both reserves are released.
    for caller in [other_b, a] {
        reverts(
            book.acceptCancelRequest(id).from(caller),
            IntentBook::OnlyPartyB {
                quoteId: id,
                caller,
            },
        )
        .await;
    }
    let receipt = mined(book.acceptCancelRequest(id).from(b)).await;
    assert_eq!(
        env.one_event::<IntentBook::AcceptCancelRequest>(&receipt),
        IntentBook::AcceptCancelRequest {
            quoteId: id,
            quoteStatus: CANCELED
        }
    );
    assert_eq!(env.status(id).await, CANCELED);
    assert_eq!(env.a_reserved().await, (U256::ZERO, U256::ZERO));
    assert_eq!(env.b_reserved().await, (U256::ZERO, U256::ZERO));
    reverts(
        book.acceptCancelRequest(id).from(b),
        IntentBook::WrongStatus {
            quoteId: id,
            quoteStatus: CANCELED,
        },
    )
    .await;
    reverts(
        book.openPosition(
            id,
            units(QUANTITY),
            units(PRICE),
            env.price_sig(units(PRICE)).await,
        )
        .from(b),
        IntentBook::WrongStatus {
            quoteId: id,
            quoteStatus: CANCELED,
        },
    )
    .await;

    // A locked quote nobody asked to cancel is not accepted as canceled.
    let locked = env.locked(SHORT, LIMIT).await;
    reverts(
        book.acceptCancelRequest(locked).from(b),
        IntentBook::WrongStatus {
            quoteId: locked,
            quoteStatus: LOCKED,
        },
    )
    .await;

    // Past the deadline, a cancel request expires the quote instead, pending or locked.
    let pending = env.send(&env.new_quote(LONG, LIMIT).await).await;
    env.increase_time(QUOTE_TTL + 1).await;
    for (id, party_b) in [(pending, Address::ZERO), (locked, b)] {
        let receipt = mined(book.requestToCancelQuote(id).from(a)).await;
        assert_eq!(
            env.one_event::<IntentBook::RequestToCancelQuote>(&receipt),
            IntentBook::RequestToCancelQuote {
                partyA: a,
                partyB: party_b,
                quoteStatus: EXPIRED,
                quoteId: id
            }
        );
        assert_eq!(env.status(id).await, EXPIRED);
    }
    assert_eq!(env.a_reserved().await, (U256::ZERO, U256::ZERO));
    assert_eq!(env.b_reserved().await, (U256::ZERO, U256::ZERO));
}

#[tokio::test]
async fn party_a_force_cancels_only_after_the_cooldown() {
    let env = Env::start().await;
    let (book, a, b) = (&env.book, env.a(), env.b());
    let id = env.locked(LONG, LIMIT).await;
    reverts(
        book.forceCancelQuote(id).from(a),
        IntentBook::WrongStatus {
            quoteId: id,
            quoteStatus: LOCKED,
        },
    )
    .await;
    mined(book.requestToCancelQuote(id).from(a)).await;
    let requested_at = env.quote(id).await.statusModifyTimestamp;
    assert_eq!(requested_at, U256::from(env.now().await));
    let cooldown_end = requested_at + U256::from(FORCE_CANCEL_COOLDOWN);
    reverts(
        book.forceCancelQuote(id).from(a),
        IntentBook::CooldownNotOver {
            quoteId: id,
            cooldownEnd: cooldown_end,
        },
    )
    .await;
    env.increase_time(FORCE_CANCEL_COOLDOWN - 10).await;
    reverts(
        book.forceCancelQuote(id).from(a),
        IntentBook::CooldownNotOver {
            quoteId: id,
            cooldownEnd: cooldown_end,
        },
    )
    .await;
    env.increase_time(11).await;
    reverts(
        book.forceCancelQuote(id).from(b),
        IntentBook::OnlyPartyA {
            quoteId: id,
            caller: b,
        },
    )
    .await;
    let receipt = mined(book.forceCancelQuote(id).from(a)).await;
    assert_eq!(
        env.one_event::<IntentBook::ForceCancelQuote>(&receipt),
        IntentBook::ForceCancelQuote {
            quoteId: id,
            quoteStatus: CANCELED
        }
    );
    assert_eq!(env.status(id).await, CANCELED);
    assert_eq!(env.a_reserved().await, (U256::ZERO, U256::ZERO));
    assert_eq!(env.b_reserved().await, (U256::ZERO, U256::ZERO));
    reverts(
        book.forceCancelQuote(id).from(a),
        IntentBook::WrongStatus {
            quoteId: id,
            quoteStatus: CANCELED,
        },
    )
    .await;
}

// --------------------------------------------------------------------------------- opening

#[tokio::test]
async fn open_position_fills_a_locked_quote_whole_for_its_party_b_only() {
    let env = Env::start().await;
    let (book, a, b) = (&env.book, env.a(), env.b());
    let id = env.locked(LONG, LIMIT).await;
    let sig = env.price_sig(units(PRICE)).await;
    let open = |filled: U256, caller: Address| {
        book.openPosition(id, filled, units(PRICE), sig.clone())
            .from(caller)
    };
    for caller in [env.account(OTHER_B), a] {
        reverts(
            open(units(QUANTITY), caller),
            IntentBook::OnlyPartyB {
                quoteId: id,
                caller,
            },
        )
        .await;
    }
    for filled in [U256::ZERO, units(QUANTITY) + U256::from(1)] {
        reverts(
            open(filled, b),
            IntentBook::InvalidFillAmount {
                quoteId: id,
                filledAmount: filled,
                maximum: units(QUANTITY),
            },
        )
        .await;
    }
    let receipt = mined(open(units(QUANTITY), b)).await;
    assert_eq!(
        env.one_event::<IntentBook::OpenPosition>(&receipt),
        IntentBook::OpenPosition {
            quoteId: id,
            partyA: a,
            partyB: b,
            filledAmount: units(QUANTITY),
            openedPrice: units(PRICE),
            newQuoteId: U256::ZERO
        }
    );
    let quote = env.quote(id).await;
    assert_eq!(
        (
            quote.quoteStatus,
            quote.openedPrice,
            quote.quantity,
            quote.statusModifyTimestamp
        ),
        (
            OPENED,
            units(PRICE),
            units(QUANTITY),
            U256::from(env.now().await)
        )
    );
    assert_eq!(book.quotesCount().call().await.unwrap(), id, "no child");
    assert_eq!(env.a_reserved().await, (U256::ZERO, reserve_a()));
    assert_eq!(env.b_reserved().await, (U256::ZERO, reserve_b()));
    reverts(
        open(units(QUANTITY), b),
        IntentBook::WrongStatus {
            quoteId: id,
            quoteStatus: OPENED,
        },
    )
    .await;

    // A PENDING quote has no party B to open it.
    let pending = env.send(&env.new_quote(LONG, LIMIT).await).await;
    reverts(
        book.openPosition(pending, units(QUANTITY), units(PRICE), sig.clone())
            .from(b),
        IntentBook::OnlyPartyB {
            quoteId: pending,
            caller: b,
        },
    )
    .await;

    // Past the deadline a locked quote no longer opens, even with a fresh price.
    let late = env.locked(LONG, LIMIT).await;
    let deadline = env.quote(late).await.deadline;
    env.increase_time(QUOTE_TTL + 1).await;
    reverts(
        book.openPosition(
            late,
            units(QUANTITY),
            units(PRICE),
            env.price_sig(units(PRICE)).await,
        )
        .from(b),
        IntentBook::QuoteExpired {
            quoteId: late,
            deadline,
        },
    )
    .await;
}

#[tokio::test]
async fn the_open_price_is_at_most_the_request_for_a_long_and_at_least_for_a_short() {
    let env = Env::start().await;
    let (book, b) = (&env.book, env.b());
    // (side, a worse price, the requested price, a better one): all within the signed price's
    // 1% of 2,000.
    for (side, worse, better) in [(LONG, 2_001, 1_990), (SHORT, 1_999, 2_010)] {
        let id = env.locked(side, LIMIT).await;
        for price in [worse, PRICE, better] {
            let call = book
                .openPosition(
                    id,
                    units(QUANTITY),
                    units(price),
                    env.price_sig(units(PRICE)).await,
                )
                .from(b);
            if price == worse {
                reverts(
                    call,
                    IntentBook::PriceWorseThanRequested {
                        quoteId: id,
                        price: units(price),
                        requestedPrice: units(PRICE),
                    },
                )
                .await;
            } else {
                // Estimate only (a call), so the same quote takes every acceptable price.
                call.call().await.unwrap_or_else(|error| {
                    panic!("side {side} at {price}: {error:?}");
                });
            }
        }
        let receipt = mined(
            book.openPosition(
                id,
                units(QUANTITY),
                units(better),
                env.price_sig(units(PRICE)).await,
            )
            .from(b),
        )
        .await;
        assert_eq!(
            env.one_event::<IntentBook::OpenPosition>(&receipt)
                .openedPrice,
            units(better)
        );
        assert_eq!(env.quote(id).await.openedPrice, units(better));
    }
}

#[tokio::test]
async fn a_market_quote_opens_whole_or_not_at_all() {
    let env = Env::start().await;
    let (book, b) = (&env.book, env.b());
    let id = env.locked(SHORT, MARKET).await;
    let sig = env.price_sig(units(PRICE)).await;
    reverts(
        book.openPosition(id, units(4), units(PRICE), sig.clone())
            .from(b),
        IntentBook::MarketMustFillWhole {
            quoteId: id,
            filledAmount: units(4),
            quantity: units(QUANTITY),
        },
    )
    .await;
    let event = env.open(id, units(QUANTITY), units(PRICE)).await;
    assert_eq!(event.newQuoteId, U256::ZERO);
    assert_eq!(env.status(id).await, OPENED);
    assert_eq!(env.book.quotesCount().call().await.unwrap(), id);
}

#[tokio::test]
async fn a_partial_limit_fill_opens_part_and_leaves_the_rest_in_a_pending_child() {
    let env = Env::start().await;
    let (book, a, b) = (&env.book, env.a(), env.b());
    let mut terms = env.new_quote(SHORT, LIMIT).await;
    terms.whitelist = vec![b, env.account(OTHER_B)];
    // One wei more cva, so the split must round: the opened part rounds down, the child gets
    // the rest, and nothing is lost.
    terms.cva += U256::from(1);
    let id = env.send(&terms).await;
    env.lock(PARTY_B, id).await;
    let parent_before = env.quote(id).await;

    let event = env.open(id, units(4), units(PRICE)).await;
    let child_id = id + U256::from(1);
    assert_eq!(
        event,
        IntentBook::OpenPosition {
            quoteId: id,
            partyA: a,
            partyB: b,
            filledAmount: units(4),
            openedPrice: units(PRICE),
            newQuoteId: child_id
        }
    );
    assert_eq!(book.quotesCount().call().await.unwrap(), child_id);
    let now = U256::from(env.now().await);
    let opened_values = IntentBook::LockedValues {
        cva: units(40),
        lf: units(20),
        partyAmm: units(80),
        partyBmm: units(60),
    };
    let child_values = IntentBook::LockedValues {
        cva: units(60) + U256::from(1),
        lf: units(30),
        partyAmm: units(120),
        partyBmm: units(90),
    };
    let parent = env.quote(id).await;
    assert_eq!(
        parent,
        IntentBook::Quote {
            quantity: units(4),
            lockedValues: opened_values,
            openedPrice: units(PRICE),
            quoteStatus: OPENED,
            statusModifyTimestamp: now,
            ..parent_before.clone()
        }
    );
    assert_eq!(
        env.quote(child_id).await,
        IntentBook::Quote {
            id: child_id,
            partyBsWhiteList: terms.whitelist.clone(),
            symbolId: U256::from(SYMBOL),
            positionType: SHORT,
            orderType: LIMIT,
            openedPrice: U256::ZERO,
            requestedOpenPrice: units(PRICE),
            quantity: units(6),
            closedAmount: U256::ZERO,
            lockedValues: child_values,
            maxFundingRate: milli(1),
            partyA: a,
            partyB: Address::ZERO,
            quoteStatus: PENDING,
            avgClosedPrice: U256::ZERO,
            requestedClosePrice: U256::ZERO,
            quantityToClose: U256::ZERO,
            closeOrderType: LIMIT,
            parentId: id,
            createTimestamp: now,
            statusModifyTimestamp: now,
            deadline: terms.deadline,
            closeDeadline: U256::ZERO,
        }
    );
    // Party A: the opened part locked, the child's pending. Party B: only the opened part.
    assert_eq!(
        env.a_reserved().await,
        (units(210) + U256::from(1), units(140))
    );
    assert_eq!(env.b_reserved().await, (U256::ZERO, units(120)));

    // The child is an ordinary quote: another whitelisted party B locks and opens it.
    env.lock(OTHER_B, child_id).await;
    let other_b = env.account(OTHER_B);
    let receipt = mined(
        book.openPosition(
            child_id,
            units(6),
            units(PRICE),
            env.price_sig(units(PRICE)).await,
        )
        .from(other_b),
    )
    .await;
    assert_eq!(
        env.one_event::<IntentBook::OpenPosition>(&receipt)
            .newQuoteId,
        U256::ZERO
    );
    assert_eq!(
        env.a_reserved().await,
        (U256::ZERO, reserve_a() + U256::from(1)),
        "both parts locked, nothing lost to rounding"
    );
    assert_eq!(
        env.party_b(other_b, a).await.locked,
        units(30 + 60 + 90) + U256::from(1)
    );
}

#[tokio::test]
async fn opening_wins_over_a_pending_cancel_and_the_rest_is_canceled() {
    let env = Env::start().await;
    let (book, a) = (&env.book, env.a());

    // Whole: the cancel request simply loses.
    let whole = env.locked(LONG, LIMIT).await;
    mined(book.requestToCancelQuote(whole).from(a)).await;
    env.open(whole, units(QUANTITY), units(PRICE)).await;
    assert_eq!(env.status(whole).await, OPENED);
    assert_eq!(env.a_reserved().await, (U256::ZERO, reserve_a()));
    assert_eq!(env.b_reserved().await, (U256::ZERO, reserve_b()));

    // Partial: the part not opened is what party A wanted canceled.
    let partial = env.locked(LONG, LIMIT).await;
    mined(book.requestToCancelQuote(partial).from(a)).await;
    let event = env.open(partial, units(3), units(PRICE)).await;
    let child = event.newQuoteId;
    assert_eq!(child, partial + U256::from(1));
    assert_eq!(env.status(partial).await, OPENED);
    let child_quote = env.quote(child).await;
    assert_eq!(
        (
            child_quote.quoteStatus,
            child_quote.parentId,
            child_quote.quantity
        ),
        (CANCELED, partial, units(7))
    );
    // Party A's reserve for the canceled 7 is released, the opened 3's locked.
    let opened_a = units(RESERVE_A * 3 / 10);
    let opened_b = units(RESERVE_B * 3 / 10);
    assert_eq!(env.a_reserved().await, (U256::ZERO, reserve_a() + opened_a));
    assert_eq!(env.b_reserved().await, (U256::ZERO, reserve_b() + opened_b));
    reverts(
        book.lockQuote(child).from(env.b()),
        IntentBook::WrongStatus {
            quoteId: child,
            quoteStatus: CANCELED,
        },
    )
    .await;
}

// -------------------------------------------------------------------------- price signature

#[tokio::test]
async fn the_price_signature_must_be_the_signers_fresh_for_the_symbol_and_near_the_fill() {
    let env = Env::start().await;
    let (book, b) = (&env.book, env.b());
    let id = env.locked(LONG, LIMIT).await;
    let now = env.now().await;

    // The Rust digest is the contract's.
    for (symbol, price, timestamp) in [(SYMBOL, units(PRICE), now), (2, milli(1), 0)] {
        assert_eq!(
            book.priceDigest(U256::from(symbol), price, U256::from(timestamp))
                .call()
                .await
                .unwrap(),
            env.price_digest(symbol, price, timestamp)
        );
    }

    let open = |sig: PriceSig, price: u64| {
        book.openPosition(id, units(QUANTITY), units(price), sig)
            .from(b)
    };
    let good = env.sign_price(PRICE_SIGNER, SYMBOL, units(PRICE), now);
    let twin = Signature::new(good.r(), SECP256K1_N - good.s(), !good.v());
    let with_signature = |signature: Bytes| PriceSig {
        symbolId: U256::from(SYMBOL),
        price: units(PRICE),
        timestamp: U256::from(now),
        signature,
    };
    let mut tampered = env.price_sig_with(PRICE_SIGNER, SYMBOL, units(PRICE), now);
    tampered.price = units(PRICE + 1);
    let bad = [
        (
            "another key",
            env.price_sig_with(STRANGER, SYMBOL, units(PRICE), now),
        ),
        (
            "party B's own key",
            env.price_sig_with(PARTY_B, SYMBOL, units(PRICE), now),
        ),
        ("the high-s twin", with_signature(twin.as_bytes().into())),
        (
            "64 bytes",
            with_signature(Bytes::copy_from_slice(&good.as_bytes()[..64])),
        ),
        ("nothing", with_signature(Bytes::new())),
        ("another price under the signature", tampered),
    ];
    for (what, sig) in bad {
        let error = open(sig, PRICE)
            .send()
            .await
            .map(|pending| *pending.tx_hash())
            .expect_err(what);
        assert_eq!(
            error.as_decoded_error::<IntentBook::BadPriceSignature>(),
            Some(IntentBook::BadPriceSignature {}),
            "{what}: {error:?}"
        );
    }

    // Another symbol's price, even well signed.
    reverts(
        open(
            env.price_sig_with(PRICE_SIGNER, 2, units(PRICE), now),
            PRICE,
        ),
        IntentBook::PriceSymbolMismatch {
            expectedSymbolId: U256::from(SYMBOL),
            symbolId: U256::from(2),
        },
    )
    .await;

    // Too old, or from the future.
    let stale = now - PRICE_VALIDITY - 5;
    let error: IntentBook::StalePrice = error_of(open(
        env.price_sig_with(PRICE_SIGNER, SYMBOL, units(PRICE), stale),
        PRICE,
    ))
    .await;
    assert_eq!(error.timestamp, U256::from(stale));
    let future = now + 100;
    let error: IntentBook::StalePrice = error_of(open(
        env.price_sig_with(PRICE_SIGNER, SYMBOL, units(PRICE), future),
        PRICE,
    ))
    .await;
    assert_eq!(error.timestamp, U256::from(future));
    assert!(error.blockTimestamp < U256::from(future));

    // More than 1% away from the signed price: 1,979 (21 away) is out, 1,980 exactly in.
    reverts(
        open(env.price_sig(units(PRICE)).await, 1_979),
        IntentBook::PriceOutOfRange {
            price: units(1_979),
            signedPrice: units(PRICE),
            maxDeviationBps: U256::from(MAX_DEVIATION_BPS),
        },
    )
    .await;
    // A price signed just now, but older than the validity when it is used.
    let aging = env.price_sig(units(PRICE)).await;
    env.increase_time(PRICE_VALIDITY + 1).await;
    let error: IntentBook::StalePrice = error_of(open(aging, PRICE)).await;
    assert!(error.blockTimestamp - error.timestamp > U256::from(PRICE_VALIDITY));
    mined(open(env.price_sig(units(PRICE)).await, 1_980)).await;
    assert_eq!(env.quote(id).await.openedPrice, units(1_980));

    // Closing checks the signature too; a replaced signer's prices no longer count.
    env.request_close(id, units(1_980), units(QUANTITY), LIMIT)
        .await;
    mined(book.setPriceSigner(env.account(STRANGER)).from(env.admin())).await;
    reverts(
        book.fillCloseRequest(
            id,
            units(QUANTITY),
            units(1_980),
            env.price_sig(units(1_980)).await,
        )
        .from(b),
        IntentBook::BadPriceSignature {},
    )
    .await;
    reverts(
        book.fillCloseRequest(
            id,
            units(QUANTITY),
            units(2_100),
            env.price_sig_with(STRANGER, SYMBOL, units(2_000), env.now().await),
        )
        .from(b),
        IntentBook::PriceOutOfRange {
            price: units(2_100),
            signedPrice: units(2_000),
            maxDeviationBps: U256::from(MAX_DEVIATION_BPS),
        },
    )
    .await;
    let receipt = mined(
        book.fillCloseRequest(
            id,
            units(QUANTITY),
            units(1_980),
            env.price_sig_with(STRANGER, SYMBOL, units(1_980), env.now().await),
        )
        .from(b),
    )
    .await;
    assert_eq!(
        env.one_event::<IntentBook::FillCloseRequest>(&receipt)
            .quoteStatus,
        CLOSED
    );
}

// --------------------------------------------------------------------------------- closing

#[tokio::test]
async fn party_a_requests_a_close_and_may_withdraw_it_with_party_bs_consent() {
    let env = Env::start().await;
    let (book, a, b) = (&env.book, env.a(), env.b());
    let id = env.opened(LONG).await;
    let deadline = U256::from(env.now().await + QUOTE_TTL);
    let request = |price: U256, quantity: U256, deadline: U256, caller: Address| {
        book.requestToClosePosition(id, price, quantity, MARKET, deadline)
            .from(caller)
    };
    let (price, quantity) = (units(2_100), units(4));
    reverts(
        request(price, quantity, deadline, b),
        IntentBook::OnlyPartyA {
            quoteId: id,
            caller: b,
        },
    )
    .await;
    for bad in [U256::ZERO, units(QUANTITY) + U256::from(1)] {
        reverts(
            request(price, bad, deadline, a),
            IntentBook::InvalidFillAmount {
                quoteId: id,
                filledAmount: bad,
                maximum: units(QUANTITY),
            },
        )
        .await;
    }
    reverts(
        request(U256::ZERO, quantity, deadline, a),
        IntentBook::InvalidPrice { price: U256::ZERO },
    )
    .await;
    let now = U256::from(env.now().await);
    let error: IntentBook::InvalidDeadline = error_of(request(price, quantity, now, a)).await;
    assert_eq!(error.deadline, now);

    let receipt = mined(request(price, quantity, deadline, a)).await;
    assert_eq!(
        env.one_event::<IntentBook::RequestToClosePosition>(&receipt),
        IntentBook::RequestToClosePosition {
            partyA: a,
            partyB: b,
            quoteId: id,
            closePrice: price,
            quantityToClose: quantity,
            orderType: MARKET,
            deadline,
            quoteStatus: CLOSE_PENDING
        }
    );
    let quote = env.quote(id).await;
    assert_eq!(
        (
            quote.quoteStatus,
            quote.requestedClosePrice,
            quote.quantityToClose,
            quote.closeOrderType,
            quote.closeDeadline
        ),
        (CLOSE_PENDING, price, quantity, MARKET, deadline)
    );
    reverts(
        request(price, quantity, deadline, a),
        IntentBook::WrongStatus {
            quoteId: id,
            quoteStatus: CLOSE_PENDING,
        },
    )
    .await;
    // A quote not opened has nothing to close.
    let locked = env.locked(LONG, LIMIT).await;
    reverts(
        book.requestToClosePosition(locked, price, quantity, LIMIT, deadline)
            .from(a),
        IntentBook::WrongStatus {
            quoteId: locked,
            quoteStatus: LOCKED,
        },
    )
    .await;

    // Cancelling the request asks party B; only party B accepts.
    reverts(
        book.requestToCancelCloseRequest(id).from(b),
        IntentBook::OnlyPartyA {
            quoteId: id,
            caller: b,
        },
    )
    .await;
    reverts(
        book.acceptCancelCloseRequest(id).from(b),
        IntentBook::WrongStatus {
            quoteId: id,
            quoteStatus: CLOSE_PENDING,
        },
    )
    .await;
    let receipt = mined(book.requestToCancelCloseRequest(id).from(a)).await;
    assert_eq!(
        env.one_event::<IntentBook::RequestToCancelCloseRequest>(&receipt),
        IntentBook::RequestToCancelCloseRequest {
            partyA: a,
            partyB: b,
            quoteId: id,
            quoteStatus: CANCEL_CLOSE_PENDING
        }
    );
    assert_eq!(env.status(id).await, CANCEL_CLOSE_PENDING);
    reverts(
        book.requestToCancelCloseRequest(id).from(a),
        IntentBook::WrongStatus {
            quoteId: id,
            quoteStatus: CANCEL_CLOSE_PENDING,
        },
    )
    .await;
    for caller in [a, env.account(OTHER_B)] {
        reverts(
            book.acceptCancelCloseRequest(id).from(caller),
            IntentBook::OnlyPartyB {
                quoteId: id,
                caller,
            },
        )
        .await;
    }
    let receipt = mined(book.acceptCancelCloseRequest(id).from(b)).await;
    assert_eq!(
        env.one_event::<IntentBook::AcceptCancelCloseRequest>(&receipt),
        IntentBook::AcceptCancelCloseRequest {
            quoteId: id,
            quoteStatus: OPENED
        }
    );
    let quote = env.quote(id).await;
    assert_eq!(
        (quote.quoteStatus, quote.quantityToClose, quote.closedAmount),
        (OPENED, U256::ZERO, U256::ZERO)
    );
    assert_eq!(
        env.a_reserved().await,
        (reserve_a(), reserve_a()),
        "the position (and the locked quote) stay reserved"
    );

    // Past the close deadline, cancelling the request just ends it.
    env.request_close(id, price, quantity, LIMIT).await;
    env.increase_time(QUOTE_TTL + 1).await;
    let receipt = mined(book.requestToCancelCloseRequest(id).from(a)).await;
    assert_eq!(
        env.one_event::<IntentBook::RequestToCancelCloseRequest>(&receipt),
        IntentBook::RequestToCancelCloseRequest {
            partyA: a,
            partyB: b,
            quoteId: id,
            quoteStatus: OPENED
        }
    );
    let quote = env.quote(id).await;
    assert_eq!(
        (quote.quoteStatus, quote.quantityToClose),
        (OPENED, U256::ZERO)
    );
}

#[tokio::test]
async fn party_a_force_cancels_a_close_request_only_after_the_cooldown() {
    let env = Env::start().await;
    let (book, a, b) = (&env.book, env.a(), env.b());
    let id = env.opened(SHORT).await;
    env.request_close(id, units(1_900), units(5), LIMIT).await;
    reverts(
        book.forceCancelCloseRequest(id).from(a),
        IntentBook::WrongStatus {
            quoteId: id,
            quoteStatus: CLOSE_PENDING,
        },
    )
    .await;
    mined(book.requestToCancelCloseRequest(id).from(a)).await;
    let cooldown_end =
        env.quote(id).await.statusModifyTimestamp + U256::from(FORCE_CANCEL_CLOSE_COOLDOWN);
    reverts(
        book.forceCancelCloseRequest(id).from(a),
        IntentBook::CooldownNotOver {
            quoteId: id,
            cooldownEnd: cooldown_end,
        },
    )
    .await;
    // The close request's own cooldown, not the open one's, applies.
    env.increase_time(FORCE_CANCEL_COOLDOWN + 1).await;
    reverts(
        book.forceCancelCloseRequest(id).from(a),
        IntentBook::CooldownNotOver {
            quoteId: id,
            cooldownEnd: cooldown_end,
        },
    )
    .await;
    env.increase_time(FORCE_CANCEL_CLOSE_COOLDOWN - FORCE_CANCEL_COOLDOWN)
        .await;
    reverts(
        book.forceCancelCloseRequest(id).from(b),
        IntentBook::OnlyPartyA {
            quoteId: id,
            caller: b,
        },
    )
    .await;
    let receipt = mined(book.forceCancelCloseRequest(id).from(a)).await;
    assert_eq!(
        env.one_event::<IntentBook::ForceCancelCloseRequest>(&receipt),
        IntentBook::ForceCancelCloseRequest {
            quoteId: id,
            quoteStatus: OPENED
        }
    );
    let quote = env.quote(id).await;
    assert_eq!(
        (quote.quoteStatus, quote.quantityToClose),
        (OPENED, U256::ZERO)
    );
    assert_eq!(env.a_reserved().await, (U256::ZERO, reserve_a()));
}

#[tokio::test]
async fn fill_close_request_is_party_bs_within_the_request_and_its_price() {
    let env = Env::start().await;
    let (book, a, b) = (&env.book, env.a(), env.b());
    let long = env.opened(LONG).await;
    let short = env.opened(SHORT).await;
    let fill = |id: U256, filled: U256, price: u64, sig: PriceSig, caller: Address| {
        book.fillCloseRequest(id, filled, units(price), sig)
            .from(caller)
    };
    let sig = env.price_sig(units(PRICE)).await;

    // Nothing to fill before a request.
    reverts(
        fill(long, units(1), PRICE, sig.clone(), b),
        IntentBook::WrongStatus {
            quoteId: long,
            quoteStatus: OPENED,
        },
    )
    .await;

    // A LONG closes (sells) at the requested price or above, a SHORT (buys) at it or below.
    env.request_close(long, units(PRICE), units(6), LIMIT).await;
    env.request_close(short, units(PRICE), units(6), MARKET)
        .await;
    for caller in [a, env.account(OTHER_B)] {
        reverts(
            fill(long, units(1), PRICE, sig.clone(), caller),
            IntentBook::OnlyPartyB {
                quoteId: long,
                caller,
            },
        )
        .await;
    }
    for (id, worse) in [(long, 1_999), (short, 2_001)] {
        reverts(
            fill(id, units(6), worse, sig.clone(), b),
            IntentBook::PriceWorseThanRequested {
                quoteId: id,
                price: units(worse),
                requestedPrice: units(PRICE),
            },
        )
        .await;
    }
    for filled in [U256::ZERO, units(6) + U256::from(1)] {
        reverts(
            fill(long, filled, PRICE, sig.clone(), b),
            IntentBook::InvalidFillAmount {
                quoteId: long,
                filledAmount: filled,
                maximum: units(6),
            },
        )
        .await;
    }
    // A MARKET close request fills whole.
    reverts(
        fill(short, units(2), PRICE, sig.clone(), b),
        IntentBook::MarketMustFillWhole {
            quoteId: short,
            filledAmount: units(2),
            quantity: units(6),
        },
    )
    .await;

    // A LIMIT close fills in parts; the request stays until it is all filled.
    let event = env.fill_close(long, units(2), 2_010).await;
    assert_eq!(
        event,
        IntentBook::FillCloseRequest {
            quoteId: long,
            partyA: a,
            partyB: b,
            filledAmount: units(2),
            closedPrice: units(2_010),
            quoteStatus: CLOSE_PENDING
        }
    );
    let quote = env.quote(long).await;
    assert_eq!(
        (quote.quoteStatus, quote.quantityToClose, quote.closedAmount),
        (CLOSE_PENDING, units(4), units(2))
    );
    let event = env.fill_close(short, units(6), 1_990).await;
    assert_eq!((event.filledAmount, event.quoteStatus), (units(6), OPENED));

    // A fill wins over a pending cancel of the request.
    mined(book.requestToCancelCloseRequest(long).from(a)).await;
    let event = env.fill_close(long, units(4), PRICE).await;
    assert_eq!(event.quoteStatus, OPENED, "the request is all filled");
    let quote = env.quote(long).await;
    assert_eq!(
        (quote.quoteStatus, quote.quantityToClose, quote.closedAmount),
        (OPENED, U256::ZERO, units(6))
    );

    // Past the close deadline nobody fills.
    env.request_close(long, units(PRICE), units(4), LIMIT).await;
    let close_deadline = env.quote(long).await.closeDeadline;
    env.increase_time(QUOTE_TTL + 1).await;
    reverts(
        fill(long, units(4), PRICE, env.price_sig(units(PRICE)).await, b),
        IntentBook::QuoteExpired {
            quoteId: long,
            deadline: close_deadline,
        },
    )
    .await;
}

#[tokio::test]
async fn closing_a_long_pays_party_a_the_rise_and_party_b_the_fall() {
    let env = Env::start().await;
    let (a, b) = (env.a(), env.b());
    let id = env.opened(LONG).await;
    let before_a = env.party_a(a).await.allocated;
    let before_b = env.party_b(b, a).await.allocated;

    // 4 closed at 2,100 (opened at 2,000): party A gains 4 * 100 = 400.
    env.request_close(id, units(2_100), units(4), LIMIT).await;
    let event = env.fill_close(id, units(4), 2_100).await;
    assert_eq!(event.quoteStatus, OPENED);
    assert_eq!(
        env.party_a(a).await,
        PartyA {
            balance: units(DEPOSITED - ALLOCATED),
            allocated: before_a + units(400),
            pending: U256::ZERO,
            locked: units(RESERVE_A * 6 / 10),
        }
    );
    assert_eq!(
        env.party_b(b, a).await,
        PartyB {
            balance: units(DEPOSITED - ALLOCATED),
            allocated: before_b - units(400),
            pending: U256::ZERO,
            locked: units(RESERVE_B * 6 / 10),
        }
    );
    let quote = env.quote(id).await;
    assert_eq!(
        (quote.closedAmount, quote.avgClosedPrice, quote.quantity),
        (units(4), units(2_100), units(QUANTITY))
    );
    assert_eq!(
        quote.lockedValues,
        IntentBook::LockedValues {
            cva: units(60),
            lf: units(30),
            partyAmm: units(120),
            partyBmm: units(90),
        },
        "what the position still locks"
    );

    // The other 6 at 1,900: party A loses 6 * 100 = 600; the position is closed.
    env.request_close(id, units(1_900), units(6), MARKET).await;
    let event = env.fill_close(id, units(6), 1_900).await;
    assert_eq!(event.quoteStatus, CLOSED);
    assert_eq!(
        env.party_a(a).await,
        PartyA {
            balance: units(DEPOSITED - ALLOCATED),
            allocated: before_a + units(400) - units(600),
            pending: U256::ZERO,
            locked: U256::ZERO,
        }
    );
    assert_eq!(
        env.party_b(b, a).await,
        PartyB {
            balance: units(DEPOSITED - ALLOCATED),
            allocated: before_b - units(400) + units(600),
            pending: U256::ZERO,
            locked: U256::ZERO,
        }
    );
    let quote = env.quote(id).await;
    // (4 * 2,100 + 6 * 1,900) / 10
    assert_eq!(
        (
            quote.quoteStatus,
            quote.closedAmount,
            quote.avgClosedPrice,
            quote.quantityToClose
        ),
        (CLOSED, units(QUANTITY), units(1_980), U256::ZERO)
    );
    assert_eq!(quote.lockedValues, IntentBook::LockedValues::default());
    reverts(
        env.book
            .requestToClosePosition(
                id,
                units(PRICE),
                units(1),
                LIMIT,
                U256::from(env.now().await + 60),
            )
            .from(a),
        IntentBook::WrongStatus {
            quoteId: id,
            quoteStatus: CLOSED,
        },
    )
    .await;
}

#[tokio::test]
async fn closing_a_short_pays_party_a_the_fall_and_the_payer_must_have_it_allocated() {
    let env = Env::start().await;
    let (book, a, b) = (&env.book, env.a(), env.b());
    let id = env.opened(SHORT).await;
    let before_a = env.party_a(a).await.allocated;
    let before_b = env.party_b(b, a).await.allocated;

    // 5 at 1,950: party A gains 5 * 50 = 250.
    env.request_close(id, units(1_950), units(5), LIMIT).await;
    env.fill_close(id, units(5), 1_950).await;
    assert_eq!(env.party_a(a).await.allocated, before_a + units(250));
    assert_eq!(env.party_b(b, a).await.allocated, before_b - units(250));
    // 5 at 2,015: party A loses 5 * 15 = 75.
    env.request_close(id, units(2_015), units(5), LIMIT).await;
    let event = env.fill_close(id, units(5), 2_015).await;
    assert_eq!(event.quoteStatus, CLOSED);
    assert_eq!(
        env.party_a(a).await,
        PartyA {
            balance: units(DEPOSITED - ALLOCATED),
            allocated: before_a + units(250) - units(75),
            pending: U256::ZERO,
            locked: U256::ZERO,
        }
    );
    assert_eq!(
        env.party_b(b, a).await,
        PartyB {
            balance: units(DEPOSITED - ALLOCATED),
            allocated: before_b - units(250) + units(75),
            pending: U256::ZERO,
            locked: U256::ZERO,
        }
    );
    assert_eq!(
        env.quote(id).await.avgClosedPrice,
        units(3_965) / U256::from(2)
    );

    // A party B that allocated only the reserve cannot pay a larger gain: the close reverts.
    let thin_b = env.account(STRANGER);
    mined(book.registerPartyB(thin_b).from(env.admin())).await;
    env.fund(STRANGER, 1_000, 1_000).await;
    mined(book.allocateForPartyB(reserve_b(), a).from(thin_b)).await;
    let id = env.send(&env.new_quote(SHORT, LIMIT).await).await;
    env.lock(STRANGER, id).await;
    mined(
        book.openPosition(
            id,
            units(QUANTITY),
            units(PRICE),
            env.price_sig(units(PRICE)).await,
        )
        .from(thin_b),
    )
    .await;
    env.request_close(id, units(1_970), units(QUANTITY), LIMIT)
        .await;
    // 10 * 40 = 400 > 300 allocated.
    reverts(
        book.fillCloseRequest(
            id,
            units(QUANTITY),
            units(1_960),
            env.price_sig(units(1_960)).await,
        )
        .from(thin_b),
        IntentBook::InsufficientAllocation {
            party: thin_b,
            available: reserve_b(),
            needed: units(400),
        },
    )
    .await;
    // 10 * 30 = 300: exactly what it has, locked part included.
    let receipt = mined(
        book.fillCloseRequest(
            id,
            units(QUANTITY),
            units(1_970),
            env.price_sig(units(1_970)).await,
        )
        .from(thin_b),
    )
    .await;
    assert_eq!(
        env.one_event::<IntentBook::FillCloseRequest>(&receipt)
            .quoteStatus,
        CLOSED
    );
    assert_eq!(
        env.party_b(thin_b, a).await,
        PartyB {
            balance: units(1_000) - reserve_b(),
            allocated: U256::ZERO,
            pending: U256::ZERO,
            locked: U256::ZERO,
        }
    );
}

// ---------------------------------------------------------------------------------- expiry

#[tokio::test]
async fn anyone_expires_unopened_quotes_and_close_requests_past_their_deadline() {
    let env = Env::start().await;
    let (book, a) = (&env.book, env.a());
    let anyone = env.account(STRANGER);
    let pending = env.send(&env.new_quote(LONG, LIMIT).await).await;
    let locked = env.locked(LONG, LIMIT).await;
    let cancel_pending = env.locked(SHORT, LIMIT).await;
    mined(book.requestToCancelQuote(cancel_pending).from(a)).await;
    let opened = env.opened(LONG).await;
    let deadline = env.quote(pending).await.deadline;

    reverts(
        book.expireQuote(vec![pending]).from(anyone),
        IntentBook::QuoteNotExpired {
            quoteId: pending,
            deadline,
        },
    )
    .await;
    env.increase_time(QUOTE_TTL + 1).await;
    // One bad id reverts the whole call: an opened quote, an unknown one.
    reverts(
        book.expireQuote(vec![pending, opened]).from(anyone),
        IntentBook::WrongStatus {
            quoteId: opened,
            quoteStatus: OPENED,
        },
    )
    .await;
    reverts(
        book.expireQuote(vec![pending, U256::from(99)]).from(anyone),
        IntentBook::UnknownQuote {
            quoteId: U256::from(99),
        },
    )
    .await;
    assert_eq!(env.status(pending).await, PENDING);

    let receipt = mined(
        book.expireQuote(vec![pending, locked, cancel_pending])
            .from(anyone),
    )
    .await;
    let expired = events::<IntentBook::ExpireQuoteOpen>(&receipt, env.book_address());
    assert_eq!(
        expired,
        [pending, locked, cancel_pending].map(|id| IntentBook::ExpireQuoteOpen {
            quoteStatus: EXPIRED,
            quoteId: id
        })
    );
    assert_eq!(
        receipt.logs().len(),
        3,
        "one event per quote, and nothing else"
    );
    for id in [pending, locked, cancel_pending] {
        assert_eq!(env.status(id).await, EXPIRED);
    }
    // Only the opened position stays reserved.
    assert_eq!(env.a_reserved().await, (U256::ZERO, reserve_a()));
    assert_eq!(env.b_reserved().await, (U256::ZERO, reserve_b()));
    reverts(
        book.expireQuote(vec![pending]).from(anyone),
        IntentBook::WrongStatus {
            quoteId: pending,
            quoteStatus: EXPIRED,
        },
    )
    .await;

    // Close requests, pending or with a cancel pending, lapse back to OPENED.
    let second = env.opened(SHORT).await;
    env.request_close(opened, units(PRICE), units(3), LIMIT)
        .await;
    env.request_close(second, units(PRICE), units(3), LIMIT)
        .await;
    mined(book.requestToCancelCloseRequest(second).from(a)).await;
    let close_deadline = env.quote(opened).await.closeDeadline;
    reverts(
        book.expireQuote(vec![opened]).from(anyone),
        IntentBook::QuoteNotExpired {
            quoteId: opened,
            deadline: close_deadline,
        },
    )
    .await;
    env.increase_time(QUOTE_TTL + 1).await;
    for id in [opened, second] {
        let receipt = mined(book.expireQuote(vec![id]).from(anyone)).await;
        assert_eq!(
            env.one_event::<IntentBook::ExpireQuoteClose>(&receipt),
            IntentBook::ExpireQuoteClose {
                quoteStatus: OPENED,
                quoteId: id
            }
        );
        let quote = env.quote(id).await;
        assert_eq!(
            (quote.quoteStatus, quote.quantityToClose, quote.closedAmount),
            (OPENED, U256::ZERO, U256::ZERO)
        );
    }
    assert_eq!(env.a_reserved().await, (U256::ZERO, units(2 * RESERVE_A)));
    // An empty list expires nothing and logs nothing.
    let receipt = mined(book.expireQuote(vec![]).from(anyone)).await;
    assert!(receipt.logs().is_empty());
}
