//! The hedger on the real stack (orchestrator, exchange role, paper exchange): fills handed to
//! `hedge-<market>` are netted per epoch into one exchange order, recorded on every quote with
//! its P&L; an exchange worker SIGKILLed while its order is on the exchange places nothing more.
//!
//! These tests hand the hedger synthetic fills of their own markets (`NET/USDC`, `CRASH/USDC`,
//! hedged on ETHUSDT), as the fill workflow's hand-off does, so they need no chain and never
//! share an epoch with another test's fills.

use crate::support::{HANG_PREFIX, HEDGE_EPOCH_MS, Stack, eventually};
use hedgeflow_activities::store::{
    Store,
    entity::{rfq_hedge, rfq_quote},
};
use hedgeflow_exchange::{ClientOrderId, Order};
use hedgeflow_proto::workflows::HedgeWorkflow;
use hedgeflow_proto::{
    queues,
    rfq::hedge::{FilledTrade, HedgeExecution, HedgerInput, HedgerSettings, realized_pnl},
    rfq::side::Side,
};
use rust_decimal::Decimal;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use temporalio_client::{
    WorkflowExecutionInfo, WorkflowFetchHistoryOptions, WorkflowHandle, WorkflowQueryOptions,
    WorkflowStartOptions,
};

const WAIT: Duration = Duration::from_secs(90);
const SYMBOL: &str = "ETHUSDT";

/// The exchange's order with `client_order_id`, if any.
pub async fn exchange_order(stack: &Stack, client_order_id: &str) -> Option<Order> {
    let id = ClientOrderId::new(client_order_id).unwrap();
    stack.paper_spot().query(SYMBOL, &id).await.unwrap()
}

/// The hedges recorded for `market`, once there are `count`.
pub async fn hedges(store: &Store, market: &str, count: usize) -> Vec<rfq_hedge::Model> {
    eventually(&format!("{count} hedge(s) of {market}"), WAIT, || async {
        let rows = store.rfq_hedges(market).await.ok()?;
        (rows.len() >= count).then_some(rows)
    })
    .await
}

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// A synthetic settled fill of `market`, with its quote row stored (the hedger records on it).
async fn fill(
    store: &Store,
    market: &str,
    side: Side,
    base: Decimal,
    price: Decimal,
) -> FilledTrade {
    let quote_id = uuid::Uuid::new_v4().to_string();
    let now = chrono::Utc::now();
    let row = rfq_quote::Model {
        quote_id: quote_id.clone(),
        chain_id: 31337,
        settlement: "0x0000000000000000000000000000000000000001".into(),
        taker: "0x0000000000000000000000000000000000000002".into(),
        maker_asset: "0x0000000000000000000000000000000000000003".into(),
        taker_asset: "0x0000000000000000000000000000000000000004".into(),
        maker_amount: "1".into(),
        taker_amount: "1".into(),
        size_side: "maker".into(),
        size: "1".into(),
        market: market.into(),
        side: side.as_str().into(),
        price: price.to_string(),
        pricing: serde_json::json!({}),
        rfq_order: serde_json::json!({}),
        order_hash: format!("0x{}", quote_id.replace('-', "")),
        signature: "0x".into(),
        quoted_at: now,
        expires_at: now,
        status: String::new(),
        status_history: serde_json::json!([]),
        fill_request: None,
        fill_requested_at: None,
        fill_tx: None,
        fill_block: None,
        fill_detail: None,
        hedge_order: None,
        hedge_trade: None,
        realized_pnl: None,
        filled_trade: None,
        filled_at: None,
    };
    store.insert_rfq_quotes([row]).await.unwrap();
    FilledTrade {
        quote_id,
        market: market.into(),
        symbol: SYMBOL.into(),
        side,
        base_amount: base,
        quote_amount: base * price,
        price,
    }
}

/// Hands `trade` to its hedger as the fill workflow's hand-off does (signal-with-start), with
/// epochs `epoch_ms` long.
async fn hand_off(stack: &Stack, trade: &FilledTrade, epoch_ms: u64) {
    let input = HedgerInput::new(HedgerSettings {
        market: trade.market.clone(),
        symbol: SYMBOL.into(),
        epoch_ms,
        max_slippage_bps: d("100"),
    });
    let options = WorkflowStartOptions::new(queues::ORCHESTRATOR, input.workflow_id()).build();
    stack
        .client
        .signal_with_start_workflow(
            HedgeWorkflow::run,
            input,
            HedgeWorkflow::filled,
            trade.clone(),
            options,
        )
        .await
        .unwrap();
}

/// Every quote of `fills` is `hedged` by `hedge`, with the P&L its execution implies.
async fn assert_quotes_hedged(store: &Store, fills: &[FilledTrade], hedge: &rfq_hedge::Model) {
    let execution: HedgeExecution = serde_json::from_value(hedge.execution.clone()).unwrap();
    for (fill, expected) in fills.iter().zip(realized_pnl(fills, &execution)) {
        let row = store.rfq_quote(&fill.quote_id).await.unwrap().unwrap();
        assert_eq!(row.status, "hedged");
        assert_eq!(
            row.hedge_order.as_deref(),
            Some(hedge.client_order_id.as_str())
        );
        assert_eq!(row.realized_pnl.map(|p| d(&p)), Some(expected.pnl));
        let trade: HedgeExecution = serde_json::from_value(row.hedge_trade.unwrap()).unwrap();
        assert_eq!(trade, execution);
    }
}

#[test]
fn twenty_fills_in_one_epoch_are_hedged_by_one_order_of_their_exact_net() {
    super::run(async {
        let stack = crate::support::rfq_stack().await;
        let store = super::store(stack).await;
        let market = "NET/USDC";
        // Both directions: every third fill is a taker's sell. Net: 0.0137 × (126 − 84) ETH.
        let mut fills = Vec::new();
        for i in 1..=20u32 {
            let side = if i % 3 == 0 { Side::Sell } else { Side::Buy };
            let base = Decimal::new(137 * i64::from(i), 4);
            fills.push(fill(&store, market, side, base, Decimal::from(2990 + i)).await);
        }
        let net: Decimal = fills.iter().map(FilledTrade::net).sum();
        assert_eq!(net, d("1.1508"));

        // Six-second epochs, starting just after a boundary: all twenty land in one.
        let epoch_ms = 6_000;
        tokio::time::sleep(Duration::from_millis(epoch_ms - now_ms() % epoch_ms + 200)).await;
        for trade in &fills {
            hand_off(stack, trade, epoch_ms).await;
        }
        // A retried hand-off is not counted twice.
        hand_off(stack, &fills[0], epoch_ms).await;
        let handle = stack
            .client
            .get_workflow_handle::<HedgeWorkflow>("hedge-NET-USDC");
        let unhedged = handle
            .query(HedgeWorkflow::unhedged, (), WorkflowQueryOptions::default())
            .await
            .unwrap();
        assert_eq!((unhedged.net, unhedged.fills), (net, 20));

        let hedge = hedges(&store, market, 1).await.remove(0);
        assert_eq!(d(&hedge.net), net);
        let order = exchange_order(stack, &hedge.client_order_id)
            .await
            .expect("the hedge order on the exchange");
        assert_eq!(order.orig_qty, net, "one order of exactly the net");
        assert_eq!(order.side, hedgeflow_exchange::Side::Buy);
        assert_eq!(Some(order.order_id as i64), hedge.order_id);
        assert_eq!(order.executed_qty, d(&hedge.executed));
        assert_eq!(d(&hedge.carried_out), net - order.executed_qty);
        assert_quotes_hedged(&store, &fills, &hedge).await;
        // Still exactly one: the next epoch has nothing to hedge unless the order left a carry.
        tokio::time::sleep(Duration::from_millis(epoch_ms)).await;
        if order.executed_qty == net {
            assert_eq!(store.rfq_hedges(market).await.unwrap().len(), 1);
        }

        // The epoch's run (ended by continuing as new) replays against today's code.
        let current = handle
            .fetch_history(WorkflowFetchHistoryOptions::default())
            .to_json()
            .await
            .unwrap();
        let current: serde_json::Value = serde_json::from_slice(&current).unwrap();
        let previous = current["events"][0]["attributes"]["WorkflowExecutionStartedEventAttributes"]
            ["continued_execution_run_id"]
            .as_str()
            .expect("the hedger continued as new")
            .to_owned();
        let epoch_run = WorkflowHandle::<_, HedgeWorkflow>::new(
            stack.client.clone(),
            WorkflowExecutionInfo::builder()
                .namespace(stack.config.temporal.namespace.clone())
                .workflow_id("hedge-NET-USDC")
                .run_id(previous)
                .build(),
        );
        crate::support::replay_history(epoch_run, "hedge-epoch.json").await;
    });
}

#[test]
fn an_exchange_worker_killed_with_its_hedge_on_the_exchange_places_no_second_order() {
    super::run(async {
        let stack = crate::support::rfq_stack().await;
        let store = super::store(stack).await;
        let market = "CRASH/USDC";
        assert!(hedgeflow_proto::ids::hedge_order(market, 0).starts_with(HANG_PREFIX));
        let trade = fill(&store, market, Side::Sell, d("0.5"), d("3000")).await;
        let epoch = now_ms() / HEDGE_EPOCH_MS;
        hand_off(stack, &trade, HEDGE_EPOCH_MS).await;

        // The paper exchange applies the order and holds its answer: the worker is mid-call.
        let (id, placed) = eventually("the hedge order on the exchange", WAIT, || async {
            for epoch in epoch..=epoch + 2 {
                let id = format!("hedge-CRASH-USDC-{epoch}");
                if let Some(order) = exchange_order(stack, &id).await {
                    return Some((id, order));
                }
            }
            None
        })
        .await;
        stack.kill_role("exchange").await;
        stack.start_role("exchange").await.unwrap();

        let hedge = hedges(&store, market, 1).await.remove(0);
        assert_eq!(hedge.client_order_id, id);
        assert_eq!(
            hedge.order_id,
            Some(placed.order_id as i64),
            "the order placed before the crash, not a second one"
        );
        assert_eq!(hedge.side, "sell");
        assert_eq!(placed.orig_qty, d("0.5"));
        let order = exchange_order(stack, &id).await.unwrap();
        assert_eq!(order.order_id, placed.order_id);
        assert_quotes_hedged(&store, std::slice::from_ref(&trade), &hedge).await;
        assert_eq!(store.rfq_hedges(market).await.unwrap().len(), 1);
        // The restarted worker's retry asked first and found it.
        let log = std::fs::read_to_string(stack.log("exchange")).unwrap();
        assert!(
            log.lines()
                .any(|l| l.contains(&id) && l.contains("order already on the exchange")),
            "the retry found the order"
        );
    });
}

#[test]
fn a_net_below_the_exchange_minimum_is_marked_at_the_mid_and_carried_without_an_order() {
    super::run(async {
        let stack = crate::support::rfq_stack().await;
        let store = super::store(stack).await;
        let market = "DUST/USDC";
        // 0.001 ETH is below ETHUSDT's 5 USDT minimum notional: nothing can be placed.
        let trade = fill(&store, market, Side::Buy, d("0.001"), d("3000")).await;
        hand_off(stack, &trade, HEDGE_EPOCH_MS).await;
        let hedge = hedges(&store, market, 1).await.remove(0);
        assert_eq!(hedge.status, "NOT_PLACED");
        assert_eq!(hedge.order_id, None);
        assert_eq!(d(&hedge.carried_out), d("0.001"));
        assert!(
            exchange_order(stack, &hedge.client_order_id)
                .await
                .is_none()
        );
        assert_quotes_hedged(&store, std::slice::from_ref(&trade), &hedge).await;
        // The dust alone wakes no epoch: two epochs later, still one record.
        tokio::time::sleep(Duration::from_millis(2 * HEDGE_EPOCH_MS)).await;
        assert_eq!(store.rfq_hedges(market).await.unwrap().len(), 1);
        let unhedged = stack
            .client
            .get_workflow_handle::<HedgeWorkflow>("hedge-DUST-USDC")
            .query(HedgeWorkflow::unhedged, (), WorkflowQueryOptions::default())
            .await
            .unwrap();
        assert_eq!(
            (unhedged.net, unhedged.carry, unhedged.fills),
            (d("0.001"), d("0.001"), 0)
        );
    });
}

/// A market's hedger terminated while it holds a settled fill takes the fill with it; the sweep
/// (`rfq-hedge-sweep`) finds the quote still `filled, unhedged` and hands it to a new hedger,
/// which hedges it on the exchange.
#[test]
fn a_fill_its_hedger_lost_is_swept_to_a_new_hedger_and_hedged() {
    super::run(async {
        let stack = crate::support::rfq_stack().await;
        let store = super::store(stack).await;
        let market = "SWEEP/USDC";
        let trade = fill(&store, market, Side::Buy, d("0.05"), d("3000")).await;
        // Settled as the fill workflow records it, and handed to a hedger whose epoch is long.
        store
            .record_rfq_fill(&hedgeflow_proto::rfq::fill::FillRecord {
                quote_id: trade.quote_id.clone(),
                status: hedgeflow_proto::rfq::fill::FillStatus::FilledUnhedged,
                tx_hash: None,
                block_number: None,
                detail: None,
                trade: Some(trade.clone()),
            })
            .await
            .unwrap();
        hand_off(stack, &trade, 3_600_000).await;
        let hedger = stack
            .client
            .get_workflow_handle::<HedgeWorkflow>("hedge-SWEEP-USDC");
        hedger
            .terminate(temporalio_client::WorkflowTerminateOptions::default())
            .await
            .unwrap();

        // The sweep, as its Schedule runs it, once the fill is older than `sweep-after` (1 s).
        tokio::time::sleep(Duration::from_secs(2)).await;
        let swept: u32 = stack
            .client
            .start_workflow(
                hedgeflow_proto::workflows::HedgeSweepWorkflow::run,
                (),
                WorkflowStartOptions::new(
                    queues::ORCHESTRATOR,
                    format!("sweep-test-{}", uuid::Uuid::new_v4()),
                )
                .build(),
            )
            .await
            .unwrap()
            .get_result(Default::default())
            .await
            .unwrap();
        assert!(swept >= 1, "the lost fill was handed over");

        let hedge = hedges(&store, market, 1).await.remove(0);
        assert_eq!(d(&hedge.net), trade.net());
        assert!(
            exchange_order(stack, &hedge.client_order_id)
                .await
                .is_some(),
            "the hedge is on the exchange"
        );
        assert_quotes_hedged(&store, std::slice::from_ref(&trade), &hedge).await;
    });
}
