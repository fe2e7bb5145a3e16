//! Reading a quote from the `IntentBook` into the workflows' [`ChainQuote`].

use super::{IntentError, contract::IntentBook};
use crate::chain::{ChainClient, ChainError};
use alloy::{
    eips::BlockId,
    primitives::{Address, U256},
};
use hedgeflow_proto::intent::{ChainQuote, OrderType, PositionType, QuoteStatus, from_wad};
use rust_decimal::Decimal;

/// The quote `quote_id` of `book`, as the latest block holds it.
pub async fn read_quote(
    chain: &ChainClient,
    book: Address,
    quote_id: u64,
) -> Result<ChainQuote, IntentError> {
    let contract = IntentBook::new(book, chain.provider.clone());
    let quote = contract
        .getQuote(U256::from(quote_id))
        .call()
        .await
        .map_err(ChainError::rpc)?;
    decode(&quote)
}

/// The quote `quote_id` of `book` as `block` holds it; `None` when it holds no such quote (the
/// block that made it was reorganised away).
pub async fn read_quote_at(
    chain: &ChainClient,
    book: Address,
    quote_id: u64,
    block: BlockId,
) -> Result<Option<ChainQuote>, IntentError> {
    let contract = IntentBook::new(book, chain.provider.clone());
    match contract
        .getQuote(U256::from(quote_id))
        .block(block)
        .call()
        .await
    {
        Ok(quote) => decode(&quote).map(Some),
        Err(error)
            if error
                .as_decoded_error::<IntentBook::UnknownQuote>()
                .is_some() =>
        {
            Ok(None)
        }
        Err(error) => Err(ChainError::rpc(error).into()),
    }
}

/// The book's quote struct as the workflows' [`ChainQuote`].
pub fn decode(quote: &IntentBook::Quote) -> Result<ChainQuote, IntentError> {
    let bad = |what: &str| IntentError::Decode(format!("quote {}: {what}", quote.id));
    let wad = |value: U256, what: &str| from_wad(value).ok_or_else(|| bad(what));
    let secs = |value: U256, what: &str| u64::try_from(value).map_err(|_| bad(what));
    let locked = &quote.lockedValues;
    Ok(ChainQuote {
        quote_id: secs(quote.id, "id")?,
        status: QuoteStatus::from_u8(quote.quoteStatus).ok_or_else(|| bad("status"))?,
        party_a: quote.partyA,
        party_b: (quote.partyB != Address::ZERO).then_some(quote.partyB),
        symbol_id: secs(quote.symbolId, "symbol id")?,
        position_type: PositionType::from_u8(quote.positionType)
            .ok_or_else(|| bad("position type"))?,
        order_type: OrderType::from_u8(quote.orderType).ok_or_else(|| bad("order type"))?,
        requested_open_price: wad(quote.requestedOpenPrice, "requested price")?,
        quantity: wad(quote.quantity, "quantity")?,
        opened_price: wad(quote.openedPrice, "opened price")?,
        closed_amount: wad(quote.closedAmount, "closed amount")?,
        avg_closed_price: wad(quote.avgClosedPrice, "closed price")?,
        requested_close_price: wad(quote.requestedClosePrice, "close price")?,
        quantity_to_close: wad(quote.quantityToClose, "quantity to close")?,
        close_order_type: OrderType::from_u8(quote.closeOrderType)
            .ok_or_else(|| bad("close order type"))?,
        deadline: secs(quote.deadline, "deadline")?,
        close_deadline: secs(quote.closeDeadline, "close deadline")?,
        party_b_locked: [locked.cva, locked.lf, locked.partyBmm]
            .into_iter()
            .map(|v| wad(v, "locked values"))
            .sum::<Result<Decimal, _>>()?,
        party_b_mm: wad(locked.partyBmm, "locked values")?,
        parent_id: secs(quote.parentId, "parent id")?,
        party_bs_whitelist: quote.partyBsWhiteList.clone(),
    })
}
