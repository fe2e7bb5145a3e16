//! What a chaos run must leave behind, read from the chains and the exchange first and our DB
//! second. Each check counts what it looked at; each failure is a violation naming its ids.

use crate::support::{L1_ID, L2_ID, Stack, party_a::BROKER_STEPS};
use alloy::{
    primitives::{Address, B256, U256},
    providers::Provider,
    rpc::types::{Filter, Log},
    sol_types::SolEvent,
};
use hedgeflow_activities::{
    chain::ChainClient,
    escrow::contracts::{Escrow, PaymentRegistry},
    intent::{contract::IntentBook, quotes::read_quote},
    rfq::contract::RfqSettlement,
    store::Store,
};
use hedgeflow_exchange::{ClientOrderId, Side};
use hedgeflow_proto::{ids, intent::IntentRef};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

/// The checks made and the violations found.
#[derive(Default)]
pub struct Verdict {
    /// Check name → how many things it looked at.
    pub checked: BTreeMap<&'static str, usize>,
    pub violations: Vec<String>,
}

impl Verdict {
    fn check(&mut self, name: &'static str, holds: bool, violation: impl FnOnce() -> String) {
        *self.checked.entry(name).or_default() += 1;
        if !holds {
            self.violations.push(format!("{name}: {}", violation()));
        }
    }
}

/// `from_blocks`: L1's and l2's heads when the run began (the deploy's own transactions, sent
/// by the hot wallet's key before any role ran, are no journal's).
/// `l2` is the chain client the intent quotes are read through, as the hedger reads them.
pub async fn check(
    stack: &Stack,
    l2: &ChainClient,
    quotes: &[String],
    from_blocks: [u64; 2],
) -> anyhow::Result<Verdict> {
    let mut verdict = Verdict::default();
    let store = Store::connect_read_only(stack.config.database.read_url()).await?;
    escrow(stack, &store, &mut verdict).await?;
    rfq(stack, &store, quotes, &mut verdict).await?;
    intents(stack, l2, &store, &mut verdict).await?;
    hot_wallet(stack, from_blocks, &mut verdict).await?;
    Ok(verdict)
}

async fn logs<E: SolEvent>(
    provider: &impl Provider,
    address: Address,
) -> anyhow::Result<Vec<(Log, E)>> {
    let filter = Filter::new()
        .address(address)
        .event_signature(E::SIGNATURE_HASH)
        .from_block(0);
    Ok(provider
        .get_logs(&filter)
        .await?
        .into_iter()
        .filter_map(|log| {
            let event = E::decode_log(&log.inner).ok()?.data;
            Some((log, event))
        })
        .collect())
}

/// Every order on l2 paid on L1 once, to its recipient, its amount, and claimed once on l2;
/// no payment for an order l2 does not have; the order's row COMPLETED.
async fn escrow(stack: &Stack, store: &Store, verdict: &mut Verdict) -> anyhow::Result<()> {
    let escrow = stack.config.escrow.as_ref().expect("escrow");
    let l2_escrow = escrow.l2["l2"].escrow;
    let orders = logs::<Escrow::SetOrder>(stack.provider(L2_ID), l2_escrow).await?;
    let paid =
        logs::<PaymentRegistry::Transfer>(stack.provider(L1_ID), escrow.payment_registry).await?;
    let claimed = logs::<Escrow::ClaimPayment>(stack.provider(L2_ID), l2_escrow).await?;
    let mut payments: BTreeMap<u64, Vec<(Address, U256)>> = BTreeMap::new();
    for (_, transfer) in &paid {
        if transfer.chainId == L2_ID as u128 {
            let id: u64 = transfer.orderId.try_into()?;
            payments
                .entry(id)
                .or_default()
                .push((transfer.destAddress, transfer.amount));
        }
    }
    let mut claims: BTreeMap<u64, usize> = BTreeMap::new();
    for (_, claim) in &claimed {
        *claims.entry(claim.order_id.try_into()?).or_default() += 1;
    }
    let mut on_l2 = BTreeSet::new();
    for (log, order) in &orders {
        let id: u64 = order.order_id.try_into()?;
        on_l2.insert(id);
        let paid = payments.get(&id).cloned().unwrap_or_default();
        verdict.check(
            "escrow order paid once, its amount to its recipient",
            paid == [(order.recipient_address, order.amount)],
            || {
                format!(
                    "order {id}: L1 transfers {paid:?}, order {} to {}",
                    order.amount, order.recipient_address
                )
            },
        );
        let balance = stack
            .provider(L1_ID)
            .get_balance(order.recipient_address)
            .await?;
        verdict.check(
            "escrow recipient holds exactly its amount",
            balance == order.amount,
            || {
                format!(
                    "order {id}: {} holds {balance}, paid {}",
                    order.recipient_address, order.amount
                )
            },
        );
        let claims = claims.get(&id).copied().unwrap_or_default();
        verdict.check("escrow order claimed once", claims == 1, || {
            format!("order {id}: {claims} ClaimPayment events on l2")
        });
        let tx = log.transaction_hash.unwrap_or_default();
        let workflow = ids::escrow_workflow(L2_ID, id, &tx);
        let row = store.escrow_order(&workflow).await?;
        let status = row.as_ref().map(|r| r.status.clone());
        verdict.check(
            "escrow order's row COMPLETED",
            status.as_deref() == Some("COMPLETED"),
            || format!("{workflow}: {status:?}"),
        );
    }
    for id in payments.keys() {
        verdict.check(
            "no L1 payment without its l2 order",
            on_l2.contains(id),
            || format!("order {id} paid on L1, not on l2"),
        );
    }
    Ok(())
}

/// Every quote settled at most once; a settled quote hedged by an exchange order (or a carry)
/// that the exchange shows as recorded; an unsettled one neither filled nor hedged in our DB.
async fn rfq(
    stack: &Stack,
    store: &Store,
    quotes: &[String],
    verdict: &mut Verdict,
) -> anyhow::Result<()> {
    let settlement = stack
        .config
        .settlement
        .as_ref()
        .expect("settlement")
        .contract;
    let filled = logs::<RfqSettlement::RfqOrderFilled>(stack.provider(L1_ID), settlement).await?;
    let mut settled: BTreeMap<B256, usize> = BTreeMap::new();
    for (_, fill) in &filled {
        *settled.entry(fill.orderHash).or_default() += 1;
    }
    let exchange = stack.paper_spot();
    let mut hedges: BTreeMap<String, Option<Decimal>> = BTreeMap::new();
    for quote_id in quotes {
        let Some(row) = store.rfq_quote(quote_id).await? else {
            verdict.check("rfq quote recorded", false, || format!("quote {quote_id}"));
            continue;
        };
        let hash: B256 = row.order_hash.parse()?;
        let times = settled.get(&hash).copied().unwrap_or_default();
        verdict.check("rfq fill settled at most once", times <= 1, || {
            format!("quote {quote_id}: {times} RfqOrderFilled")
        });
        let status = row.status.as_str();
        if times == 1 {
            verdict.check(
                "settled rfq fill hedged",
                status == "hedged" && row.hedge_order.is_some(),
                || {
                    format!(
                        "quote {quote_id}: settled on chain, row {status}, hedge {:?}",
                        row.hedge_order
                    )
                },
            );
            if let Some(hedge) = &row.hedge_order {
                hedges.entry(hedge.clone()).or_default();
            }
        } else {
            verdict.check(
                "unsettled rfq fill neither filled nor hedged",
                !matches!(status, "filled" | "hedged"),
                || format!("quote {quote_id}: not on chain, row {status}"),
            );
        }
    }
    let rows = store.rfq_hedges("WETH/USDC").await?;
    for (client_order_id, _) in hedges {
        let record = rows.iter().find(|r| r.client_order_id == client_order_id);
        let id = ClientOrderId::new(client_order_id.clone())?;
        let order = exchange.query("ETHUSDT", &id).await?;
        let agrees = match (record, &order) {
            (Some(record), Some(order)) => {
                record.order_id == Some(order.order_id as i64)
                    && record.executed.parse::<Decimal>()? == order.executed_qty
            }
            // A net below the exchange's minimum is carried, with no order.
            (Some(record), None) => record.order_id.is_none(),
            (None, _) => false,
        };
        verdict.check("hedge record and exchange order agree", agrees, || {
            format!(
                "{client_order_id}: record {:?}, exchange {order:?}",
                record.map(|r| (&r.order_id, &r.executed))
            )
        });
    }
    Ok(())
}

/// Every quote of the book: its broker orders net to its position on chain; its row shows the
/// chain's status and the same positions; a final quote's workflow is closed.
async fn intents(
    stack: &Stack,
    l2: &ChainClient,
    store: &Store,
    verdict: &mut Verdict,
) -> anyhow::Result<()> {
    let intents = stack.config.intents.as_ref().expect("intents");
    let book = IntentBook::new(intents.book, stack.provider(L2_ID));
    let broker = stack.paper_futures(
        hedgeflow_paper_exchange::DEV_API_KEY,
        hedgeflow_paper_exchange::DEV_SECRET_KEY,
    );
    let count: u64 = book.quotesCount().call().await?.try_into()?;
    for quote_id in 1..=count {
        let quote = read_quote(l2, intents.book, quote_id).await?;
        let status = quote.status;
        let open = if status.has_position() {
            quote.open_quantity()
        } else {
            Decimal::ZERO
        };
        let intent = IntentRef::of(L2_ID, intents.book, &quote);
        let mut net = Decimal::ZERO;
        let mut orders = Vec::new();
        for step in BROKER_STEPS {
            let id = ClientOrderId::new(intent.broker_order_id(step))?;
            if let Some(order) = broker.order("ETHUSDT", &id).await? {
                net += match order.side {
                    Side::Buy => order.executed_qty,
                    Side::Sell => -order.executed_qty,
                };
                orders.push((step, order.executed_qty, order.status));
            }
        }
        verdict.check(
            "intent's broker position equals its position on chain",
            net == open,
            || {
                format!(
                    "quote {quote_id} {}: on chain {open}, broker {net} from {orders:?}",
                    status.as_str()
                )
            },
        );
        let workflow = intent.workflow_id();
        let row = store.intent_quote(&workflow).await?;
        let agrees = row.as_ref().is_some_and(|row| {
            let positions = row.broker_position.parse::<Decimal>().ok() == Some(net)
                && row.chain_position.parse::<Decimal>().ok() == Some(-open);
            // A quote the hedger let go (lost to another party B, rejected) is not followed
            // further: its row keeps the status it was let go in.
            let let_go = matches!(row.hedger_state.as_str(), "lost" | "rejected");
            positions && (let_go || row.chain_status.as_deref() == Some(status.as_str()))
        });
        // What SYMMIO front ends read: the hedger API, reading as the database's read-only user.
        let api = hedger_api_count(stack, quote_id).await;
        verdict.check(
            "hedger API (read-only DB user) shows the quote",
            api == Some(1),
            || format!("{workflow}: POST /position-state answered {api:?} quotes"),
        );
        verdict.check(
            "intent's row agrees with the chain and the broker",
            agrees,
            || {
                let row = row.as_ref().map(|r| {
                    (
                        &r.hedger_state,
                        &r.chain_status,
                        &r.chain_position,
                        &r.broker_position,
                    )
                });
                format!(
                    "{workflow}: chain {} open {open}, broker {net}, row {row:?}",
                    status.as_str()
                )
            },
        );
    }
    Ok(())
}

/// How many quotes the hedger API's `POST /position-state` finds under `quote_id`.
async fn hedger_api_count(stack: &Stack, quote_id: u64) -> Option<u64> {
    let url = format!("{}/position-state/0/10", stack.hedger_api_url());
    let answer = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(format!(r#"{{"quote_id": {quote_id}}}"#))
        .send()
        .await
        .ok()?;
    answer.json::<serde_json::Value>().await.ok()?["count"].as_u64()
}

/// Every transaction the hot wallet's address sent, on either chain, is in its journal; no
/// journal key has two transactions mined.
async fn hot_wallet(
    stack: &Stack,
    from_blocks: [u64; 2],
    verdict: &mut Verdict,
) -> anyhow::Result<()> {
    let journal = std::fs::read_to_string(&stack.config.hot_wallet.journal)?;
    let mut keys_by_hash: BTreeMap<B256, String> = BTreeMap::new();
    for line in journal.lines() {
        let entry: serde_json::Value = serde_json::from_str(line)?;
        if let (Some(hash), Some(key)) = (entry["tx_hash"].as_str(), entry["intent_key"].as_str()) {
            keys_by_hash.insert(hash.parse()?, key.to_owned());
        }
    }
    let hot_wallet = stack.config.hot_wallet.address;
    for (chain_id, from) in [L1_ID, L2_ID].into_iter().zip(from_blocks) {
        let provider = stack.provider(chain_id);
        let head = provider.get_block_number().await?;
        let mut mined_per_key: BTreeMap<String, usize> = BTreeMap::new();
        for number in from + 1..=head {
            let Some(block) = provider.get_block_by_number(number.into()).full().await? else {
                continue;
            };
            for tx in block.transactions.txns() {
                if tx.inner.signer() != hot_wallet {
                    continue;
                }
                let hash = *tx.inner.tx_hash();
                let key = keys_by_hash.get(&hash);
                verdict.check("hot wallet transaction journaled", key.is_some(), || {
                    format!("chain {chain_id}: {hash} in block {number} is in no journal entry")
                });
                if let Some(key) = key {
                    *mined_per_key.entry(key.clone()).or_default() += 1;
                }
            }
        }
        for (key, mined) in mined_per_key {
            verdict.check("one transaction mined per journal key", mined == 1, || {
                format!("chain {chain_id}: {key} has {mined} transactions mined")
            });
        }
    }
    Ok(())
}
