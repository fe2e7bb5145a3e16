//! The intent hedger end to end, on a real Temporal dev server, anvil with the real
//! `IntentBook`, the paper exchange's perpetuals and the real role processes (indexer,
//! orchestrator, hot wallet, exchange, price signer): party A's quotes are seen by the indexer,
//! locked, hedged on the broker and opened on chain at the broker's price, then closed on both
//! sides. After each, the chain, the broker's order and our DB agree.
//!
//! Each test is its own party A (an account of the dev mnemonic), so tests share no balances;
//! the broker's position is netted across quotes, so each test checks its own quote's broker
//! orders by their client order ids.

mod support;

use alloy::{
    network::EthereumWallet,
    primitives::{Address, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    signers::local::{MnemonicBuilder, PrivateKeySigner, coins_bip39::English},
};
use hedgeflow::dev::deploy::{self, TestToken};
use hedgeflow_activities::{intent::contract::IntentBook, store::Store};
use hedgeflow_exchange::{
    ClientOrderId, Config as BrokerConfig, Credentials, FuturesClient, FuturesOrderKind,
    FuturesOrderRequest, Side,
};
use hedgeflow_proto::{
    intent::{HedgerState, IntentRecord, QuoteStatus, ValidationRequest, from_wad, to_wad},
    queues,
};
use hedgeflow_workflows::{IntentValidatorWorkflow, IntentWorkflow};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use support::{L2_ID, Stack, eventually, rfq_stack, run};
use temporalio_client::{WorkflowGetResultOptions, WorkflowStartOptions};

const WAIT: Duration = Duration::from_secs(90);
const LONG: u8 = 0;
const LIMIT: u8 = 0;
const MARKET: u8 = 1;
/// Gas of party A's calls.
const GAS: u64 = 1_000_000;
/// `[intents]` symbol 1.
const ETHUSDT: u64 = 1;

/// Party A: an account of the dev mnemonic with collateral deposited and allocated in the book.
struct PartyA {
    address: Address,
    book: IntentBook::IntentBookInstance<DynProvider>,
    broker: FuturesClient,
    store: Store,
    stack: &'static Stack,
}

impl PartyA {
    async fn new(index: u32) -> PartyA {
        let stack = rfq_stack().await;
        let key = |index: u32| -> PrivateKeySigner {
            MnemonicBuilder::<English>::default()
                .phrase(hedgeflow::dev::DEV_MNEMONIC)
                .index(index)
                .unwrap()
                .build()
                .unwrap()
        };
        let (signer, deployer) = (key(index), key(9));
        let address = signer.address();
        let mut wallet = EthereumWallet::from(signer);
        wallet.register_signer(deployer.clone());
        let rpc = stack.config.chains["l2"].rpc[1].http.clone();
        let provider = ProviderBuilder::new()
            .wallet(wallet)
            .connect_http(rpc)
            .erased();
        let intents = stack.config.intents.as_ref().unwrap();
        let book = IntentBook::new(intents.book, provider.clone());
        let collateral = TestToken::new(
            deploy::intent_collateral_address(deployer.address()),
            provider.clone(),
        );
        let amount = wad(dec!(100000));
        let mined = |call: alloy::rpc::types::TransactionReceipt| assert!(call.status());
        mined(
            collateral
                .mint(address, amount)
                .from(deployer.address())
                .send()
                .await
                .unwrap()
                .get_receipt()
                .await
                .unwrap(),
        );
        mined(
            collateral
                .approve(intents.book, U256::MAX)
                .from(address)
                .send()
                .await
                .unwrap()
                .get_receipt()
                .await
                .unwrap(),
        );
        mined(
            book.deposit(amount)
                .from(address)
                .send()
                .await
                .unwrap()
                .get_receipt()
                .await
                .unwrap(),
        );
        mined(
            book.allocate(amount)
                .from(address)
                .send()
                .await
                .unwrap()
                .get_receipt()
                .await
                .unwrap(),
        );
        let paper = format!(
            "http://{}",
            stack.config.paper_exchange.as_ref().unwrap().listen
        );
        let broker = FuturesClient::new(BrokerConfig::paper(
            paper.parse().unwrap(),
            Credentials::new(
                hedgeflow_paper_exchange::DEV_API_KEY,
                hedgeflow_paper_exchange::DEV_SECRET_KEY,
            ),
        ))
        .unwrap();
        let store = Store::connect(&stack.config.database.url).await.unwrap();
        PartyA {
            address,
            book,
            broker,
            store,
            stack,
        }
    }

    async fn mark(&self) -> Decimal {
        self.broker.mark_price("ETHUSDT").await.unwrap().mark_price
    }

    /// Sends a LONG quote on ETHUSDT and returns its id.
    async fn send_quote(&self, order_type: u8, price: Decimal, quantity: Decimal) -> u64 {
        let deadline = U256::from(now() + 120);
        let receipt = self
            .book
            .sendQuote(
                vec![],
                U256::from(ETHUSDT),
                LONG,
                order_type,
                wad(price.round_dp(2)),
                wad(quantity),
                wad(dec!(100)),
                wad(dec!(20)),
                wad(dec!(200)),
                wad(dec!(200)),
                U256::ZERO,
                deadline,
            )
            .from(self.address)
            // The book's estimate can fall short by a storage write's refund; leave room.
            .gas(GAS)
            .send()
            .await
            .unwrap()
            .get_receipt()
            .await
            .unwrap();
        assert!(receipt.status());
        let sent = receipt
            .decoded_log::<IntentBook::SendQuote>()
            .expect("a SendQuote event");
        sent.quoteId.try_into().unwrap()
    }

    async fn request_close(&self, quote_id: u64, price: Decimal, quantity: Decimal) {
        let receipt = self
            .book
            .requestToClosePosition(
                U256::from(quote_id),
                wad(price.round_dp(2)),
                wad(quantity),
                MARKET,
                U256::from(now() + 120),
            )
            .from(self.address)
            // The book's estimate can fall short by a storage write's refund; leave room.
            .gas(GAS)
            .send()
            .await
            .unwrap()
            .get_receipt()
            .await
            .unwrap();
        assert!(receipt.status());
    }

    async fn request_cancel(&self, quote_id: u64) {
        let call = self
            .book
            .requestToCancelQuote(U256::from(quote_id))
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
        let id = format!("intent-{L2_ID}-{quote_id}");
        eventually(&format!("{id} {state} in the DB"), WAIT, || async {
            let row = self.store.intent_quote(&id).await.unwrap()?;
            (row.hedger_state == state).then_some(())
        })
        .await
    }

    /// The quote's workflow result.
    async fn result(&self, quote_id: u64) -> IntentRecord {
        let handle = self
            .stack
            .client
            .get_workflow_handle::<IntentWorkflow>(format!("intent-{L2_ID}-{quote_id}"));
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
            .get_workflow_handle::<IntentWorkflow>(format!("intent-{L2_ID}-{quote_id}"));
        support::replay_history(handle, fixture).await;
    }

    /// The broker's order `i-<chainId>-<quoteId>-<step>`: executed quantity and average price.
    async fn broker_order(&self, quote_id: u64, step: &str) -> (Decimal, Decimal) {
        let id = ClientOrderId::new(format!("i-{L2_ID}-{quote_id}-{step}")).unwrap();
        let order = self
            .broker
            .order("ETHUSDT", &id)
            .await
            .unwrap()
            .expect("the broker order");
        (
            order.executed_qty,
            order.average_price().unwrap_or_default(),
        )
    }
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
        party_a.request_close(id, mark * dec!(0.99), quantity).await;
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
            .intent_quote(&format!("intent-{L2_ID}-{id}"))
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
        party_a.request_cancel(id).await;
        party_a.wait_status(id, QuoteStatus::Canceled).await;
        let record = party_a.result(id).await;
        assert_eq!(record.state, HedgerState::Canceled, "{record:?}");
        let (executed, _) = party_a.broker_order(id, "open").await;
        assert_eq!(executed, Decimal::ZERO);
        assert_eq!(record.broker_position, Decimal::ZERO);
        let row = party_a
            .store
            .intent_quote(&format!("intent-{L2_ID}-{id}"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.chain_status.as_deref(), Some("CANCELED"));
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

fn wad(value: Decimal) -> U256 {
    to_wad(value).expect("a representable amount")
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
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
