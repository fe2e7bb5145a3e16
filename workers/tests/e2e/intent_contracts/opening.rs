//! Opening positions: `openPosition` whole or in part, its price rules, and the price
//! signature every fill must carry.

use super::fixture::*;
use crate::contract_chain::{self, high_s_twin, increase_time, now, reverts, reverts_for};
use alloy::primitives::{Address, Bytes, U256};
use hedgeflow_activities::intent::contract::{
    IntentBook::{self, PriceSig},
    order_type::{LIMIT, MARKET},
    position_type::{LONG, SHORT},
    quote_status::*,
};

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
        only_party_b(open(units(QUANTITY), caller), id, caller).await;
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
    env.emits(
        open(units(QUANTITY), b),
        IntentBook::OpenPosition {
            quoteId: id,
            partyA: a,
            partyB: b,
            filledAmount: units(QUANTITY),
            openedPrice: units(PRICE),
            newQuoteId: U256::ZERO,
        },
    )
    .await;
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
            U256::from(now(&env.provider).await)
        )
    );
    assert_eq!(book.quotesCount().call().await.unwrap(), id, "no child");
    assert_eq!(env.a_reserved().await, (U256::ZERO, reserve_a()));
    assert_eq!(env.b_reserved().await, (U256::ZERO, reserve_b()));
    wrong_status(open(units(QUANTITY), b), id, OPENED).await;

    // A PENDING quote has no party B to open it.
    let pending = env.send(&env.new_quote(LONG, LIMIT).await).await;
    only_party_b(
        book.openPosition(pending, units(QUANTITY), units(PRICE), sig.clone())
            .from(b),
        pending,
        b,
    )
    .await;

    // Past the deadline a locked quote no longer opens, even with a fresh price.
    let late = env.locked(LONG, LIMIT).await;
    let deadline = env.quote(late).await.deadline;
    increase_time(&env.provider, QUOTE_TTL + 1).await;
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
    let now = U256::from(now(&env.provider).await);
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
    wrong_status(book.lockQuote(child).from(env.b()), child, CANCELED).await;
}

// -------------------------------------------------------------------------- price signature

#[tokio::test]
async fn the_price_signature_must_be_the_signers_fresh_for_the_symbol_and_near_the_fill() {
    let env = Env::start().await;
    let (book, b) = (&env.book, env.b());
    let id = env.locked(LONG, LIMIT).await;
    let now = now(&env.provider).await;

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
    let twin = high_s_twin(&good);
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
        reverts_for(what, open(sig, PRICE), IntentBook::BadPriceSignature {}).await;
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
    increase_time(&env.provider, PRICE_VALIDITY + 1).await;
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
            env.price_sig_with(
                STRANGER,
                SYMBOL,
                units(2_000),
                contract_chain::now(&env.provider).await,
            ),
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
            env.price_sig_with(
                STRANGER,
                SYMBOL,
                units(1_980),
                contract_chain::now(&env.provider).await,
            ),
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
