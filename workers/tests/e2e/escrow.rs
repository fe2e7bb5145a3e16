//! The escrow pipeline end to end, on a real Temporal dev server, anvil chains (l1 and two L2s),
//! the real contracts and the real role processes (orchestrator, hot wallet, indexer, relayer): 50
//! concurrent orders, orders on both L2s at once, a crash of each role at its worst moment, dropped orders, the
//! accepted-blocks scan, an L1 provider outage, a FAILED order retried by ops, and replay of the
//! recorded histories.
//!
//! The tests share one stack and take turns (`serial`): several of them stop a provider or a role
//! that every order needs, and each checks balances that other orders would move.

use crate::support;

use alloy::{
    primitives::{Address, U256},
    providers::Provider,
};
use futures::future::join_all;
use hedgeflow::cli::demo;
use hedgeflow_activities::{
    escrow::contracts::{Escrow, PaymentRegistry, order_status},
    store::Store,
};
use hedgeflow_proto::escrow::{EscrowOrder, EscrowResult, EscrowStatus};
use hedgeflow_proto::workflows::EscrowOrderWorkflow;
use std::{sync::LazyLock, time::Duration};
use support::{HOT_WALLET, L2_ID, L2B_ID, Stack, eventually, stack};
use temporalio_client::{
    WorkflowGetResultOptions,
    schedules::{ScheduleOverlapPolicy, TriggerScheduleOptions},
};
use tokio::sync::{Mutex, MutexGuard};

const WAIT: Duration = Duration::from_secs(180);

/// [`support::run`] with the shared stacks to this module's tests (see [`support::run_as`]).
fn run<F>(body: F) -> F::Output
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    support::run_as("escrow", body)
}

static SERIAL: LazyLock<Mutex<()>> = LazyLock::new(|| Mutex::new(()));

async fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().await
}

/// Places orders from the demo users (the code behind `hedgeflow demo escrow`) on the first L2.
async fn place(count: u32, amount: &str, fee: Option<&str>) -> Vec<EscrowOrder> {
    place_on(None, count, amount, fee).await
}

/// [`place`] on the L2 named `chain` (`demo escrow --chain`).
async fn place_on(
    chain: Option<&str>,
    count: u32,
    amount: &str,
    fee: Option<&str>,
) -> Vec<EscrowOrder> {
    let orders = demo::place_orders(&stack().await.config, count, chain, amount, fee)
        .await
        .expect("placing orders");
    assert_eq!(orders.len(), count as usize);
    orders
}

/// Waits for the indexer (or the scan) to start the order's workflow, then for its result.
async fn await_order(workflow_id: String) -> EscrowResult {
    let handle = stack()
        .await
        .client
        .get_workflow_handle::<EscrowOrderWorkflow>(workflow_id.clone());
    eventually(&format!("{workflow_id} to start"), WAIT, || async {
        handle.describe(Default::default()).await.ok().map(|_| ())
    })
    .await;
    tokio::time::timeout(WAIT, handle.get_result(WorkflowGetResultOptions::default()))
        .await
        .unwrap_or_else(|_| panic!("{workflow_id} did not finish in {WAIT:?}"))
        .unwrap_or_else(|e| panic!("{workflow_id} failed: {e}"))
}

/// Runs the accepted-blocks scan (as its Schedule would) once `order`'s block is final for it
/// (the test stack's finality depth is 3).
async fn scan_once_final(stack: &Stack, order: &EscrowOrder) {
    let final_at = order.block_number + 3;
    eventually("the order's block to be final", WAIT, || async {
        (stack.l2.get_block_number().await.ok()? >= final_at).then_some(())
    })
    .await;
    stack
        .client
        .get_schedule_handle(hedgeflow_proto::ids::escrow_scan_schedule(L2_ID))
        .trigger(
            ScheduleOverlapPolicy::AllowAll,
            TriggerScheduleOptions::default(),
        )
        .await
        .unwrap();
}

async fn await_all(orders: &[EscrowOrder]) -> Vec<EscrowResult> {
    join_all(orders.iter().map(|o| await_order(o.workflow_id()))).await
}

async fn store() -> Store {
    Store::connect_read_only(&stack().await.config.database.url)
        .await
        .expect("store")
}

async fn status_of(workflow_id: &str) -> Option<String> {
    store()
        .await
        .escrow_order(workflow_id)
        .await
        .ok()
        .flatten()
        .map(|row| row.status)
}

fn registry(
    stack: &Stack,
) -> PaymentRegistry::PaymentRegistryInstance<&alloy::providers::DynProvider> {
    let address = stack.config.escrow.as_ref().unwrap().payment_registry;
    PaymentRegistry::new(address, &stack.l1)
}

/// `(transferred, claimed)` in the registry, read straight from the L1 node.
async fn registry_state(stack: &Stack, order: &EscrowOrder) -> (bool, bool) {
    let registry = registry(stack);
    let key = registry
        .transferKey(
            U256::from(order.order_id),
            order.recipient,
            order.amount.0,
            order.chain_id as u128,
        )
        .call()
        .await
        .unwrap();
    let state = registry.transfers(key).call().await.unwrap();
    (state.transferred, state.claimed)
}

async fn escrow_status(stack: &Stack, order: &EscrowOrder) -> u8 {
    let (name, l2) = stack.escrow_l2(order.chain_id);
    let escrow = stack.config.escrow.as_ref().unwrap().l2[name].escrow;
    Escrow::new(escrow, l2)
        .get_order(U256::from(order.order_id))
        .call()
        .await
        .unwrap()
        .status
}

/// Every transaction the hot wallet signed for a claim: its intent key and the orders it claims.
fn claim_intents(stack: &Stack) -> Vec<(String, Vec<u64>)> {
    claims_by_chain(stack)
        .into_iter()
        .map(|(key, _, ids)| (key, ids))
        .collect()
}

/// [`claim_intents`] with the L2 (chain id) each claim names.
fn claims_by_chain(stack: &Stack) -> Vec<(String, u64, Vec<u64>)> {
    use alloy::{
        consensus::{Transaction, TxEnvelope},
        eips::eip2718::Decodable2718,
        sol_types::SolCall,
    };
    use hedgeflow_proto::escrow::IPaymentRegistry::{claimPaymentBatchCall, claimPaymentCall};
    let journal = std::fs::read_to_string(&stack.config.hot_wallet.journal).unwrap_or_default();
    journal
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|entry| {
            let key = entry["intent_key"].as_str()?.to_owned();
            let raw: alloy::primitives::Bytes =
                serde_json::from_value(entry["raw"].clone()).ok()?;
            let tx = TxEnvelope::decode_2718(&mut raw.as_ref()).ok()?;
            let (chain, ids) = if let Ok(one) = claimPaymentCall::abi_decode(tx.input()) {
                (one.chainId as u64, vec![one.orderId.to::<u64>()])
            } else {
                let many = claimPaymentBatchCall::abi_decode(tx.input()).ok()?;
                let ids = many.orderIds.iter().map(|id| id.to::<u64>()).collect();
                (many.chainId as u64, ids)
            };
            Some((key, chain, ids))
        })
        .collect()
}

fn hot_wallet() -> Address {
    HOT_WALLET.parse().unwrap()
}

/// Each recipient got exactly its amount on L1, each order is claimed on both chains, and the DB
/// says COMPLETED with the three transactions.
async fn assert_paid_once_and_recorded(stack: &Stack, orders: &[EscrowOrder]) {
    let store = store().await;
    for order in orders {
        assert_eq!(
            stack.l1.get_balance(order.recipient).await.unwrap(),
            order.amount.0,
            "{} paid exactly its amount",
            order.workflow_id()
        );
        assert_eq!(registry_state(stack, order).await, (true, true));
        assert_eq!(escrow_status(stack, order).await, order_status::CLAIMED);
        let row = store
            .escrow_order(&order.workflow_id())
            .await
            .unwrap()
            .expect("a stored order");
        assert_eq!(row.status, "COMPLETED");
        for tx in [&row.transfer_tx, &row.claim_tx, &row.release_tx] {
            let hash = tx.as_deref().expect("a recorded tx").parse().unwrap();
            let provider = if tx == &row.release_tx {
                stack.escrow_l2(order.chain_id).1
            } else {
                &stack.l1
            };
            let receipt = provider
                .get_transaction_receipt(hash)
                .await
                .unwrap()
                .expect("the recorded tx is on chain");
            assert!(receipt.status());
        }
    }
}

/// Waits until one of `orders` is stored in `status`.
async fn await_any_in(orders: &[EscrowOrder], status: &str) {
    eventually(&format!("an order to be {status}"), WAIT, || async {
        for order in orders {
            if status_of(&order.workflow_id()).await.as_deref() == Some(status) {
                return Some(());
            }
        }
        None
    })
    .await;
}

/// Replays the order's history against today's code (and records it, see
/// [`support::replay_history`]).
async fn replay(stack: &Stack, workflow_id: &str, fixture: &str) {
    let handle = stack
        .client
        .get_workflow_handle::<EscrowOrderWorkflow>(workflow_id);
    support::replay_history(handle, fixture).await;
}

/// Roles write their logs to files here (as `hedgeflow dev` does to `data/logs/`): plain text,
/// without the terminal's colour codes.
#[test]
fn role_logs_written_to_files_carry_no_colour_codes() {
    run(async {
        let stack = stack().await;
        for role in ["orchestrator", "hot-wallet", "indexer"] {
            let log = eventually(&format!("{role}'s log"), WAIT, || async {
                let log = std::fs::read_to_string(stack.log(role)).ok()?;
                log.contains("INFO").then_some(log)
            })
            .await;
            assert!(!log.contains('\u{1b}'), "{role}'s log has escape codes");
        }
    });
}

#[test]
fn fifty_concurrent_orders_complete_and_chains_agree_with_the_db() {
    run(async {
        let _turn = serial().await;
        let stack = stack().await;
        let before = stack.l2.get_balance(hot_wallet()).await.unwrap();
        let orders = place(50, "0.01", None).await;
        let results = await_all(&orders).await;
        assert!(results.iter().all(|r| r.status == EscrowStatus::Completed));

        assert_paid_once_and_recorded(stack, &orders).await;
        let released: U256 = orders.iter().map(|o| o.amount.0 + o.fee.0).sum();
        assert_eq!(
            stack.l2.get_balance(hot_wallet()).await.unwrap() - before,
            released,
            "the market maker's L2 balance grew by every amount + fee"
        );
        let mut claims: Vec<_> = results.iter().filter_map(|r| r.claim.clone()).collect();
        claims.sort_by_key(|c| c.tx_hash);
        claims.dedup();
        assert!(
            claims.len() < orders.len(),
            "ready claims share transactions ({} claim txs for {} orders)",
            claims.len(),
            orders.len()
        );
        let released_per_order: Vec<_> = results.iter().filter_map(|r| r.release.clone()).collect();
        assert_eq!(released_per_order.len(), orders.len());

        let (ok, listed, _) = stack
            .cli(&[
                "orders",
                "list",
                "--status",
                "completed",
                "--chain",
                "l2",
                "--limit",
                "100",
            ])
            .await;
        assert!(ok);
        for order in &orders {
            assert!(listed.contains(&order.workflow_id()), "{listed}");
        }
        replay(
            stack,
            &orders[0].workflow_id(),
            "escrow-order-completed.json",
        )
        .await;
    });
}

/// The bridge serves each L2 with its own processor: orders placed on both L2s at once complete,
/// each paid once on L1 and released on its own chain, and every claim transaction names one L2
/// and holds only that L2's orders.
#[test]
fn orders_on_two_l2s_at_once_complete_and_each_l2s_claims_are_batched_apart() {
    run(async {
        let _turn = serial().await;
        let stack = stack().await;
        let (on_l2, on_l2b) = tokio::join!(
            place_on(Some("l2"), 6, "0.01", None),
            place_on(Some("l2b"), 6, "0.01", None),
        );
        assert!(on_l2.iter().all(|o| o.chain_id == L2_ID));
        assert!(on_l2b.iter().all(|o| o.chain_id == L2B_ID));
        let orders: Vec<EscrowOrder> = on_l2.into_iter().chain(on_l2b).collect();
        let results = await_all(&orders).await;
        assert!(
            results.iter().all(|r| r.status == EscrowStatus::Completed),
            "{results:?}"
        );
        assert_paid_once_and_recorded(stack, &orders).await;

        let claims = claims_by_chain(stack);
        for chain in [L2_ID, L2B_ID] {
            let mine: Vec<u64> = orders
                .iter()
                .filter(|o| o.chain_id == chain)
                .map(|o| o.order_id)
                .collect();
            let claimed: Vec<u64> = claims
                .iter()
                .filter(|(key, ..)| key.starts_with(&format!("escrow-claims-{chain}/")))
                .flat_map(|(key, claim_chain, ids)| {
                    assert_eq!(*claim_chain, chain, "{key} claims for another L2");
                    ids.clone()
                })
                .collect();
            for id in &mine {
                assert_eq!(
                    claimed.iter().filter(|c| *c == id).count(),
                    1,
                    "order {id} of {chain} claimed once, by its own L2's batcher: {claims:?}"
                );
            }
        }

        let (ok, listed, _) = stack.cli(&["orders", "list", "--limit", "5"]).await;
        assert!(ok, "{listed}");
        for (name, chain) in [("l2", L2_ID), ("l2b", L2B_ID)] {
            assert!(
                listed.lines().any(
                    |l| l.starts_with(&format!("{name} ({chain}):")) && l.contains("COMPLETED")
                ),
                "orders list shows {name}'s figures: {listed}"
            );
        }
    });
}

#[test]
fn hot_wallet_killed_after_the_transfer_broadcast_pays_once() {
    run(async {
        let _turn = serial().await;
        let stack = stack().await;
        // Hold L1's blocks so the transfer sits broadcast but unmined while we kill the worker.
        stack.mine_l1_every(0).await;
        let order = place(1, "0.02", None).await.remove(0);
        let intent = format!("{}/transfer", order.workflow_id());
        let hash = stack.broadcast_of(&intent, WAIT).await;
        stack.kill_role("hot-wallet").await;
        stack.mine_l1_every(1).await;
        stack.start_role("hot-wallet").await.unwrap();

        let result = await_order(order.workflow_id()).await;
        assert_eq!(result.status, EscrowStatus::Completed);
        assert_eq!(result.transfer.as_ref().unwrap().tx_hash, hash);
        assert_paid_once_and_recorded(stack, std::slice::from_ref(&order)).await;
        assert_eq!(
            stack.journal_entries(&intent).len(),
            1,
            "one transfer was ever signed"
        );
        replay(
            stack,
            &order.workflow_id(),
            "escrow-order-retried-transfer.json",
        )
        .await;
    });
}

#[test]
fn orchestrator_killed_mid_claim_claims_each_order_once() {
    run(async {
        let _turn = serial().await;
        let stack = stack().await;
        let before = stack.l2.get_balance(hot_wallet()).await.unwrap();
        let orders = place(3, "0.01", None).await;
        await_any_in(&orders, "CLAIMING").await;
        stack.kill_role("orchestrator").await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        stack.start_role("orchestrator").await.unwrap();

        let results = await_all(&orders).await;
        assert!(results.iter().all(|r| r.status == EscrowStatus::Completed));
        assert_paid_once_and_recorded(stack, &orders).await;
        // The registry would refuse a second claim on chain, so count what we asked for: each
        // order is in exactly one claim intent.
        let claims = claim_intents(stack);
        for order in &orders {
            let covering: std::collections::BTreeSet<&String> = claims
                .iter()
                .filter(|(_, ids)| ids.contains(&order.order_id))
                .map(|(key, _)| key)
                .collect();
            assert_eq!(covering.len(), 1, "{}: {covering:?}", order.workflow_id());
        }
        let released: U256 = orders.iter().map(|o| o.amount.0 + o.fee.0).sum();
        assert_eq!(
            stack.l2.get_balance(hot_wallet()).await.unwrap() - before,
            released,
            "each order released to us exactly once"
        );
    });
}

#[test]
fn indexer_killed_between_seeing_and_starting_an_order_loses_nothing() {
    run(async {
        let _turn = serial().await;
        let stack = stack().await;
        // The indexer sees orders but cannot start workflows: Temporal is out of its reach.
        stack.indexer_temporal.stop();
        let order = place(1, "0.01", None).await.remove(0);
        let id = order.workflow_id();
        eventually("the indexer to see the order", WAIT, || async {
            let log = std::fs::read_to_string(stack.log("indexer")).ok()?;
            log.lines()
                .any(|l| l.contains("order seen") && l.contains(&id))
                .then_some(())
        })
        .await;
        stack.kill_role("indexer").await;
        stack.indexer_temporal.resume().await.unwrap();
        stack.start_role("indexer").await.unwrap();

        let result = await_order(id.clone()).await;
        assert_eq!(result.status, EscrowStatus::Completed);
        assert_paid_once_and_recorded(stack, std::slice::from_ref(&order)).await;
        let row = store().await.escrow_order(&id).await.unwrap().unwrap();
        assert!(
            row.source == "poller" || row.source == "websocket",
            "the restarted indexer started it (source {})",
            row.source
        );
    });
}

#[test]
fn an_order_placed_while_the_indexer_is_down_is_found_by_the_scan() {
    run(async {
        let _turn = serial().await;
        let stack = stack().await;
        stack.kill_role("indexer").await;
        let order = place(1, "0.01", None).await.remove(0);
        scan_once_final(stack, &order).await;

        let result = await_order(order.workflow_id()).await;
        assert_eq!(result.status, EscrowStatus::Completed);
        assert_paid_once_and_recorded(stack, std::slice::from_ref(&order)).await;
        let row = store()
            .await
            .escrow_order(&order.workflow_id())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.source, "scan");
        stack.start_role("indexer").await.unwrap();
    });
}

#[test]
fn low_fee_and_oversized_orders_are_dropped_with_the_reason() {
    run(async {
        let _turn = serial().await;
        let stack = stack().await;
        let cheap = place(1, "0.01", Some("1")).await.remove(0);
        let huge = place(1, "6", None).await.remove(0);
        for (order, reason) in [
            (&cheap, "does not cover the estimated L1 gas"),
            (&huge, "above the per-order cap of 5 ETH"),
        ] {
            let result = await_order(order.workflow_id()).await;
            assert_eq!(result.status, EscrowStatus::Dropped);
            assert!(
                result
                    .reason
                    .as_deref()
                    .unwrap_or_default()
                    .contains(reason),
                "{:?}",
                result.reason
            );
            let row = store()
                .await
                .escrow_order(&order.workflow_id())
                .await
                .unwrap()
                .unwrap();
            assert_eq!(row.status, "DROPPED");
            assert!(row.detail.unwrap_or_default().contains(reason));
            assert_eq!(registry_state(stack, order).await, (false, false));
            assert_eq!(escrow_status(stack, order).await, order_status::OPEN);
            assert_eq!(
                stack.l1.get_balance(order.recipient).await.unwrap(),
                U256::ZERO
            );
        }

        // Ops input that cannot be right is refused, and changes nothing.
        let cheap_id = cheap.workflow_id();
        for (args, expected) in [
            (
                vec!["orders", "retry", cheap_id.as_str()],
                "only FAILED orders can be retried",
            ),
            (vec!["orders", "show", "escrow-x-1"], "is not an order id"),
            (
                vec!["orders", "show", "31338-999999"],
                "no order 31338-999999",
            ),
            (
                vec!["orders", "list", "--status", "done"],
                "unknown status \"done\"",
            ),
            (
                vec!["orders", "list", "--chain", "l9"],
                "unknown chain \"l9\"",
            ),
            (vec!["demo", "escrow", "--orders", "0"], "at least 1"),
            (vec!["demo", "escrow", "--amount", "lots"], "--amount (ETH)"),
        ] {
            let (ok, _, stderr) = stack.cli(&args).await;
            assert!(!ok, "{args:?} was accepted");
            assert!(stderr.contains(expected), "{args:?}: {stderr}");
        }
        assert_eq!(
            status_of(&cheap_id).await.as_deref(),
            Some("DROPPED"),
            "a refused retry changed nothing"
        );
    });
}

#[test]
fn primary_l1_provider_dies_mid_run_and_orders_complete_through_the_secondary() {
    run(async {
        let _turn = serial().await;
        let stack = stack().await;
        let orders = place(5, "0.01", None).await;
        await_any_in(&orders, "TRANSFERRING").await;
        stack.l1_primary.stop();
        let results = await_all(&orders).await;
        stack.l1_primary.resume().await.unwrap();
        assert!(results.iter().all(|r| r.status == EscrowStatus::Completed));
        assert_paid_once_and_recorded(stack, &orders).await;
    });
}

#[test]
fn a_failed_order_is_retried_by_ops_without_paying_twice() {
    run(async {
        let _turn = serial().await;
        let stack = stack().await;
        let order = place(1, "0.03", None).await.remove(0);
        let id = order.workflow_id();
        // Both L1 providers go away right after the transfer lands: the next L1 step exhausts its
        // retries and the order is left FAILED.
        eventually("the transfer to land", WAIT, || async {
            registry_state(stack, &order).await.0.then_some(())
        })
        .await;
        stack.l1_primary.stop();
        stack.l1_secondary.stop();
        eventually("the order to be FAILED", WAIT, || async {
            (status_of(&id).await.as_deref() == Some("FAILED")).then_some(())
        })
        .await;
        let errors = store().await.escrow_order_errors(&id).await.unwrap();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].message.contains("rpc"), "{errors:?}");

        stack.l1_primary.resume().await.unwrap();
        stack.l1_secondary.resume().await.unwrap();
        let (ok, stdout, stderr) = stack.cli(&["orders", "retry", &id]).await;
        assert!(ok, "{stderr}");
        assert!(stdout.contains("retry requested"), "{stdout}");

        let result = await_order(id.clone()).await;
        assert_eq!(result.status, EscrowStatus::Completed);
        assert_paid_once_and_recorded(stack, std::slice::from_ref(&order)).await;
        assert_eq!(
            stack.journal_entries(&format!("{id}/transfer")).len(),
            1,
            "the retry did not send a second transfer"
        );
        let (ok, shown, _) = stack.cli(&["orders", "show", &id]).await;
        assert!(ok);
        for expected in [
            "COMPLETED",
            "FAILED",
            "errors",
            "retrying",
            "/workflows/escrow-",
        ] {
            assert!(
                shown.contains(expected),
                "{expected:?} missing from:\n{shown}"
            );
        }
    });
}

/// Writes a journal entry, under `intent`, for another call than the order's transfer (signed by
/// a throwaway key, at a nonce that is not the hot wallet's), so the transfer step fails for good
/// without sending anything.
fn block_intent_with_another_call(stack: &Stack, intent: &str) -> String {
    use alloy::{
        consensus::{SignableTransaction, TxEip1559, TxEnvelope},
        eips::eip2718::Encodable2718,
        network::TxSignerSync,
        primitives::TxKind,
        signers::local::PrivateKeySigner,
    };
    let signer = PrivateKeySigner::random();
    let mut tx = TxEip1559 {
        chain_id: support::L1_ID,
        to: TxKind::Call(Address::repeat_byte(0x5a)),
        input: vec![0xde, 0xad].into(),
        ..Default::default()
    };
    let signature = signer.sign_transaction_sync(&mut tx).unwrap();
    let envelope: TxEnvelope = tx.into_signed(signature).into();
    let line = serde_json::json!({
        "intent_key": intent,
        "chain_id": support::L1_ID,
        "from": signer.address(),
        "nonce": 0,
        "tx_hash": envelope.tx_hash(),
        "raw": alloy::primitives::Bytes::from(envelope.encoded_2718()),
        "max_fee_per_gas": 0,
        "max_priority_fee_per_gas": 0,
        "signed_at": 0,
    })
    .to_string();
    let journal = &stack.config.hot_wallet.journal;
    std::fs::create_dir_all(journal.parent().unwrap()).unwrap();
    let mut text = std::fs::read_to_string(journal).unwrap_or_default();
    text.push_str(&line);
    text.push('\n');
    std::fs::write(journal, text).unwrap();
    line
}

#[test]
fn an_ops_retry_never_pays_an_order_its_user_may_already_reclaim() {
    run(async {
        let _turn = serial().await;
        let stack = stack().await;
        let escrow_address = stack.config.escrow.as_ref().unwrap().l2["l2"].escrow;
        let escrow = Escrow::new(escrow_address, &stack.l2);

        // The transfer step fails for good: its key already names another call (written while
        // the hot wallet, which the transfer waits for, is down).
        stack.kill_role("hot-wallet").await;
        let order = place(1, "0.04", None).await.remove(0);
        let workflow_id = order.workflow_id();
        let intent = format!("{workflow_id}/transfer");
        let blocker = block_intent_with_another_call(stack, &intent);
        stack.start_role("hot-wallet").await.unwrap();
        eventually("the order to be FAILED", WAIT, || async {
            (status_of(&workflow_id).await.as_deref() == Some("FAILED")).then_some(())
        })
        .await;
        let errors = store()
            .await
            .escrow_order_errors(&workflow_id)
            .await
            .unwrap();
        assert_eq!(errors[0].step, "transfer", "{errors:?}");
        assert!(
            errors[0].message.contains("names another call"),
            "{errors:?}"
        );

        // The blocker goes away, and the order's reclaim time passes while it waits for ops.
        stack.kill_role("hot-wallet").await;
        let journal = &stack.config.hot_wallet.journal;
        let text = std::fs::read_to_string(journal).unwrap();
        std::fs::write(journal, text.replace(&format!("{blocker}\n"), "")).unwrap();
        stack.start_role("hot-wallet").await.unwrap();
        let delay: u64 = escrow.reclaim_delay().call().await.unwrap();
        stack
            .l2
            .raw_request::<_, serde_json::Value>("evm_increaseTime".into(), (delay + 60,))
            .await
            .unwrap();
        stack
            .l2
            .raw_request::<_, serde_json::Value>("evm_mine".into(), ())
            .await
            .unwrap();

        let (ok, stdout, stderr) = stack.cli(&["orders", "retry", &workflow_id]).await;
        assert!(ok, "{stderr}");
        assert!(stdout.contains("retry requested"), "{stdout}");
        let result = await_order(workflow_id.clone()).await;
        assert_eq!(result.status, EscrowStatus::Dropped, "{result:?}");
        assert!(
            result
                .reason
                .as_deref()
                .unwrap_or_default()
                .contains("reclaim"),
            "{result:?}"
        );
        assert_eq!(
            stack.l1.get_balance(order.recipient).await.unwrap(),
            U256::ZERO,
            "the user, who may reclaim on L2, was not paid on L1"
        );
        assert_eq!(registry_state(stack, &order).await, (false, false));
        assert!(
            stack.journal_entries(&intent).is_empty(),
            "no transfer was ever signed for the order"
        );
    });
}

#[test]
fn a_large_order_is_paid_only_under_more_l2_blocks() {
    run(async {
        let _turn = serial().await;
        let stack = stack().await;
        // Above 0.5 ETH an order needs 4 L2 confirmations (the test stack's tier), not 1.
        let order = place(1, "0.6", None).await.remove(0);
        stack.mine_every(L2_ID, 0).await;
        let held_at = stack.l2.get_block_number().await.unwrap();
        tokio::time::sleep(Duration::from_secs(4)).await;
        assert!(
            held_at < order.block_number + 3,
            "the order has fewer than 4 confirmations while the L2 is held"
        );
        assert_eq!(
            registry_state(stack, &order).await,
            (false, false),
            "not paid under {} confirmations",
            held_at + 1 - order.block_number
        );
        stack.mine_every(L2_ID, 1).await;
        let result = await_order(order.workflow_id()).await;
        assert_eq!(result.status, EscrowStatus::Completed);
        assert_paid_once_and_recorded(stack, std::slice::from_ref(&order)).await;
    });
}

/// A reorg replaces the block of an order not yet paid with one where another user's order
/// takes its id: the other order is started under its own workflow and paid, and the first,
/// no longer on L2 under that id, is never paid for it.
#[test]
fn an_order_id_a_reorg_gives_to_another_order_starts_that_order() {
    run(async {
        let _turn = serial().await;
        let stack = stack().await;
        let escrow_address = stack.config.escrow.as_ref().unwrap().l2["l2"].escrow;

        // The other user's order, signed now and mined only by the reorg.
        let other = alloy::signers::local::PrivateKeySigner::random();
        stack
            .l2
            .raw_request::<_, ()>(
                "anvil_setBalance".into(),
                (other.address(), U256::from(10u64).pow(U256::from(19))),
            )
            .await
            .unwrap();
        let funded_at = stack.l2.get_block_number().await.unwrap();
        eventually("the funding to be mined", WAIT, || async {
            (stack.l2.get_block_number().await.ok()? > funded_at + 1).then_some(())
        })
        .await;

        // Above 0.5 ETH an order waits for 4 L2 confirmations: held at fewer, it is not paid.
        let first = place(1, "0.6", None).await.remove(0);
        stack.mine_every(L2_ID, 0).await;
        let replacement = signed_set_order(stack, &other, escrow_address, "0.3", first.fee).await;
        let depth = stack.l2.get_block_number().await.unwrap() + 1 - first.block_number;
        stack
            .l2
            .raw_request::<_, ()>(
                "anvil_reorg".into(),
                serde_json::json!({
                    "depth": depth,
                    "tx_block_pairs": [[replacement.0, 0]],
                }),
            )
            .await
            .unwrap();
        stack.mine_every(L2_ID, 1).await;
        let receipt = stack
            .l2
            .get_transaction_receipt(replacement.1)
            .await
            .unwrap()
            .expect("the reorg mined the other order");
        let second = receipt
            .inner
            .logs()
            .iter()
            .find_map(|log| {
                hedgeflow_activities::escrow::orders::decode(
                    L2_ID,
                    log,
                    hedgeflow_proto::escrow::OrderSource::Poller,
                )
            })
            .expect("a SetOrder log");
        assert_eq!(second.order_id, first.order_id, "the reorg reused the id");
        assert_ne!(second.workflow_id(), first.workflow_id());

        // The indexer saw the new block's log; the scan picks it up in any case once final.
        scan_once_final(stack, &second).await;
        let result = await_order(second.workflow_id()).await;
        assert_eq!(result.status, EscrowStatus::Completed, "{result:?}");
        assert_paid_once_and_recorded(stack, std::slice::from_ref(&second)).await;

        // The first order is no longer order `id` on L2: its recipient was not paid for it.
        let first_on_chain = stack
            .l2
            .get_transaction_receipt(first.tx_hash)
            .await
            .unwrap();
        assert_eq!(
            registry_state(stack, &first).await,
            (false, false),
            "order {} was not paid for the replaced order",
            first.order_id
        );
        if first_on_chain.is_none() {
            assert_eq!(
                stack.l1.get_balance(first.recipient).await.unwrap(),
                U256::ZERO,
                "a transaction the reorg dropped was never paid"
            );
        }
    });
}

/// Our release on L2 (the claim's message delivered) is taken away by a reorg: the order is OPEN
/// on L2 again, and its user could reclaim what we already paid on L1. The order is not
/// COMPLETED on that release: the messenger delivers the claim again and the order completes on
/// the release that stays, once final.
#[test]
fn a_release_a_reorg_takes_away_is_delivered_again_before_the_order_completes() {
    run(async {
        let _turn = serial().await;
        let stack = stack().await;
        let order = place(1, "0.02", None).await.remove(0);
        let id = order.workflow_id();
        // Paid on L1; hold L2 so the claim's delivery waits in its mempool.
        eventually("the order to be paid", WAIT, || async {
            (registry_state(stack, &order).await.0).then_some(())
        })
        .await;
        stack.mine_every(L2_ID, 0).await;
        eventually("the claim on L1", WAIT, || async {
            (registry_state(stack, &order).await.1).then_some(())
        })
        .await;
        eventually("the release delivered in one L2 block", WAIT, || async {
            let _: serde_json::Value = stack.l2.raw_request("evm_mine".into(), ()).await.ok()?;
            (escrow_status(stack, &order).await == order_status::CLAIMED).then_some(())
        })
        .await;

        // The block with the release goes, and the delivery with it.
        let _: serde_json::Value = stack
            .l2
            .raw_request("anvil_rollback".into(), (Some(1u64),))
            .await
            .unwrap();
        let _: serde_json::Value = stack
            .l2
            .raw_request("anvil_dropAllTransactions".into(), ())
            .await
            .unwrap();
        assert_eq!(escrow_status(stack, &order).await, order_status::OPEN);
        stack.mine_every(L2_ID, 1).await;

        let result = await_order(id).await;
        assert_eq!(result.status, EscrowStatus::Completed, "{result:?}");
        let release = result.release.expect("a release");
        assert!(
            stack
                .l2
                .get_transaction_receipt(release.tx_hash)
                .await
                .unwrap()
                .is_some(),
            "the release the order completed on is on L2"
        );
        assert_eq!(escrow_status(stack, &order).await, order_status::CLAIMED);
        assert_paid_once_and_recorded(stack, std::slice::from_ref(&order)).await;
    });
}

/// `from`'s `set_order` of `amount` ETH plus `fee` wei, signed and not sent: the raw transaction
/// and its hash.
async fn signed_set_order(
    stack: &Stack,
    from: &alloy::signers::local::PrivateKeySigner,
    escrow: Address,
    amount: &str,
    fee: hedgeflow_proto::Amount,
) -> (alloy::primitives::Bytes, alloy::primitives::B256) {
    use alloy::{
        eips::Encodable2718,
        network::{Ethereum, EthereumWallet, NetworkTransactionBuilder, TransactionBuilder},
        rpc::types::TransactionRequest,
    };
    let amount = hedgeflow_proto::Amount::parse_units(amount, 18).unwrap();
    let gas_price = stack.l2.get_gas_price().await.unwrap();
    let request = Escrow::new(escrow, &stack.l2)
        .set_order(support::fresh_address(), fee.0)
        .value(amount.0 + fee.0)
        .into_transaction_request()
        .with_from(from.address())
        .with_nonce(0)
        .with_chain_id(L2_ID)
        .with_gas_limit(300_000)
        .with_max_fee_per_gas(gas_price * 4)
        .with_max_priority_fee_per_gas(gas_price);
    let wallet = EthereumWallet::from(from.clone());
    let envelope =
        <TransactionRequest as NetworkTransactionBuilder<Ethereum>>::build(request, &wallet)
            .await
            .unwrap();
    (envelope.encoded_2718().into(), *envelope.tx_hash())
}
