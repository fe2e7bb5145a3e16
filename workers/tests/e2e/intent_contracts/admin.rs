//! The deployer's administration (symbols, party Bs, the price signer) and the collateral
//! accounts: deposits, withdrawals, allocations, and what the quote lifecycle reserves of them.

use super::fixture::*;
use crate::contract_chain::reverts;
use alloy::primitives::{Address, U256};
use hedgeflow_activities::intent::contract::{IntentBook, order_type::LIMIT, position_type::LONG};

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
    env.emits(
        book.addSymbol("ETHUSDT".into(), units(50)).from(admin),
        IntentBook::AddSymbol {
            symbolId: U256::from(2),
            name: "ETHUSDT".into(),
        },
    )
    .await;
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
    env.emits(
        book.setSymbolValidation(U256::from(SYMBOL), false)
            .from(admin),
        IntentBook::SetSymbolValidation {
            symbolId: U256::from(SYMBOL),
            isValid: false,
        },
    )
    .await;
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
    env.emits(
        book.registerPartyB(stranger).from(admin),
        IntentBook::RegisterPartyB { partyB: stranger },
    )
    .await;
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
    env.emits(
        book.setPriceSigner(stranger).from(admin),
        IntentBook::SetPriceSigner {
            oldSigner: env.account(PRICE_SIGNER),
            newSigner: stranger,
        },
    )
    .await;
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
    env.emits(
        book.deposit(units(10)).from(stranger),
        IntentBook::Deposit {
            sender: stranger,
            user: stranger,
            amount: units(10),
        },
    )
    .await;
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
    env.emits(
        book.withdraw(units(4)).from(stranger),
        IntentBook::Withdraw {
            sender: stranger,
            user: stranger,
            amount: units(4),
        },
    )
    .await;
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
    env.emits(
        book.allocate(units(1_000)).from(a),
        IntentBook::AllocatePartyA {
            user: a,
            amount: units(1_000),
        },
    )
    .await;
    env.emits(
        book.deallocate(units(400)).from(a),
        IntentBook::DeallocatePartyA {
            user: a,
            amount: units(400),
        },
    )
    .await;
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
    env.emits(
        book.allocateForPartyB(units(500), other_a).from(b),
        IntentBook::AllocateForPartyB {
            partyB: b,
            partyA: other_a,
            amount: units(500),
        },
    )
    .await;
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
    env.emits(
        book.deallocateForPartyB(units(200), other_a).from(b),
        IntentBook::DeallocateForPartyB {
            partyB: b,
            partyA: other_a,
            amount: units(200),
        },
    )
    .await;
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
