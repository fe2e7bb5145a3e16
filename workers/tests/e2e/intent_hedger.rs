//! The intent hedger end to end, on a real Temporal dev server, anvil with the real
//! `IntentBook`, the paper exchange's perpetuals and the real role processes (indexer,
//! orchestrator, hot wallet, exchange, price signer): party A's quotes are seen by the indexer,
//! locked, hedged on the broker and opened on chain at the broker's price, then closed on both
//! sides. After each, the chain, the broker's order and our DB agree.
//!
//! Each test is its own party A (an account of the dev mnemonic), so tests share no balances;
//! the broker's position is netted across quotes, so each test checks its own quote's broker
//! orders by their client order ids. Accounts 10 and up get their gas money from the deployer.
//! Tests that disturb the stack (a role killed, l2's blocks held, the indexer cut off from
//! Temporal) run alone; the others run side by side.

mod balance;

use crate::support;

use alloy::{
    primitives::{Address, U256},
    providers::Provider,
};
use hedgeflow::dev::deploy;
use hedgeflow_activities::{
    intent::{contract::IntentBook, quotes::decode},
    store::{Store, entity::intent_quote},
};
use hedgeflow_exchange::{
    ClientOrderId, Config as BrokerConfig, Credentials, FuturesClient, FuturesOrder,
    FuturesOrderKind, FuturesOrderRequest, OrderStatus, Side, TimeInForce,
};
use hedgeflow_proto::workflows::{IntentValidatorWorkflow, IntentWorkflow};
use hedgeflow_proto::{
    intent::{
        HedgerState, IntentRecord, IntentRef, QuoteStatus, ValidationRequest, error_codes,
        from_wad, to_wad,
    },
    queues,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::time::Duration;
use support::party_a::{
    Ask, BROKER_STEPS, BTCUSDT, ETHUSDT, GAS, LIMIT, MARKET, Party, TTL, mint_as_deployer, now,
};
use support::{
    HANG_QUANTITY, L2_ID, RIVAL_API_KEY, RIVAL_SECRET_KEY, Stack, eventually, rfq_stack,
};
use temporalio_client::{WorkflowGetResultOptions, WorkflowStartOptions};
use tokio::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

const WAIT: Duration = Duration::from_secs(90);

/// [`support::run`] with the shared stacks to this module's tests and `balance`'s (see
/// [`support::run_as`]).
fn run<F>(body: F) -> F::Output
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    support::run_as("intent_hedger", body)
}

/// Tests that disturb the shared stack (a role killed, blocks held, the indexer cut off) run
/// alone: they hold this for writing, every other test holds it for reading.
static TURN: RwLock<()> = RwLock::const_new(());
/// A test's hold on [`TURN`], for as long as its party A lives.
enum Turn {
    Shared(#[allow(dead_code)] RwLockReadGuard<'static, ()>),
    Alone(#[allow(dead_code)] RwLockWriteGuard<'static, ()>),
}

/// The broker symbol hedging `[intents]` symbol `id`.
fn broker_symbol(id: u64) -> &'static str {
    match id {
        ETHUSDT => "ETHUSDT",
        BTCUSDT => "BTCUSDT",
        other => panic!("symbol {other} is not in the stack's [intents]"),
    }
}

/// Party A: an account of the dev mnemonic with collateral deposited and allocated in the book.
struct PartyA {
    party: Party,
    /// The exchange role's own account, where the hedges are.
    broker: FuturesClient,
    store: Store,
    stack: &'static Stack,
    _turn: Turn,
}

/// Sending quotes and requests is the shared [`Party`]'s; the checks are this file's.
impl std::ops::Deref for PartyA {
    type Target = Party;

    fn deref(&self) -> &Party {
        &self.party
    }
}

impl PartyA {
    /// Party A of a test that shares the stack with others.
    async fn new(index: u32) -> PartyA {
        PartyA::with_turn(index, Turn::Shared(TURN.read().await)).await
    }

    /// Party A of a test that must have the stack to itself.
    async fn alone(index: u32) -> PartyA {
        PartyA::with_turn(index, Turn::Alone(TURN.write().await)).await
    }

    async fn with_turn(index: u32, turn: Turn) -> PartyA {
        let stack = rfq_stack().await;
        let party = Party::funded(stack, index).await;
        let broker = stack.paper_futures(
            hedgeflow_paper_exchange::DEV_API_KEY,
            hedgeflow_paper_exchange::DEV_SECRET_KEY,
        );
        let store = Store::connect(&stack.config.database.url).await.unwrap();
        PartyA {
            party,
            broker,
            store,
            stack,
            _turn: turn,
        }
    }

    async fn mark(&self) -> Decimal {
        self.mark_of(ETHUSDT).await
    }

    async fn mark_of(&self, symbol: u64) -> Decimal {
        let symbol = broker_symbol(symbol);
        self.broker.mark_price(symbol).await.unwrap().mark_price
    }

    async fn request_cancel_close(&self, quote_id: u64) {
        let call = self
            .book
            .requestToCancelCloseRequest(U256::from(quote_id))
            .from(self.address)
            .gas(GAS);
        let receipt = call.send().await.unwrap().get_receipt().await.unwrap();
        assert!(receipt.status());
    }

    async fn expire(&self, quote_id: u64) {
        let call = self
            .book
            .expireQuote(vec![U256::from(quote_id)])
            .from(self.address)
            .gas(GAS);
        let receipt = call.send().await.unwrap().get_receipt().await.unwrap();
        assert!(receipt.status());
    }

    async fn status(&self, quote_id: u64) -> QuoteStatus {
        let quote = self
            .book
            .getQuote(U256::from(quote_id))
            .call()
            .await
            .unwrap();
        QuoteStatus::from_u8(quote.quoteStatus).unwrap()
    }

    /// What names quote `quote_id`'s workflow, journal keys and broker orders: the quote as
    /// the chain holds it now.
    async fn intent(&self, quote_id: u64) -> IntentRef {
        let quote = decode(&self.quote(quote_id).await).unwrap();
        IntentRef::of(L2_ID, *self.book.address(), &quote)
    }

    async fn quote(&self, quote_id: u64) -> IntentBook::Quote {
        self.book
            .getQuote(U256::from(quote_id))
            .call()
            .await
            .unwrap()
    }

    async fn wait_status(&self, quote_id: u64, status: QuoteStatus) {
        eventually(
            &format!("quote {quote_id} {}", status.as_str()),
            WAIT,
            || async { (self.status(quote_id).await == status).then_some(()) },
        )
        .await
    }

    /// Waits until our DB shows the quote in hedger state `state`.
    async fn wait_row(&self, quote_id: u64, state: &str) {
        self.wait_record(quote_id, &[state], |_| true).await;
    }

    /// Waits until our DB shows the quote in one of hedger states `states` with a record that
    /// `holds`; returns the record.
    async fn wait_record(
        &self,
        quote_id: u64,
        states: &[&str],
        holds: impl Fn(&IntentRecord) -> bool,
    ) -> IntentRecord {
        let id = self.intent(quote_id).await.workflow_id();
        eventually(&format!("{id} {states:?} in the DB"), WAIT, || async {
            let row = self.store.intent_quote(&id).await.unwrap()?;
            let record = serde_json::from_value(row.record).unwrap();
            (states.contains(&row.hedger_state.as_str()) && holds(&record)).then_some(record)
        })
        .await
    }

    async fn row(&self, quote_id: u64) -> intent_quote::Model {
        let id = self.intent(quote_id).await.workflow_id();
        self.store
            .intent_quote(&id)
            .await
            .unwrap()
            .expect("the row")
    }

    /// The quote's workflow result, once the indexer has started it.
    async fn result(&self, quote_id: u64) -> IntentRecord {
        self.result_of(&self.intent(quote_id).await).await
    }

    /// The result of `intent`'s workflow, once the indexer has started it.
    async fn result_of(&self, intent: &IntentRef) -> IntentRecord {
        let id = intent.workflow_id();
        let handle = self
            .stack
            .client
            .get_workflow_handle::<IntentWorkflow>(id.clone());
        eventually(&format!("{id} to start"), WAIT, || async {
            handle.describe(Default::default()).await.ok().map(|_| ())
        })
        .await;
        tokio::time::timeout(WAIT, handle.get_result(WorkflowGetResultOptions::default()))
            .await
            .expect("the intent workflow to finish")
            .expect("its result")
    }

    /// Replays the quote's workflow history (and records it, see `support::replay_history`).
    async fn replay(&self, quote_id: u64, fixture: &str) {
        let handle = self
            .stack
            .client
            .get_workflow_handle::<IntentWorkflow>(self.intent(quote_id).await.workflow_id());
        support::replay_history(handle, fixture).await;
    }

    /// The broker's order `i-<chainId>-<quoteId>-<step>`: executed quantity and average price.
    async fn broker_order(&self, quote_id: u64, step: &str) -> (Decimal, Decimal) {
        let order = self
            .find_order(quote_id, step)
            .await
            .expect("the broker order");
        (
            order.executed_qty,
            order.average_price().unwrap_or_default(),
        )
    }

    /// The broker's order `i-<chainId>-<quoteId>-<step>`, if there is one.
    async fn find_order(&self, quote_id: u64, step: &str) -> Option<FuturesOrder> {
        let symbol = broker_symbol(self.quote(quote_id).await.symbolId.try_into().unwrap());
        let id = ClientOrderId::new(self.intent(quote_id).await.broker_order_id(step)).unwrap();
        self.broker.order(symbol, &id).await.unwrap()
    }

    /// Waits for the quote's broker order `step` to be on the broker.
    async fn wait_order(&self, quote_id: u64, step: &str) -> FuturesOrder {
        let what = format!("the broker order {step} of quote {quote_id}");
        eventually(&what, WAIT, || self.find_order(quote_id, step)).await
    }

    /// Asserts that the chain, the broker and our row tell the same story of the quote, and
    /// returns the row's record: the row shows the chain's status; party B's position in the
    /// record is the chain's open quantity, short against party A's LONG; every broker order of
    /// the quote is in the record with the broker's order id and executed quantity, and none is
    /// missing; together they net to the record's broker position, which hedges the chain
    /// position 1:1.
    async fn assert_agree(&self, quote_id: u64) -> IntentRecord {
        let row = self.row(quote_id).await;
        let record: IntentRecord = serde_json::from_value(row.record.clone()).unwrap();
        let quote = self.quote(quote_id).await;
        let status = QuoteStatus::from_u8(quote.quoteStatus).unwrap();
        assert_eq!(
            row.chain_status.as_deref(),
            Some(status.as_str()),
            "{record:?}"
        );
        let open = if status.has_position() {
            from_wad(quote.quantity).unwrap() - from_wad(quote.closedAmount).unwrap()
        } else {
            Decimal::ZERO
        };
        assert_eq!(record.chain_position, -open, "{record:?}");
        assert_eq!(
            row.chain_position,
            record.chain_position.normalize().to_string()
        );
        assert_eq!(
            row.broker_position,
            record.broker_position.normalize().to_string()
        );

        let mut net = Decimal::ZERO;
        let mut found = 0;
        for step in BROKER_STEPS {
            let client_order_id = self.intent(quote_id).await.broker_order_id(step);
            let listed = record
                .broker_orders
                .iter()
                .find(|o| o.client_order_id == client_order_id);
            match (self.find_order(quote_id, step).await, listed) {
                (None, None) => {}
                (Some(order), Some(listed)) => {
                    assert!(order.status.is_final(), "{order:?}");
                    assert_eq!(
                        (order.order_id, order.executed_qty),
                        (listed.order_id, listed.executed),
                        "{client_order_id}"
                    );
                    net += match order.side {
                        Side::Buy => order.executed_qty,
                        Side::Sell => -order.executed_qty,
                    };
                    found += 1;
                }
                (order, listed) => panic!("{client_order_id}: broker {order:?}, record {listed:?}"),
            }
        }
        assert_eq!(found, record.broker_orders.len(), "{record:?}");
        assert_eq!(net, record.broker_position, "{record:?}");
        assert_eq!(
            record.broker_position + record.chain_position,
            Decimal::ZERO,
            "hedged 1:1: {record:?}"
        );
        record
    }

    /// The quote's OpenPosition child: the part of a LIMIT quote the open left (0 for none).
    async fn child_of(&self, record: &IntentRecord) -> u64 {
        let (_, open) = record
            .transactions
            .iter()
            .find(|(step, _)| step == "open")
            .expect("an open transaction");
        let receipt = self
            .stack
            .l2
            .get_transaction_receipt(*open)
            .await
            .unwrap()
            .expect("the open's receipt");
        let opened = receipt
            .decoded_log::<IntentBook::OpenPosition>()
            .expect("an OpenPosition event");
        opened.newQuoteId.try_into().unwrap()
    }
}

/// The steps of the quote's transactions, in order.
fn tx_steps(record: &IntentRecord) -> Vec<&str> {
    record
        .transactions
        .iter()
        .map(|(step, _)| step.as_str())
        .collect()
}

#[test]
fn a_market_quote_is_hedged_opened_and_closed_at_the_brokers_prices() {
    run(async {
        let party_a = PartyA::new(2).await;
        let mark = party_a.mark().await;
        let quantity = dec!(0.5);
        let allocated_before = party_a
            .book
            .allocatedBalanceOfPartyA(party_a.address)
            .call()
            .await
            .unwrap();
        let id = party_a
            .send_quote(MARKET, mark * dec!(1.01), quantity)
            .await;
        party_a.wait_status(id, QuoteStatus::Opened).await;

        let (executed, broker_price) = party_a.broker_order(id, "open").await;
        assert_eq!(executed, quantity, "one broker order for the whole quote");
        let quote = party_a.quote(id).await;
        assert_eq!(from_wad(quote.quantity).unwrap(), quantity);
        let opened = from_wad(quote.openedPrice).unwrap();
        assert_eq!(
            opened,
            broker_price.round_dp(18),
            "opened on chain at the broker's price"
        );
        assert!(opened <= mark * dec!(1.01));

        let mark = party_a.mark().await;
        party_a
            .request_close(id, MARKET, mark * dec!(0.99), quantity)
            .await;
        party_a.wait_status(id, QuoteStatus::Closed).await;
        let record = party_a.result(id).await;
        assert_eq!(record.state, HedgerState::Closed);
        assert_eq!(
            record.broker_position,
            Decimal::ZERO,
            "the hedge is flat again"
        );
        assert_eq!(record.chain_position, Decimal::ZERO);
        let tx_steps: Vec<&str> = record
            .transactions
            .iter()
            .map(|(s, _)| s.as_str())
            .collect();
        assert_eq!(tx_steps, ["allocate", "lock", "open", "close-1"]);

        let (closed, close_price) = party_a.broker_order(id, "close-1").await;
        assert_eq!(closed, quantity);
        let quote = party_a.quote(id).await;
        let avg_closed = from_wad(quote.avgClosedPrice).unwrap();
        assert_eq!(
            avg_closed,
            close_price.round_dp(18),
            "closed on chain at the broker's price"
        );
        // party A's allocation moved by exactly the position's P&L
        let allocated = party_a
            .book
            .allocatedBalanceOfPartyA(party_a.address)
            .call()
            .await
            .unwrap();
        let pnl = (avg_closed - opened) * quantity;
        assert_eq!(
            from_wad(allocated).unwrap() - from_wad(allocated_before).unwrap(),
            pnl.round_dp(18)
        );
        let row = party_a
            .store
            .intent_quote(&party_a.intent(id).await.workflow_id())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.hedger_state, "closed");
        party_a.replay(id, "intent-closed.json").await;
        assert_eq!(row.chain_status.as_deref(), Some("CLOSED"));
        assert_eq!(
            (row.broker_position.as_str(), row.chain_position.as_str()),
            ("0", "0")
        );
    });
}

#[test]
fn the_validator_reports_a_broker_position_closed_behind_the_hedgers_back() {
    run(async {
        let party_a = PartyA::new(6).await;
        let mark = party_a.mark().await;
        let quantity = dec!(0.7);
        let id = party_a
            .send_quote(MARKET, mark * dec!(1.01), quantity)
            .await;
        party_a.wait_status(id, QuoteStatus::Opened).await;
        party_a.wait_row(id, "opened").await;
        // Someone sells the hedge on the broker, outside the hedger.
        let rogue = FuturesOrderRequest {
            symbol: "ETHUSDT".into(),
            side: Side::Sell,
            kind: FuturesOrderKind::Market { qty: quantity },
            reduce_only: false,
            client_order_id: ClientOrderId::new(format!("rogue-{id}")).unwrap(),
        };
        party_a.broker.place_once(&rogue).await.unwrap();

        let request = ValidationRequest {
            chain_id: L2_ID,
            symbols: vec!["ETHUSDT".into()],
        };
        let mismatch = eventually("the validator to report the broker", WAIT, || async {
            let options = WorkflowStartOptions::new(
                queues::ORCHESTRATOR,
                format!("validate-test-{}", uuid::Uuid::new_v4()),
            )
            .build();
            let handle = party_a
                .stack
                .client
                .start_workflow(IntentValidatorWorkflow::run, request.clone(), options)
                .await
                .unwrap();
            let report = handle
                .get_result(WorkflowGetResultOptions::default())
                .await
                .unwrap();
            report
                .mismatches
                .into_iter()
                .find(|m| m.subject == "ETHUSDT" && m.against == "broker")
        })
        .await;
        assert_eq!(mismatch.ours - mismatch.theirs, quantity, "{mismatch:?}");
        let stored = party_a.store.intent_mismatches().await.unwrap();
        assert!(
            stored
                .iter()
                .any(|row| row.subject == "ETHUSDT" && row.against == "broker"),
            "the mismatch is stored"
        );
        // ...and posted to the configured webhook.
        let posted = eventually("the mismatch webhook", WAIT, || async {
            party_a.stack.webhook.bodies().into_iter().find(|body| {
                body["event"] == "position_mismatches"
                    && body["mismatches"]
                        .as_array()
                        .is_some_and(|m| m.iter().any(|m| m["subject"] == "ETHUSDT"))
            })
        })
        .await;
        assert_eq!(posted["chain_id"], L2_ID, "{posted}");
        // Reported, not fixed: the quote is still open on chain and in our records.
        assert_eq!(party_a.status(id).await, QuoteStatus::Opened);
    });
}

#[test]
fn a_cancel_after_the_lock_cancels_the_resting_broker_order_and_is_accepted() {
    run(async {
        let party_a = PartyA::new(3).await;
        // A LONG limit 2 % under the market: its broker order rests.
        let mark = party_a.mark().await;
        let id = party_a.send_quote(LIMIT, mark * dec!(0.98), dec!(1)).await;
        party_a.wait_status(id, QuoteStatus::Locked).await;
        // The hedger places the broker order once the lock is confirmed; cancel while it rests.
        party_a.wait_order(id, "open").await;
        party_a.request_cancel(id).await;
        party_a.wait_status(id, QuoteStatus::Canceled).await;
        let record = party_a.result(id).await;
        assert_eq!(record.state, HedgerState::Canceled, "{record:?}");
        let (executed, _) = party_a.broker_order(id, "open").await;
        assert_eq!(executed, Decimal::ZERO);
        assert_eq!(record.broker_position, Decimal::ZERO);
        let row = party_a
            .store
            .intent_quote(&party_a.intent(id).await.workflow_id())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.chain_status.as_deref(), Some("CANCELED"));
    });
}

/// A rogue worker (a workflow of its own, straight on Temporal) asks the hot wallet for party-B
/// actions the quote's state on the book does not take: each is refused by the policy's
/// `intent-quote` check, named, before anything is signed or sent.
#[test]
fn the_hot_wallet_refuses_quote_actions_the_quotes_state_on_chain_does_not_take() {
    run(async {
        let party_a = PartyA::new(5).await;
        let mark = party_a.mark().await;
        // Out of the price range: the hedger leaves it PENDING, nobody's.
        let id = party_a
            .send_quote(MARKET, mark * dec!(1.2), dec!(0.5))
            .await;
        assert_eq!(party_a.result(id).await.state, HedgerState::Rejected);
        let price = hedgeflow_proto::intent::SignedPrice {
            symbol_id: ETHUSDT,
            price: mark,
            timestamp: now(),
            signature: Default::default(),
        };
        let book = party_a.stack.config.intents.as_ref().unwrap().book;
        use hedgeflow_proto::intent::calldata;
        let asks = [
            ("unlock", calldata::unlock(id), "is PENDING"),
            ("accept-cancel", calldata::accept_cancel(id), "is PENDING"),
            (
                "open",
                calldata::open(id, dec!(0.5), mark, &price).unwrap(),
                "is PENDING",
            ),
            (
                "fill-close",
                calldata::fill_close(id, dec!(0.5), mark, &price).unwrap(),
                "is PENDING",
            ),
            (
                "lock-nothing",
                calldata::lock(id + 1_000_000),
                "does not exist",
            ),
        ];
        for (step, data, why) in asks {
            let key = format!("rogue/{}/{step}", party_a.intent(id).await.workflow_id());
            let intent = hedgeflow_proto::chain::TxIntent {
                intent_key: key.clone(),
                chain_id: L2_ID,
                to: book,
                value: hedgeflow_proto::Amount::ZERO,
                data: data.into(),
            };
            let answer = support::rogue::ask_hot_wallet(party_a.stack, intent).await;
            assert!(
                answer.contains("policy rule intent-quote") && answer.contains(why),
                "{step}: {answer}"
            );
            assert!(
                party_a.stack.journal_entries(&key).is_empty(),
                "{step}: nothing signed"
            );
        }
        assert_eq!(party_a.status(id).await, QuoteStatus::Pending);
    });
}

#[test]
fn a_quote_outside_the_price_range_is_left_with_its_reason() {
    run(async {
        let party_a = PartyA::new(4).await;
        let mark = party_a.mark().await;
        let id = party_a
            .send_quote(MARKET, mark * dec!(1.2), dec!(0.5))
            .await;
        let record = party_a.result(id).await;
        assert_eq!(record.state, HedgerState::Rejected);
        assert_eq!(
            record.error_code,
            Some(hedgeflow_proto::intent::error_codes::PRICE_OUT_OF_RANGE)
        );
        assert!(record.transactions.is_empty(), "nothing was sent");
        assert_eq!(
            party_a.status(id).await,
            QuoteStatus::Pending,
            "left for others"
        );
    });
}

/// `GET`s `path` of the hedger API: the status and the JSON body.
async fn api_get(path: &str) -> (u16, serde_json::Value) {
    let url = format!("{}{path}", rfq_stack().await.hedger_api_url());
    let response = reqwest::get(url).await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn api_post(path: &str, body: &str) -> (u16, serde_json::Value) {
    let url = format!("{}{path}", rfq_stack().await.hedger_api_url());
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// The refusal's status, with SYMMIO's error body.
fn refused(answer: (u16, serde_json::Value), status: u16) {
    assert_eq!(answer.0, status, "{answer:?}");
    assert_eq!(answer.1["error_code"], status, "{answer:?}");
    assert!(answer.1["error_message"].is_string(), "{answer:?}");
}

#[test]
fn the_hedger_api_answers_symmio_shapes_and_refuses_bad_input() {
    run(async {
        let party_a = PartyA::new(7).await;
        let mark = party_a.mark().await;
        let id = party_a
            .send_quote(MARKET, mark * dec!(1.01), dec!(0.3))
            .await;
        party_a.wait_row(id, "opened").await;

        let (status, symbols) = api_get("/contract-symbols").await;
        assert_eq!(status, 200);
        assert_eq!(symbols["count"], 2);
        let eth = &symbols["symbols"][0];
        assert_eq!(
            (eth["name"].as_str(), eth["symbol_id"].as_str()),
            (Some("ETHUSDT"), Some("1"))
        );
        assert_eq!(
            (
                eth["price_precision"].as_u64(),
                eth["quantity_precision"].as_u64()
            ),
            (Some(2), Some(4))
        );
        assert_eq!(eth["is_valid"], true);

        let (status, open_interest) = api_get("/open-interest").await;
        assert_eq!(status, 200);
        assert_eq!(open_interest["total_cap"].as_str(), Some("10000000"));
        let (status, cap) = api_get("/notional_cap/1").await;
        assert_eq!(status, 200);
        assert_eq!(cap["total_cap"].as_str(), Some("5000000"));
        let used: Decimal = cap["used"].as_str().unwrap().parse().unwrap();
        assert!(used > Decimal::ZERO, "the open quote uses the cap: {cap}");
        refused(api_get("/notional_cap/99").await, 404);
        refused(api_get("/notional_cap/eth").await, 400);

        let (status, range) = api_get("/price-range/ETHUSDT").await;
        assert_eq!(status, 200);
        let min: Decimal = range["min_price"].as_str().unwrap().parse().unwrap();
        let max: Decimal = range["max_price"].as_str().unwrap().parse().unwrap();
        assert!(min < mark && mark < max, "{range}");
        refused(api_get("/price-range/DOGEUSDT").await, 404);

        let (status, codes) = api_get("/error_codes").await;
        assert_eq!(status, 200);
        assert!(codes["1004"].is_string(), "{codes}");
        let (status, code) = api_get("/error_codes/1004").await;
        assert_eq!((status, code["error_code"].as_u64()), (200, Some(1004)));
        refused(api_get("/error_codes/9").await, 404);
        refused(api_get("/error_codes/-1").await, 400);

        let (status, params) = api_get("/get_locked_params/ETHUSDT?leverage=10").await;
        assert_eq!(status, 200);
        for field in ["cva", "mm", "lf", "leverage"] {
            assert!(params[field].is_string(), "{field}: {params}");
        }
        refused(api_get("/get_locked_params/ETHUSDT?leverage=-1").await, 400);
        refused(api_get("/get_locked_params/NOPE").await, 404);

        let body = format!(r#"{{"address": "{}", "quote_id": {id}}}"#, party_a.address);
        let (status, states) = api_post("/position-state/0/10", &body).await;
        assert_eq!(status, 200);
        assert_eq!(states["count"], 1, "{states}");
        let state = &states["position_state"][0];
        assert_eq!(state["quote_id"], id);
        assert_eq!(state["action_status"], "success");
        assert_eq!(state["last_seen_action"], "opened");
        // Filtered and paged by the database: any case of the address; the next page is
        // empty; a state the quote is not in matches nothing.
        let lower = party_a.address.to_string().to_lowercase();
        for (path, body, count) in [
            (
                "/position-state/0/10",
                format!(r#"{{"address": "{lower}", "quote_id": {id}}}"#),
                1,
            ),
            ("/position-state/1/10", body.clone(), 0),
            (
                "/position-state/0/10",
                format!(r#"{{"quote_id": {id}, "states": ["closed"]}}"#),
                0,
            ),
        ] {
            let (status, states) = api_post(path, &body).await;
            assert_eq!(
                (status, states["count"].as_u64()),
                (200, Some(count)),
                "{path} {body}: {states}"
            );
        }
        refused(api_post("/position-state/0/10", "{not json").await, 400);
        refused(
            api_post("/position-state/0/10", r#"{"quote_id": "one"}"#).await,
            400,
        );
        refused(api_post("/position-state/0/0", "{}").await, 400);
        refused(api_post("/position-state/-1/10", "{}").await, 400);

        // The websocket: a notification of the open quote, then party A's uPnL.
        let url = format!(
            "{}/ws/{}",
            party_a.stack.hedger_api_url().replace("http", "ws"),
            party_a.address
        );
        let (mut socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        let (mut notified, mut upnl) = (false, None);
        while upnl.is_none() {
            use futures::StreamExt;
            let message = tokio::time::timeout(WAIT, socket.next())
                .await
                .unwrap()
                .unwrap()
                .unwrap();
            let value: serde_json::Value =
                serde_json::from_str(message.to_text().unwrap()).unwrap();
            match value["type"].as_str() {
                Some("notification") => notified |= value["quote_id"] == id,
                Some("upnl") => upnl = Some(value),
                other => panic!("unexpected message {other:?}: {value}"),
            }
        }
        assert!(notified, "the open quote was notified");
        let upnl = upnl.unwrap();
        for field in [
            "upnl",
            "notional",
            "timestamp",
            "available_balance",
            "allocated_balance",
            "total_locked",
        ] {
            assert!(!upnl[field].is_null(), "{field}: {upnl}");
        }
        let notional: Decimal = upnl["notional"].as_str().unwrap().parse().unwrap();
        assert!(notional > Decimal::ZERO, "{upnl}");
    });
}

#[test]
fn a_limit_quote_crossing_the_book_opens_and_closes_at_the_brokers_prices() {
    run(async {
        let party_a = PartyA::new(10).await;
        let quantity = dec!(0.8);
        // A LONG at most 0.5 % over the market: the broker's asks under it fill it at once.
        let requested = (party_a.mark().await * dec!(1.005)).round_dp(2);
        let id = party_a.send_quote(LIMIT, requested, quantity).await;
        party_a.wait_row(id, "opened").await;
        let record = party_a.assert_agree(id).await;
        assert_eq!(record.broker_position, quantity, "hedged in whole");
        let row = party_a.row(id).await;
        assert_eq!(row.order_type.as_deref(), Some("LIMIT"));
        let (executed, broker_price) = party_a.broker_order(id, "open").await;
        assert_eq!(executed, quantity);
        let quote = party_a.quote(id).await;
        let opened = from_wad(quote.openedPrice).unwrap();
        assert_eq!(opened, broker_price.round_dp(18), "at the broker's price");
        assert!(opened <= requested, "a LONG opens at most at its price");

        // A LIMIT close at least 0.5 % under the market: the broker's bids fill it at once.
        let close_at = (party_a.mark().await * dec!(0.995)).round_dp(2);
        party_a.request_close(id, LIMIT, close_at, quantity).await;
        party_a.wait_row(id, "closed").await;
        let record = party_a.assert_agree(id).await;
        assert_eq!(record.broker_position, Decimal::ZERO, "the hedge is flat");
        assert_eq!(tx_steps(&record), ["allocate", "lock", "open", "close-1"]);
        let (closed, close_price) = party_a.broker_order(id, "close-1").await;
        assert_eq!(closed, quantity);
        let quote = party_a.quote(id).await;
        let avg_closed = from_wad(quote.avgClosedPrice).unwrap();
        assert_eq!(
            avg_closed,
            close_price.round_dp(18),
            "at the broker's price"
        );
        assert!(
            avg_closed >= close_at,
            "a LONG closes at least at its price"
        );
    });
}

#[test]
fn a_limit_quote_the_broker_fills_in_part_opens_that_part_and_leaves_a_child_quote() {
    run(async {
        let party_a = PartyA::new(11).await;
        // A LONG of 40 BTC 1 % under the market: its broker order rests below every bid of
        // the book, which the moving market never reaches while it waits.
        let price = (party_a.mark_of(BTCUSDT).await * dec!(0.99)).round_dp(2);
        let quantity = dec!(40);
        let ask = Ask {
            symbol: BTCUSDT,
            order_type: LIMIT,
            price,
            quantity,
            ttl: TTL,
        };
        let id = party_a.send(ask).await;
        let resting = party_a.wait_order(id, "open").await;
        assert_eq!(resting.executed_qty, Decimal::ZERO);
        // Another participant sells 30 BTC down to our price. The bids above it hold 9.25 to
        // 27.75 BTC (25 levels of 0.5 × (1 + depth / 25) × 0.5..1.5), so between 2.25 and
        // 20.75 BTC reach our order, never all of it.
        let rival = party_a.stack.paper_futures(RIVAL_API_KEY, RIVAL_SECRET_KEY);
        let sell = FuturesOrderRequest {
            symbol: "BTCUSDT".into(),
            side: Side::Sell,
            kind: FuturesOrderKind::Limit {
                price,
                qty: dec!(30),
                time_in_force: TimeInForce::Ioc,
            },
            reduce_only: false,
            client_order_id: ClientOrderId::new(format!("rival-{id}")).unwrap(),
        };
        rival.place_once(&sell).await.unwrap();

        let record = party_a.wait_record(id, &["opened"], |_| true).await;
        let (executed, broker_price) = party_a.broker_order(id, "open").await;
        assert!(
            Decimal::ZERO < executed && executed < quantity,
            "a partial fill: {executed}"
        );
        assert_eq!(broker_price, price, "the resting order's price");
        assert_eq!(party_a.assert_agree(id).await, record);
        let quote = party_a.quote(id).await;
        assert_eq!(
            from_wad(quote.quantity).unwrap(),
            executed,
            "opened what the broker executed"
        );
        assert_eq!(from_wad(quote.openedPrice).unwrap(), price);

        // The rest is a child quote on the same terms, PENDING for any party B. The indexer
        // hands it to a workflow of its own, which takes it like any quote; no seller comes
        // at the price this time, so it gives it back unfilled.
        let child = party_a.child_of(&record).await;
        let child_quote = party_a.quote(child).await;
        assert_eq!(from_wad(child_quote.quantity).unwrap(), quantity - executed);
        assert_eq!(from_wad(child_quote.requestedOpenPrice).unwrap(), price);
        assert_eq!(child_quote.parentId, U256::from(id));
        let child_record = party_a.result(child).await;
        assert_eq!(
            child_record.state,
            HedgerState::Rejected,
            "{child_record:?}"
        );
        assert_eq!(child_record.error_code, Some(error_codes::BROKER_UNFILLED));
        let steps = tx_steps(&child_record);
        assert!(
            steps.ends_with(&["lock", "unlock"]),
            "locked, then unlocked: {steps:?}"
        );
        let (child_executed, _) = party_a.broker_order(child, "open").await;
        assert_eq!(child_executed, Decimal::ZERO);
        party_a.assert_agree(child).await;
        assert_eq!(party_a.status(child).await, QuoteStatus::Pending);
        party_a.replay(child, "intent-child-unfilled.json").await;
        party_a.request_cancel(child).await;
        assert_eq!(party_a.status(child).await, QuoteStatus::Canceled);
        // The opened part stays open: party A bought 1 % under the market, and party B's
        // allocation for it (its reserve) cannot pay that profit, so a close would be refused
        // on chain (`InsufficientAllocation`) until the balance manager tops it up.
        assert_eq!(party_a.status(id).await, QuoteStatus::Opened);
    });
}

/// Runs `body` while the indexer cannot reach Temporal: the chain moves on, the hedger does
/// not see it until it is back.
async fn with_the_hedger_behind<F: std::future::Future<Output = T>, T>(
    stack: &Stack,
    body: F,
) -> T {
    stack.indexer_temporal.stop();
    let output = body.await;
    stack.indexer_temporal.resume().await.unwrap();
    // The indexer role exits once Temporal stays out of reach; as a supervisor would, start it
    // again (it resumes from its cursor).
    stack.kill_role("indexer").await;
    stack.start_role("indexer").await.unwrap();
    output
}

/// Asserts the hedger ended the quote in `state` without a transaction or a broker order.
async fn assert_left_alone(party_a: &PartyA, id: u64, state: HedgerState) {
    // The workflow exists once the indexer, back, has handed it the quote's events.
    party_a.wait_row(id, state.as_str()).await;
    let record = party_a.result(id).await;
    assert_eq!(record.state, state, "{record:?}");
    assert_eq!(record.error_code, Some(error_codes::TAKEN));
    assert!(
        record.transactions.is_empty(),
        "nothing was sent: {record:?}"
    );
    assert!(
        record.broker_orders.is_empty(),
        "nothing was hedged: {record:?}"
    );
    assert_eq!(party_a.assert_agree(id).await, record);
}

#[test]
fn a_quote_cancelled_before_the_hedger_locks_it_ends_cancelled_without_a_lock() {
    run(async {
        let party_a = PartyA::alone(12).await;
        let mark = party_a.mark().await;
        let id = with_the_hedger_behind(party_a.stack, async {
            let id = party_a
                .send_quote(MARKET, mark * dec!(1.01), dec!(0.5))
                .await;
            party_a.request_cancel(id).await;
            id
        })
        .await;
        // Nobody locked it: party A's cancel needed no party B.
        assert_eq!(party_a.status(id).await, QuoteStatus::Canceled);
        assert_left_alone(&party_a, id, HedgerState::Canceled).await;
    });
}

#[test]
fn a_quote_expired_before_the_hedger_locks_it_ends_expired_without_a_hedge() {
    run(async {
        let party_a = PartyA::alone(13).await;
        let mark = party_a.mark().await;
        let id = with_the_hedger_behind(party_a.stack, async {
            let ask = Ask {
                ttl: 3,
                ..Ask::eth(LIMIT, mark * dec!(0.99), dec!(0.5))
            };
            let id = party_a.send(ask).await;
            let deadline = party_a.quote(id).await.deadline;
            eventually("the chain to pass the deadline", WAIT, || async {
                let head = party_a.stack.l2.get_block_number().await.ok()?;
                let block = party_a
                    .stack
                    .l2
                    .get_block_by_number(head.into())
                    .await
                    .ok()??;
                (U256::from(block.header.timestamp) > deadline).then_some(())
            })
            .await;
            party_a.expire(id).await;
            id
        })
        .await;
        assert_eq!(party_a.status(id).await, QuoteStatus::Expired);
        assert_left_alone(&party_a, id, HedgerState::Expired).await;
    });
}

#[test]
fn a_cancelled_close_request_is_accepted_and_the_position_stays_hedged() {
    run(async {
        let party_a = PartyA::new(14).await;
        let quantity = dec!(0.6);
        let mark = party_a.mark().await;
        let id = party_a
            .send_quote(MARKET, mark * dec!(1.01), quantity)
            .await;
        party_a.wait_row(id, "opened").await;
        // A LIMIT close 2 % over the market: the broker's sell rests.
        party_a
            .request_close(id, LIMIT, mark * dec!(1.02), quantity)
            .await;
        let resting = party_a.wait_order(id, "close-1").await;
        assert_eq!(resting.executed_qty, Decimal::ZERO);
        party_a.request_cancel_close(id).await;
        let record = party_a
            .wait_record(id, &["opened"], |r| {
                tx_steps(r).contains(&"accept-cancel-close-1")
            })
            .await;
        assert_eq!(party_a.status(id).await, QuoteStatus::Opened);
        assert_eq!(party_a.assert_agree(id).await, record);
        assert_eq!(record.broker_position, quantity, "still hedged");
        let quote = party_a.quote(id).await;
        assert_eq!(quote.quantityToClose, U256::ZERO);
        let close = party_a.find_order(id, "close-1").await.unwrap();
        assert_eq!(
            (close.status, close.executed_qty),
            (OrderStatus::Canceled, Decimal::ZERO)
        );

        // Then party A closes it for good.
        let mark = party_a.mark().await;
        party_a
            .request_close(id, MARKET, mark * dec!(0.99), quantity)
            .await;
        party_a.wait_row(id, "closed").await;
        let record = party_a.assert_agree(id).await;
        assert_eq!(record.broker_position, Decimal::ZERO, "the hedge is flat");
        assert_eq!(
            tx_steps(&record),
            [
                "allocate",
                "lock",
                "open",
                "accept-cancel-close-1",
                "close-2"
            ]
        );
    });
}

/// Sends a MARKET quote of [`HANG_QUANTITY`], whose broker order the paper exchange applies and
/// answers only 20 s later; returns its id and the order, once it is on the broker.
async fn quote_with_a_held_broker_answer(party_a: &PartyA) -> (u64, FuturesOrder) {
    let quantity: Decimal = HANG_QUANTITY.parse().unwrap();
    let mark = party_a.mark().await;
    let id = party_a
        .send_quote(MARKET, mark * dec!(1.01), quantity)
        .await;
    let placed = party_a.wait_order(id, "open").await;
    assert_eq!(placed.executed_qty, quantity, "filled on the broker");
    (id, placed)
}

/// Asserts the quote opened once, on the broker order `placed`, in whole.
async fn assert_opened_once(party_a: &PartyA, id: u64, placed: &FuturesOrder) -> IntentRecord {
    party_a.wait_row(id, "opened").await;
    let record = party_a.assert_agree(id).await;
    assert_eq!(record.broker_orders.len(), 1, "{record:?}");
    assert_eq!(
        record.broker_orders[0].order_id, placed.order_id,
        "the order placed first, not a second one"
    );
    assert_eq!(record.broker_position, placed.executed_qty);
    let opens = tx_steps(&record).iter().filter(|s| **s == "open").count();
    assert_eq!(opens, 1, "{record:?}");
    let intent = party_a.intent(id).await.tx_key("open");
    let signed = party_a.stack.journal_entries(&intent).len();
    assert_eq!(signed, 1, "one openPosition was ever signed");
    record
}

#[test]
fn a_cancel_sent_while_the_broker_order_executes_loses_to_the_open() {
    run(async {
        let party_a = PartyA::new(15).await;
        let (id, placed) = quote_with_a_held_broker_answer(&party_a).await;
        // The hedge is on the broker; party A cancels before openPosition.
        party_a.request_cancel(id).await;
        assert_eq!(party_a.status(id).await, QuoteStatus::CancelPending);
        // SYMMIO: opening wins over a pending cancel (party B has hedged).
        assert_opened_once(&party_a, id, &placed).await;
        assert_eq!(party_a.status(id).await, QuoteStatus::Opened);
    });
}

#[test]
fn a_cancel_racing_the_open_ends_as_the_chain_decided_with_the_hedge_to_match() {
    run(async {
        let party_a = PartyA::new(16).await;
        let quantity = dec!(0.5);
        let mark = party_a.mark().await;
        let id = party_a
            .send_quote(MARKET, mark * dec!(1.01), quantity)
            .await;
        party_a.wait_status(id, QuoteStatus::Locked).await;
        // Whatever the hedger is doing now (reading the lock, on the broker, sending the open).
        let cancel_sent = party_a.try_cancel(id).await;
        let record = party_a
            .wait_record(id, &["opened", "canceled"], |_| true)
            .await;
        assert_eq!(party_a.assert_agree(id).await, record);
        match party_a.status(id).await {
            QuoteStatus::Opened => {
                assert_eq!(record.broker_position, quantity, "{record:?}");
                party_a
                    .request_close(id, MARKET, party_a.mark().await * dec!(0.99), quantity)
                    .await;
                party_a.wait_row(id, "closed").await;
                party_a.assert_agree(id).await;
            }
            QuoteStatus::Canceled => {
                assert!(cancel_sent);
                assert_eq!(record.state, HedgerState::Canceled, "{record:?}");
                assert_eq!(record.broker_position, Decimal::ZERO);
            }
            other => panic!("the quote is {}: {record:?}", other.as_str()),
        }
    });
}

#[test]
fn an_exchange_worker_killed_between_placing_and_answering_leaves_one_broker_order() {
    run(async {
        let party_a = PartyA::alone(17).await;
        let stack = party_a.stack;
        let (id, placed) = quote_with_a_held_broker_answer(&party_a).await;
        // The worker is mid-call: the order is placed, its answer not back yet.
        assert_eq!(party_a.status(id).await, QuoteStatus::Locked);
        stack.kill_role("exchange").await;
        stack.start_role("exchange").await.unwrap();
        assert_opened_once(&party_a, id, &placed).await;
        let log = std::fs::read_to_string(stack.log("exchange")).unwrap();
        let client_order_id = party_a.intent(id).await.broker_order_id("open");
        assert!(
            log.lines().any(
                |l| l.contains(&client_order_id) && l.contains("order already on the exchange")
            ),
            "the retry found the order"
        );
    });
}

#[test]
fn a_hot_wallet_killed_after_broadcasting_the_open_opens_once() {
    run(async {
        let party_a = PartyA::alone(18).await;
        let stack = party_a.stack;
        let (id, placed) = quote_with_a_held_broker_answer(&party_a).await;
        // The lock is confirmed and the open not yet sent (the broker's answer is held): hold
        // l2's blocks, so the open sits broadcast but unmined while we kill the hot wallet.
        stack.mine_every(L2_ID, 0).await;
        let intent = party_a.intent(id).await.tx_key("open");
        let hash = stack.broadcast_on(L2_ID, &intent, WAIT).await;
        stack.kill_role("hot-wallet").await;
        stack.mine_every(L2_ID, 1).await;
        stack.start_role("hot-wallet").await.unwrap();

        let record = assert_opened_once(&party_a, id, &placed).await;
        let open = record.transactions.iter().find(|(s, _)| s == "open");
        assert_eq!(
            open.map(|(_, tx)| *tx),
            Some(hash),
            "the journaled open counted"
        );
        let log = std::fs::read_to_string(stack.log("hot-wallet")).unwrap();
        assert!(
            log.contains("intent already signed; resuming it"),
            "the restarted worker resumed the journaled open"
        );
    });
}

/// An l2 reorg between the hedger's judgement of a quote and its lock puts another quote of the
/// same party A under the id, one the hedger refuses (its price is far from the mark). The lock
/// meant for the first quote takes the other one: the first quote's workflow sees another quote
/// under its id, gives it back and ends `replaced`; the other quote gets a workflow of its own,
/// and no broker order is placed for either. (Before quotes were named by their terms, the one
/// workflow of the id hedged and opened the other quote, unjudged.)
#[test]
fn a_quote_id_a_reorg_gives_to_another_quote_is_not_hedged_for_the_first() {
    run(async {
        // A party A the hedger has allocated nothing to yet: its first step, the allocation,
        // waits for blocks while l2 holds them.
        let party_a = PartyA::alone(19).await;
        let stack = party_a.stack;
        let mark = party_a.mark().await;
        let nonce = stack
            .l2
            .get_transaction_count(party_a.address)
            .await
            .unwrap();
        let ask = |price| Ask::eth(MARKET, price, dec!(0.5));
        let (first, first_hash) = party_a.signed_quote(ask(mark * dec!(1.01)), nonce).await;
        let (second, second_hash) = party_a.signed_quote(ask(mark * dec!(1.5)), nonce).await;

        stack.mine_every(L2_ID, 0).await;
        let _pending = stack.l2.send_raw_transaction(&first).await.unwrap();
        mine_one(stack).await;
        let id = sent_quote_id(stack, first_hash).await;
        let judged = party_a.intent(id).await;
        stack
            .broadcast_on(L2_ID, &judged.tx_key("allocate"), WAIT)
            .await;

        // The first quote's block is replaced by one holding the second, at the same nonce.
        stack
            .l2
            .raw_request::<_, ()>(
                "anvil_reorg".into(),
                serde_json::json!({ "depth": 1, "tx_block_pairs": [[second, 0]] }),
            )
            .await
            .unwrap();
        stack.mine_every(L2_ID, 1).await;
        assert_eq!(
            sent_quote_id(stack, second_hash).await,
            id,
            "the reorg reused the id"
        );
        let other = party_a.intent(id).await;
        assert_ne!(other.workflow_id(), judged.workflow_id());

        let first_run = party_a.result_of(&judged).await;
        assert_eq!(first_run.state, HedgerState::Replaced, "{first_run:?}");
        assert_eq!(tx_steps(&first_run), ["allocate", "lock", "unlock"]);
        assert!(first_run.broker_orders.is_empty(), "{first_run:?}");
        let other_run = party_a.result_of(&other).await;
        assert!(
            matches!(other_run.state, HedgerState::Rejected | HedgerState::Lost),
            "{other_run:?}"
        );
        assert!(other_run.broker_orders.is_empty(), "{other_run:?}");

        // On chain the other quote is PENDING for any party B; the broker has no order of
        // either quote.
        let quote = party_a.quote(id).await;
        assert_eq!(
            QuoteStatus::from_u8(quote.quoteStatus),
            Some(QuoteStatus::Pending)
        );
        assert_eq!(quote.partyB, Address::ZERO);
        assert_eq!(
            from_wad(quote.requestedOpenPrice).unwrap(),
            (mark * dec!(1.5)).round_dp(2)
        );
        for intent in [&judged, &other] {
            for step in BROKER_STEPS {
                let client_order_id = ClientOrderId::new(intent.broker_order_id(step)).unwrap();
                let order = party_a
                    .broker
                    .order("ETHUSDT", &client_order_id)
                    .await
                    .unwrap();
                assert!(order.is_none(), "{order:?}");
            }
        }
    });
}

/// Mines one l2 block now.
async fn mine_one(stack: &Stack) {
    stack
        .l2
        .raw_request::<_, ()>("anvil_mine".into(), (1u64,))
        .await
        .unwrap();
}

/// The id of the quote `sendQuote` transaction `hash` made, once mined.
async fn sent_quote_id(stack: &Stack, hash: alloy::primitives::B256) -> u64 {
    let receipt = eventually("the quote to be mined", WAIT, || async {
        stack.l2.get_transaction_receipt(hash).await.ok().flatten()
    })
    .await;
    let sent = receipt
        .decoded_log::<IntentBook::SendQuote>()
        .expect("a SendQuote event");
    sent.quoteId.try_into().unwrap()
}
