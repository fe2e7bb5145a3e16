//! One epoch's hedge order on the exchange: priced from the touch, rounded to the symbol's
//! rules, placed once by client order id, and followed to its final state, its commissions
//! read from the order's trades when the stream and the placement answer missed some.

use super::ExchangeError;
use hedgeflow_exchange::{
    Client, ClientOrderId, FinalOrder, OrderKind, OrderRequest, OrderWatch, Rounding,
    Side as ExchangeSide, SymbolFilters, TimeInForce, Touch,
};
use hedgeflow_proto::{
    rfq::hedge::{HedgeExecution, HedgeOrder, NOT_PLACED},
    rfq::side::Side,
};
use rust_decimal::Decimal;
use std::{
    collections::BTreeMap,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

const BPS: Decimal = Decimal::from_parts(10_000, 0, 0, false, 0);

/// The order's quantity and limit: the quantity rounded down to the step, the limit
/// `max_slippage_bps` beyond the touch, rounded towards the touch. `None` when the exchange
/// would refuse it (below the minimum quantity or notional).
pub fn price(
    order: &HedgeOrder,
    filters: &SymbolFilters,
    touch: Touch,
) -> Option<(Decimal, Decimal)> {
    let qty = filters.round_qty(order.quantity);
    let slippage = order.max_slippage_bps / BPS;
    let limit = match order.side {
        Side::Buy => filters.round_price(touch.ask * (Decimal::ONE + slippage), Rounding::Down),
        Side::Sell => filters.round_price(touch.bid * (Decimal::ONE - slippage), Rounding::Up),
    };
    (qty > Decimal::ZERO && filters.accepts(limit, qty)).then_some((qty, limit))
}

/// Places `order` (at most once for its client order id) and waits for its final state.
pub async fn execute(
    client: &Client,
    watch: &OrderWatch,
    order: &HedgeOrder,
    order_timeout: Duration,
) -> Result<HedgeExecution, ExchangeError> {
    let id = ClientOrderId::new(order.client_order_id.clone())?;
    let filters = client.symbol_filters(&order.symbol).await?;
    let touch = client.touch(&order.symbol).await?;
    let unplaced = || HedgeExecution {
        client_order_id: order.client_order_id.clone(),
        order_id: None,
        symbol: order.symbol.clone(),
        side: order.side,
        status: NOT_PLACED.to_owned(),
        quantity: Decimal::ZERO,
        limit_price: Decimal::ZERO,
        executed: Decimal::ZERO,
        average_price: None,
        mark_price: touch.mid(),
        fees: BTreeMap::new(),
        fees_in_quote: Decimal::ZERO,
        fees_complete: true,
        at_ms: now_ms(),
    };
    let Some((qty, limit)) = price(order, &filters, touch) else {
        // An earlier attempt may have placed it against another touch: ask before saying no.
        return match client.query(&order.symbol, &id).await? {
            Some(found) => {
                let placed = Placed {
                    filters: &filters,
                    touch,
                    limit: found.price,
                };
                follow(client, watch, order, &id, placed, order_timeout).await
            }
            None => Ok(unplaced()),
        };
    };
    let request = OrderRequest {
        symbol: order.symbol.clone(),
        side: match order.side {
            Side::Buy => ExchangeSide::Buy,
            Side::Sell => ExchangeSide::Sell,
        },
        kind: OrderKind::Limit {
            price: limit,
            qty,
            time_in_force: TimeInForce::Ioc,
        },
        client_order_id: id.clone(),
    };
    let placed = client.place_once(&request).await?;
    tracing::info!(order_id = placed.order().order_id, %qty, %limit, "hedge order on the exchange");
    watch.record_fills(placed.order());
    let placed = Placed {
        filters: &filters,
        touch,
        limit: placed.order().price,
    };
    follow(client, watch, order, &id, placed, order_timeout).await
}

/// What is known of a placed order besides its final state.
struct Placed<'a> {
    filters: &'a SymbolFilters,
    touch: Touch,
    limit: Decimal,
}

async fn follow(
    client: &Client,
    watch: &OrderWatch,
    order: &HedgeOrder,
    id: &ClientOrderId,
    placed: Placed<'_>,
    order_timeout: Duration,
) -> Result<HedgeExecution, ExchangeError> {
    let done = watch.wait_final(&order.symbol, id, order_timeout).await?;
    let done = with_exact_fees(client, done).await?;
    Ok(execution(order, placed, done))
}

/// The final order with every trade's commission. The watch knows only the trades it saw (the
/// user data stream, this attempt's placement answer): after a crash, or with the stream down,
/// some are missing. Then the order's trades are read from the exchange (`myTrades`), which
/// keeps them all; they replace what was seen when they add up to the executed quantity.
/// Otherwise (the exchange's trade list lagging, or refused) the seen commissions stay, a
/// lower bound marked incomplete. A failure that may pass fails the attempt: its retry finds
/// the order by client order id and places nothing.
async fn with_exact_fees(
    client: &Client,
    mut done: FinalOrder,
) -> Result<FinalOrder, ExchangeError> {
    if done.commissions_complete {
        return Ok(done);
    }
    let order_id = done.order_id;
    let trades = match client.order_trades(&done.symbol, order_id).await {
        Ok(trades) => trades,
        Err(e) if e.is_retryable() => return Err(e.into()),
        Err(e) => {
            tracing::warn!(error = %e, order_id, "the order's trades unread; fees a lower bound");
            return Ok(done);
        }
    };
    let qty: Decimal = trades.iter().map(|t| t.qty).sum();
    if qty != done.executed_qty {
        let executed = done.executed_qty;
        tracing::warn!(order_id, %qty, %executed, "trades short of the fills; fees a lower bound");
        return Ok(done);
    }
    let mut commissions = BTreeMap::new();
    for trade in trades {
        *commissions.entry(trade.commission_asset).or_default() += trade.commission;
    }
    tracing::info!(
        order_id = done.order_id,
        ?commissions,
        "fees the watch missed read from the order's trades"
    );
    done.commissions = commissions;
    done.commissions_complete = true;
    Ok(done)
}

fn execution(order: &HedgeOrder, placed: Placed<'_>, done: FinalOrder) -> HedgeExecution {
    let Placed {
        filters,
        touch,
        limit,
    } = placed;
    let fees_in_quote = done
        .commissions
        .iter()
        .map(|(asset, fee)| {
            if *asset == filters.quote_asset {
                *fee
            } else if *asset == filters.base_asset {
                *fee * done.average_price.unwrap_or_else(|| touch.mid())
            } else {
                tracing::warn!(%asset, %fee, "commission in a third asset is left out of the P&L");
                Decimal::ZERO
            }
        })
        .sum();
    HedgeExecution {
        client_order_id: order.client_order_id.clone(),
        order_id: Some(done.order_id),
        symbol: done.symbol,
        side: order.side,
        status: done.status.as_str().to_owned(),
        quantity: filters.round_qty(order.quantity),
        limit_price: limit,
        executed: done.executed_qty,
        average_price: done.average_price,
        mark_price: touch.mid(),
        fees: done.commissions,
        fees_in_quote,
        fees_complete: done.commissions_complete,
        at_ms: now_ms(),
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filters() -> SymbolFilters {
        SymbolFilters {
            symbol: "ETHUSDT".into(),
            base_asset: "ETH".into(),
            quote_asset: "USDT".into(),
            tick_size: "0.01".parse().unwrap(),
            min_price: "0.01".parse().unwrap(),
            step_size: "0.0001".parse().unwrap(),
            min_qty: "0.0001".parse().unwrap(),
            max_qty: "9000".parse().unwrap(),
            min_notional: "5".parse().unwrap(),
        }
    }

    fn order(side: Side, quantity: &str) -> HedgeOrder {
        HedgeOrder {
            client_order_id: "hedge-WETH-USDC-1".into(),
            symbol: "ETHUSDT".into(),
            side,
            quantity: quantity.parse().unwrap(),
            max_slippage_bps: "50".parse().unwrap(),
        }
    }

    #[test]
    fn the_limit_is_bounded_beyond_the_touch_and_the_size_rounds_down() {
        let touch = Touch {
            bid: "2999.99".parse().unwrap(),
            ask: "3000.01".parse().unwrap(),
        };
        let (qty, limit) = price(&order(Side::Buy, "1.23456"), &filters(), touch).unwrap();
        assert_eq!(qty, "1.2345".parse::<Decimal>().unwrap());
        // 3000.01 × 1.005 = 3015.010050, down to the tick
        assert_eq!(limit, "3015.01".parse::<Decimal>().unwrap());
        let (_, limit) = price(&order(Side::Sell, "1"), &filters(), touch).unwrap();
        // 2999.99 × 0.995 = 2984.990050, up to the tick
        assert_eq!(limit, "2985.00".parse::<Decimal>().unwrap());
        // below the minimum notional: not placed
        assert_eq!(price(&order(Side::Buy, "0.001"), &filters(), touch), None);
    }

    /// After a crash: the first attempt placed the hedge and died before following it, so the
    /// fills were in an answer and on a stream nobody reads any more. The retry finds the order
    /// filled by polling, with no commission seen, and reads them from the order's trades.
    #[tokio::test(flavor = "multi_thread")]
    async fn fees_the_watch_missed_are_read_from_the_orders_trades() {
        use hedgeflow_exchange::{Config, Credentials, OrderStatus};
        use hedgeflow_paper_exchange::{DEV_API_KEY, DEV_SECRET_KEY};
        use std::sync::Arc;

        let paper = hedgeflow_paper_exchange::spawn(hedgeflow_paper_exchange::Config {
            seed: Some(7),
            ..Default::default()
        })
        .await
        .unwrap();
        let url = format!("http://{}", paper.addr).parse().unwrap();
        let credentials = Credentials::new(DEV_API_KEY, DEV_SECRET_KEY);
        let client = Arc::new(Client::new(Config::paper(url, credentials)).unwrap());
        // several levels of the book: several trades, each with its commission
        let hedge = order(Side::Buy, "12");

        let filters = client.symbol_filters(&hedge.symbol).await.unwrap();
        let touch = client.touch(&hedge.symbol).await.unwrap();
        let (qty, limit) = price(&hedge, &filters, touch).unwrap();
        let request = OrderRequest {
            symbol: hedge.symbol.clone(),
            side: ExchangeSide::Buy,
            kind: OrderKind::Limit {
                price: limit,
                qty,
                time_in_force: TimeInForce::Ioc,
            },
            client_order_id: ClientOrderId::new(hedge.client_order_id.clone()).unwrap(),
        };
        let first = client.place_once(&request).await.unwrap().into_order();
        assert_eq!(first.status, OrderStatus::Filled);
        assert!(first.fills.len() > 1, "{first:?}");
        let fees: Decimal = first.fills.iter().map(|f| f.commission).sum();

        // the restarted role: a new watch, the same hedge
        let watch = OrderWatch::start(client.clone(), Duration::from_millis(100));
        let done = execute(&client, &watch, &hedge, Duration::from_secs(10))
            .await
            .unwrap();
        assert_eq!(done.order_id, Some(first.order_id));
        assert_eq!(done.executed, qty);
        assert!(done.fees_complete, "{done:?}");
        assert_eq!(done.fees, BTreeMap::from([("ETH".to_string(), fees)]));
        assert_eq!(done.fees_in_quote, fees * first.average_price().unwrap());
    }
}
