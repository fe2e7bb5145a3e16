//! Closing positions: close requests, their withdrawal, their fills and the P&L they settle,
//! and the expiry of unopened quotes and lapsed close requests.

use super::fixture::*;
use crate::contract_chain::{events, increase_time, now, reverts};
use alloy::primitives::{Address, U256};
use hedgeflow_activities::intent::contract::{
    IntentBook::{self, PriceSig},
    order_type::{LIMIT, MARKET},
    position_type::{LONG, SHORT},
    quote_status::*,
};

// --------------------------------------------------------------------------------- closing

#[tokio::test]
async fn party_a_requests_a_close_and_may_withdraw_it_with_party_bs_consent() {
    let env = Env::start().await;
    let (book, a, b) = (&env.book, env.a(), env.b());
    let id = env.opened(LONG).await;
    let deadline = U256::from(now(&env.provider).await + QUOTE_TTL);
    let request = |price: U256, quantity: U256, deadline: U256, caller: Address| {
        book.requestToClosePosition(id, price, quantity, MARKET, deadline)
            .from(caller)
    };
    let (price, quantity) = (units(2_100), units(4));
    only_party_a(request(price, quantity, deadline, b), id, b).await;
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
    let now = U256::from(now(&env.provider).await);
    let error: IntentBook::InvalidDeadline = error_of(request(price, quantity, now, a)).await;
    assert_eq!(error.deadline, now);

    env.emits(
        request(price, quantity, deadline, a),
        IntentBook::RequestToClosePosition {
            partyA: a,
            partyB: b,
            quoteId: id,
            closePrice: price,
            quantityToClose: quantity,
            orderType: MARKET,
            deadline,
            quoteStatus: CLOSE_PENDING,
        },
    )
    .await;
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
    wrong_status(request(price, quantity, deadline, a), id, CLOSE_PENDING).await;
    // A quote not opened has nothing to close.
    let locked = env.locked(LONG, LIMIT).await;
    wrong_status(
        book.requestToClosePosition(locked, price, quantity, LIMIT, deadline)
            .from(a),
        locked,
        LOCKED,
    )
    .await;

    // Cancelling the request asks party B; only party B accepts.
    only_party_a(book.requestToCancelCloseRequest(id).from(b), id, b).await;
    wrong_status(book.acceptCancelCloseRequest(id).from(b), id, CLOSE_PENDING).await;
    env.emits(
        book.requestToCancelCloseRequest(id).from(a),
        IntentBook::RequestToCancelCloseRequest {
            partyA: a,
            partyB: b,
            quoteId: id,
            quoteStatus: CANCEL_CLOSE_PENDING,
        },
    )
    .await;
    assert_eq!(env.status(id).await, CANCEL_CLOSE_PENDING);
    wrong_status(
        book.requestToCancelCloseRequest(id).from(a),
        id,
        CANCEL_CLOSE_PENDING,
    )
    .await;
    for caller in [a, env.account(OTHER_B)] {
        only_party_b(book.acceptCancelCloseRequest(id).from(caller), id, caller).await;
    }
    env.emits(
        book.acceptCancelCloseRequest(id).from(b),
        IntentBook::AcceptCancelCloseRequest {
            quoteId: id,
            quoteStatus: OPENED,
        },
    )
    .await;
    assert_eq!(env.close_state(id).await, (OPENED, U256::ZERO, U256::ZERO));
    assert_eq!(
        env.a_reserved().await,
        (reserve_a(), reserve_a()),
        "the position (and the locked quote) stay reserved"
    );

    // Past the close deadline, cancelling the request just ends it.
    env.request_close(id, price, quantity, LIMIT).await;
    increase_time(&env.provider, QUOTE_TTL + 1).await;
    env.emits(
        book.requestToCancelCloseRequest(id).from(a),
        IntentBook::RequestToCancelCloseRequest {
            partyA: a,
            partyB: b,
            quoteId: id,
            quoteStatus: OPENED,
        },
    )
    .await;
    assert_eq!(
        env.close_state(id).await,
        (OPENED, U256::ZERO, U256::ZERO),
        "nothing was closed"
    );
}

#[tokio::test]
async fn party_a_force_cancels_a_close_request_only_after_the_cooldown() {
    let env = Env::start().await;
    let (book, a, b) = (&env.book, env.a(), env.b());
    let id = env.opened(SHORT).await;
    env.request_close(id, units(1_900), units(5), LIMIT).await;
    wrong_status(book.forceCancelCloseRequest(id).from(a), id, CLOSE_PENDING).await;
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
    increase_time(&env.provider, FORCE_CANCEL_COOLDOWN + 1).await;
    reverts(
        book.forceCancelCloseRequest(id).from(a),
        IntentBook::CooldownNotOver {
            quoteId: id,
            cooldownEnd: cooldown_end,
        },
    )
    .await;
    increase_time(
        &env.provider,
        FORCE_CANCEL_CLOSE_COOLDOWN - FORCE_CANCEL_COOLDOWN,
    )
    .await;
    only_party_a(book.forceCancelCloseRequest(id).from(b), id, b).await;
    env.emits(
        book.forceCancelCloseRequest(id).from(a),
        IntentBook::ForceCancelCloseRequest {
            quoteId: id,
            quoteStatus: OPENED,
        },
    )
    .await;
    assert_eq!(
        env.close_state(id).await,
        (OPENED, U256::ZERO, U256::ZERO),
        "nothing was closed"
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
    wrong_status(fill(long, units(1), PRICE, sig.clone(), b), long, OPENED).await;

    // A LONG closes (sells) at the requested price or above, a SHORT (buys) at it or below.
    env.request_close(long, units(PRICE), units(6), LIMIT).await;
    env.request_close(short, units(PRICE), units(6), MARKET)
        .await;
    for caller in [a, env.account(OTHER_B)] {
        only_party_b(
            fill(long, units(1), PRICE, sig.clone(), caller),
            long,
            caller,
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
    assert_eq!(
        env.close_state(long).await,
        (CLOSE_PENDING, units(4), units(2))
    );
    let event = env.fill_close(short, units(6), 1_990).await;
    assert_eq!((event.filledAmount, event.quoteStatus), (units(6), OPENED));

    // A fill wins over a pending cancel of the request.
    mined(book.requestToCancelCloseRequest(long).from(a)).await;
    let event = env.fill_close(long, units(4), PRICE).await;
    assert_eq!(event.quoteStatus, OPENED, "the request is all filled");
    assert_eq!(env.close_state(long).await, (OPENED, U256::ZERO, units(6)));

    // Past the close deadline nobody fills.
    env.request_close(long, units(PRICE), units(4), LIMIT).await;
    let close_deadline = env.quote(long).await.closeDeadline;
    increase_time(&env.provider, QUOTE_TTL + 1).await;
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
    env.assert_settled(
        (before_a + units(400), before_b - units(400)),
        (units(RESERVE_A * 6 / 10), units(RESERVE_B * 6 / 10)),
    )
    .await;
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
    env.assert_settled(
        (
            before_a + units(400) - units(600),
            before_b - units(400) + units(600),
        ),
        (U256::ZERO, U256::ZERO),
    )
    .await;
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
    wrong_status(
        env.book
            .requestToClosePosition(
                id,
                units(PRICE),
                units(1),
                LIMIT,
                U256::from(now(&env.provider).await + 60),
            )
            .from(a),
        id,
        CLOSED,
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
    env.assert_settled(
        (before_a + units(250), before_b - units(250)),
        (units(RESERVE_A * 5 / 10), units(RESERVE_B * 5 / 10)),
    )
    .await;
    // 5 at 2,015: party A loses 5 * 15 = 75.
    env.request_close(id, units(2_015), units(5), LIMIT).await;
    let event = env.fill_close(id, units(5), 2_015).await;
    assert_eq!(event.quoteStatus, CLOSED);
    env.assert_settled(
        (
            before_a + units(250) - units(75),
            before_b - units(250) + units(75),
        ),
        (U256::ZERO, U256::ZERO),
    )
    .await;
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
    increase_time(&env.provider, QUOTE_TTL + 1).await;
    // One bad id reverts the whole call: an opened quote, an unknown one.
    wrong_status(
        book.expireQuote(vec![pending, opened]).from(anyone),
        opened,
        OPENED,
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
    wrong_status(
        book.expireQuote(vec![pending]).from(anyone),
        pending,
        EXPIRED,
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
    increase_time(&env.provider, QUOTE_TTL + 1).await;
    for id in [opened, second] {
        env.emits(
            book.expireQuote(vec![id]).from(anyone),
            IntentBook::ExpireQuoteClose {
                quoteStatus: OPENED,
                quoteId: id,
            },
        )
        .await;
        assert_eq!(env.close_state(id).await, (OPENED, U256::ZERO, U256::ZERO));
    }
    assert_eq!(env.a_reserved().await, (U256::ZERO, units(2 * RESERVE_A)));
    // An empty list expires nothing and logs nothing.
    let receipt = mined(book.expireQuote(vec![]).from(anyone)).await;
    assert!(receipt.logs().is_empty());
}
