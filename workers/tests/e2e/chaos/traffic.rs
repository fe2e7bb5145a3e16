//! The chaos run's traffic: escrow orders placed by the demo users, RFQ quotes filled by takers
//! through the public JSON-RPC, and intent quotes (MARKET, crossing LIMIT, resting LIMIT then
//! cancelled) sent, opened and closed by party A. Each driver talks to the chains directly, not
//! through the providers the faults stop, and runs until its deadline, finishing the lifecycle
//! it is in. A driver's own failure (a quote refused while the dealer is down) is counted and
//! retried, never a violation: the invariants judge what reached the chains and the exchange.

use super::Ledger;
use crate::support::{
    Stack,
    party_a::{Ask, LIMIT, MARKET, Party},
    taker::Taker,
};
use alloy::primitives::U256;
use hedgeflow::cli::demo;
use hedgeflow_activities::{chain::ChainClient, intent::quotes::read_quote};
use hedgeflow_dealer::api::Size;
use hedgeflow_exchange::FuturesClient;
use hedgeflow_proto::intent::{ChainQuote, QuoteStatus};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::{
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::time::Instant;

/// WETH per RFQ fill: 0.01.
const FILL_WETH: u128 = 10_000_000_000_000_000;
/// ETH per escrow order.
const ORDER_ETH: &str = "0.01";
/// ETHUSDT per intent quote.
const INTENT_QUANTITY: Decimal = dec!(0.05);
/// How long an intent quote stays valid: pending ones expire well within the quiet period.
const INTENT_TTL: u64 = 90;
/// How long a driver waits for an intent quote to move on before giving up on it (the
/// invariants then say whether it is stuck).
const INTENT_WAIT: Duration = Duration::from_secs(240);

/// Places `batch` escrow orders every `every` until `until`.
pub async fn escrow(
    stack: &'static Stack,
    until: Instant,
    every: Duration,
    batch: u32,
    ledger: Arc<Mutex<Ledger>>,
) {
    let config = stack.direct_config();
    while Instant::now() < until {
        match demo::place_orders(&config, batch, None, ORDER_ETH, None).await {
            Ok(placed) => ledger.lock().unwrap().escrow_orders += placed.len() as u32,
            Err(error) => ledger.lock().unwrap().driver_error("escrow", &error),
        }
        tokio::time::sleep(every).await;
    }
}

/// Quotes and fills through the dealer's front door, one fill every `every`, until `until`.
pub async fn rfq(taker: Taker, until: Instant, every: Duration, ledger: Arc<Mutex<Ledger>>) {
    while Instant::now() < until {
        tokio::time::sleep(every).await;
        let size = Size::MakerSize(U256::from(FILL_WETH));
        let quote = match taker
            .client
            .quote(taker.weth, taker.usdc, size, taker.address())
            .await
        {
            Ok(quote) => quote,
            Err(error) => {
                ledger.lock().unwrap().driver_error("rfq quote", &error);
                continue;
            }
        };
        let quote_id = quote.quote().quote_id.to_string();
        // Whatever the answer, the fill may have started: the invariants look at every quote.
        ledger.lock().unwrap().quotes.push(quote_id);
        if let Err(error) = taker.fill(&quote).await {
            ledger.lock().unwrap().driver_error("rfq fill", &error);
        } else {
            ledger.lock().unwrap().fills_submitted += 1;
        }
    }
}

/// Party A's lifecycles, round robin over the three kinds, until `until`; the quotes read from
/// `chain` as the hedger reads them.
pub async fn intents(
    party: Party,
    chain: ChainClient,
    broker: FuturesClient,
    until: Instant,
    ledger: Arc<Mutex<Ledger>>,
) {
    let mut kind = 0usize;
    while Instant::now() < until {
        let Some(mark) = mark_price(&broker, &ledger).await else {
            continue;
        };
        let (order_type, price, resting) = match kind % 3 {
            0 => (MARKET, mark * dec!(1.01), false),
            1 => (LIMIT, mark * dec!(1.005), false),
            _ => (LIMIT, mark * dec!(0.985), true),
        };
        let ask = Ask {
            ttl: INTENT_TTL,
            ..Ask::eth(order_type, price, INTENT_QUANTITY)
        };
        let id = party.send(ask).await;
        if resting {
            // Resting below the market: party A changes its mind while the hedger waits.
            tokio::time::sleep(Duration::from_secs(3)).await;
            party.try_cancel(id).await;
        }
        kind += 1;
        // An opened position is closed; a close the book refuses (a reorg can take the open
        // back: its price signature is stale in the replacing block) is tried again once the
        // quote has settled anew.
        for _ in 0..3 {
            let opened = settle(&chain, &party, id, |s| {
                s == QuoteStatus::Opened || s.is_final()
            });
            let Some(quote) = opened.await.filter(|q| q.status == QuoteStatus::Opened) else {
                break;
            };
            let open = quote.open_quantity();
            let Some(mark) = mark_price(&broker, &ledger).await else {
                continue;
            };
            let price = mark * dec!(0.99);
            if party.try_request_close(id, MARKET, price, open).await {
                settle(&chain, &party, id, |s| s.is_final()).await;
                break;
            }
            ledger
                .lock()
                .unwrap()
                .driver_error("close request refused", &id);
        }
        ledger.lock().unwrap().intent_lifecycles += 1;
    }
}

/// The broker's ETHUSDT mark price; `None` (counted) when the broker refuses this time.
async fn mark_price(broker: &FuturesClient, ledger: &Mutex<Ledger>) -> Option<Decimal> {
    match broker.mark_price("ETHUSDT").await {
        Ok(mark) => Some(mark.mark_price),
        Err(error) => {
            ledger.lock().unwrap().driver_error("mark price", &error);
            tokio::time::sleep(Duration::from_secs(1)).await;
            None
        }
    }
}

/// Waits until quote `id`'s status on chain satisfies `done`, or [`INTENT_WAIT`] passes.
async fn settle(
    chain: &ChainClient,
    party: &Party,
    id: u64,
    done: impl Fn(QuoteStatus) -> bool,
) -> Option<ChainQuote> {
    let deadline = Instant::now() + INTENT_WAIT;
    while Instant::now() < deadline {
        if let Ok(quote) = read_quote(chain, *party.book.address(), id).await
            && done(quote.status)
        {
            return Some(quote);
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    None
}
