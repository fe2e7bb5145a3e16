use super::*;
use alloy::primitives::U256;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

#[test]
fn wads_round_trip_and_refuse_what_the_chain_cannot_hold() {
    for value in [
        dec!(0),
        dec!(1),
        dec!(2.5),
        dec!(3012.123456789012345678),
        dec!(0.000000000000000001),
    ] {
        let wad = to_wad(value).unwrap();
        assert_eq!(from_wad(wad), Some(value.normalize()), "{value}");
    }
    assert_eq!(to_wad(dec!(1)), Some(U256::from(10u64).pow(U256::from(18))));
    assert_eq!(to_wad(dec!(-1)), None);
    assert_eq!(to_wad(dec!(0.0000000000000000001)), None);
    assert_eq!(from_wad(U256::MAX), None);
}

#[test]
fn price_rules_follow_symmio() {
    let long = PositionType::Long;
    assert!(long.accepts_open(dec!(99), dec!(100)) && !long.accepts_open(dec!(101), dec!(100)));
    assert!(long.accepts_close(dec!(101), dec!(100)) && !long.accepts_close(dec!(99), dec!(100)));
    let short = PositionType::Short;
    assert!(short.accepts_open(dec!(101), dec!(100)) && !short.accepts_open(dec!(99), dec!(100)));
    assert!(short.accepts_close(dec!(99), dec!(100)) && !short.accepts_close(dec!(101), dec!(100)));
    assert_eq!(long.hedge_open_side(), BrokerSide::Buy);
    assert_eq!(long.party_b_signed(dec!(2)), dec!(-2));
}

#[test]
fn statuses_decode_in_the_contracts_order() {
    assert_eq!(QuoteStatus::from_u8(0), Some(QuoteStatus::Pending));
    assert_eq!(
        QuoteStatus::from_u8(6),
        Some(QuoteStatus::CancelClosePending)
    );
    assert_eq!(QuoteStatus::from_u8(8), Some(QuoteStatus::Expired));
    assert_eq!(QuoteStatus::from_u8(9), None);
}

#[test]
fn broker_ids_fit_binance() {
    let intent = IntentRef {
        chain_id: 31337,
        book: Address::ZERO,
        quote_id: 123_456_789,
        identity: B256::repeat_byte(0xab),
    };
    let id = intent.broker_order_id("undo-close-12");
    assert!(id.len() <= 36, "{id}");
    assert_eq!(
        intent.workflow_id(),
        "intent-31337-00000000-123456789-abababab"
    );
    let other_chain = IntentRef {
        chain_id: 31338,
        ..intent.clone()
    };
    let redeployed = IntentRef {
        book: Address::repeat_byte(1),
        ..intent.clone()
    };
    let reassigned = IntentRef {
        identity: B256::repeat_byte(0xcd),
        ..intent.clone()
    };
    for other in [other_chain, redeployed, reassigned] {
        assert_ne!(other.workflow_id(), intent.workflow_id());
        assert_ne!(
            other.broker_order_id("open"),
            intent.broker_order_id("open")
        );
        assert_ne!(other.tx_key("open"), intent.tx_key("open"));
    }
}

fn quote(party_a: Address, quantity: Decimal) -> ChainQuote {
    ChainQuote {
        quote_id: 7,
        status: QuoteStatus::Pending,
        party_a,
        party_b: None,
        symbol_id: 1,
        position_type: PositionType::Long,
        order_type: OrderType::Market,
        requested_open_price: dec!(2000.50),
        quantity,
        opened_price: Decimal::ZERO,
        closed_amount: Decimal::ZERO,
        avg_closed_price: Decimal::ZERO,
        requested_close_price: Decimal::ZERO,
        quantity_to_close: Decimal::ZERO,
        close_order_type: OrderType::Market,
        deadline: 1_800_000_000,
        close_deadline: 0,
        party_b_locked: Decimal::ZERO,
        party_b_mm: Decimal::ZERO,
        parent_id: 0,
        party_bs_whitelist: Vec::new(),
    }
}

#[test]
fn a_quote_is_named_by_its_terms_not_by_its_id_alone() {
    let sent = quote(Address::repeat_byte(1), dec!(2));
    let intent = IntentRef::of(31338, Address::ZERO, &sent);
    // What the book changes over the quote's life leaves it the same quote.
    let mut opened = sent.clone();
    opened.status = QuoteStatus::Opened;
    opened.party_b = Some(Address::repeat_byte(9));
    opened.quantity = dec!(1.5);
    opened.opened_price = dec!(1999);
    assert!(intent.names(&opened));
    assert_eq!(IntentRef::of(31338, Address::ZERO, &opened), intent);
    // Another party A's quote under the same id is another quote, with its own names.
    let other = quote(Address::repeat_byte(2), dec!(2));
    assert!(!intent.names(&other));
    let replaced = IntentRef::of(31338, Address::ZERO, &other);
    assert_ne!(replaced.workflow_id(), intent.workflow_id());
    assert_ne!(replaced.tx_key("lock"), intent.tx_key("lock"));
    assert_ne!(
        replaced.broker_order_id("open"),
        intent.broker_order_id("open")
    );
    // A run started before identities reads any quote as its own, under its old names.
    let legacy = IntentRef {
        identity: B256::ZERO,
        ..intent.clone()
    };
    assert!(legacy.names(&other));
    assert_eq!(legacy.workflow_id(), "intent-31338-00000000-7");
}
