//! Quotes before they open: `sendQuote`, locking and unlocking by party B, and party A's
//! cancel requests (accepted by party B, forced after the cooldown, or expired).

use super::fixture::*;
use crate::contract_chain::{increase_time, now, reverts};
use alloy::primitives::{Address, U256};
use hedgeflow_activities::intent::contract::{
    IntentBook,
    order_type::{LIMIT, MARKET},
    position_type::{LONG, SHORT},
    quote_status::*,
};

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
    let sent_at = U256::from(now(&env.provider).await);
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
    bad.deadline = U256::from(now(&env.provider).await);
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
        U256::from(now(&env.provider).await),
        "the lock is a status change"
    );
    assert_eq!(env.b_reserved().await, (reserve_b(), U256::ZERO));
    assert_eq!(env.a_reserved().await, (reserve_a(), U256::ZERO));
    // Locked by one, it is no one else's (nor the same party B's again).
    for party_b in [other_b, b] {
        wrong_status(book.lockQuote(id).from(party_b), id, LOCKED).await;
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
    increase_time(&env.provider, QUOTE_TTL + 1).await;
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
        only_party_b(book.unlockQuote(id).from(caller), id, caller).await;
    }
    env.emits(
        book.unlockQuote(id).from(b),
        IntentBook::UnlockQuote {
            partyB: b,
            quoteId: id,
            quoteStatus: PENDING,
        },
    )
    .await;
    let quote = env.quote(id).await;
    assert_eq!((quote.quoteStatus, quote.partyB), (PENDING, Address::ZERO));
    assert_eq!(env.b_reserved().await, (U256::ZERO, U256::ZERO));
    assert_eq!(env.a_reserved().await, (reserve_a(), U256::ZERO));
    // Nobody holds it now, so nobody can unlock it; another party B can lock it.
    only_party_b(book.unlockQuote(id).from(b), id, b).await;
    env.lock(OTHER_B, id).await;

    // Only a LOCKED quote is unlocked (not one party A asked to cancel).
    let cancel_pending = env.locked(LONG, LIMIT).await;
    mined(book.requestToCancelQuote(cancel_pending).from(a)).await;
    wrong_status(
        book.unlockQuote(cancel_pending).from(b),
        cancel_pending,
        CANCEL_PENDING,
    )
    .await;

    // Past the deadline an unlocked quote expires, releasing party A's reserve as well.
    let late = env.locked(SHORT, LIMIT).await;
    assert_eq!(env.a_reserved().await, (units(3 * RESERVE_A), U256::ZERO));
    increase_time(&env.provider, QUOTE_TTL + 1).await;
    env.emits(
        book.unlockQuote(late).from(b),
        IntentBook::UnlockQuote {
            partyB: b,
            quoteId: late,
            quoteStatus: EXPIRED,
        },
    )
    .await;
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
        only_party_a(book.requestToCancelQuote(id).from(caller), id, caller).await;
    }
    env.emits(
        book.requestToCancelQuote(id).from(a),
        IntentBook::RequestToCancelQuote {
            partyA: a,
            partyB: Address::ZERO,
            quoteStatus: CANCELED,
            quoteId: id,
        },
    )
    .await;
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
    env.emits(
        book.requestToCancelQuote(id).from(a),
        IntentBook::RequestToCancelQuote {
            partyA: a,
            partyB: b,
            quoteStatus: CANCEL_PENDING,
            quoteId: id,
        },
    )
    .await;
    assert_eq!(env.status(id).await, CANCEL_PENDING);
    assert_eq!(env.a_reserved().await, (reserve_a(), U256::ZERO));
    assert_eq!(env.b_reserved().await, (reserve_b(), U256::ZERO));
    wrong_status(book.requestToCancelQuote(id).from(a), id, CANCEL_PENDING).await;

    // Only its party B accepts, and then both reserves are released.
    for caller in [other_b, a] {
        only_party_b(book.acceptCancelRequest(id).from(caller), id, caller).await;
    }
    env.emits(
        book.acceptCancelRequest(id).from(b),
        IntentBook::AcceptCancelRequest {
            quoteId: id,
            quoteStatus: CANCELED,
        },
    )
    .await;
    assert_eq!(env.status(id).await, CANCELED);
    assert_eq!(env.a_reserved().await, (U256::ZERO, U256::ZERO));
    assert_eq!(env.b_reserved().await, (U256::ZERO, U256::ZERO));
    wrong_status(book.acceptCancelRequest(id).from(b), id, CANCELED).await;
    wrong_status(
        book.openPosition(
            id,
            units(QUANTITY),
            units(PRICE),
            env.price_sig(units(PRICE)).await,
        )
        .from(b),
        id,
        CANCELED,
    )
    .await;

    // A locked quote nobody asked to cancel is not accepted as canceled.
    let locked = env.locked(SHORT, LIMIT).await;
    wrong_status(book.acceptCancelRequest(locked).from(b), locked, LOCKED).await;

    // Past the deadline, a cancel request expires the quote instead, pending or locked.
    let pending = env.send(&env.new_quote(LONG, LIMIT).await).await;
    increase_time(&env.provider, QUOTE_TTL + 1).await;
    for (id, party_b) in [(pending, Address::ZERO), (locked, b)] {
        env.emits(
            book.requestToCancelQuote(id).from(a),
            IntentBook::RequestToCancelQuote {
                partyA: a,
                partyB: party_b,
                quoteStatus: EXPIRED,
                quoteId: id,
            },
        )
        .await;
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
    wrong_status(book.forceCancelQuote(id).from(a), id, LOCKED).await;
    mined(book.requestToCancelQuote(id).from(a)).await;
    let requested_at = env.quote(id).await.statusModifyTimestamp;
    assert_eq!(requested_at, U256::from(now(&env.provider).await));
    let cooldown_end = requested_at + U256::from(FORCE_CANCEL_COOLDOWN);
    reverts(
        book.forceCancelQuote(id).from(a),
        IntentBook::CooldownNotOver {
            quoteId: id,
            cooldownEnd: cooldown_end,
        },
    )
    .await;
    increase_time(&env.provider, FORCE_CANCEL_COOLDOWN - 10).await;
    reverts(
        book.forceCancelQuote(id).from(a),
        IntentBook::CooldownNotOver {
            quoteId: id,
            cooldownEnd: cooldown_end,
        },
    )
    .await;
    increase_time(&env.provider, 11).await;
    only_party_a(book.forceCancelQuote(id).from(b), id, b).await;
    env.emits(
        book.forceCancelQuote(id).from(a),
        IntentBook::ForceCancelQuote {
            quoteId: id,
            quoteStatus: CANCELED,
        },
    )
    .await;
    assert_eq!(env.status(id).await, CANCELED);
    assert_eq!(env.a_reserved().await, (U256::ZERO, U256::ZERO));
    assert_eq!(env.b_reserved().await, (U256::ZERO, U256::ZERO));
    wrong_status(book.forceCancelQuote(id).from(a), id, CANCELED).await;
}
