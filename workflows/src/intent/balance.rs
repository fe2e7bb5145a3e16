//! `IntentBalanceWorkflow`: the balance manager, run by the Temporal Schedule
//! `intent-balance-<chainId>`. It reads party B's collateral (the book's free balance, each
//! party-A allocation's health, the broker account's available balance), plans the moves that
//! keep every allocation above the configured health ([`super::balance_plan`]) and makes them
//! one by one. Each move is its own step with its own keys: the hot wallet journals each
//! transaction under `bal-<chainId>-<unixSeconds>-<n>/<step>` and the broker's withdrawal
//! carries `bal-<chainId>-<unixSeconds>-<n>` as its `withdrawOrderId`, so a retried step never
//! moves collateral twice. A move that fails is
//! reported with its reason and the run goes on with the next; the next run plans from what the
//! chain and the broker then hold.

use super::balance_plan;
use crate::{
    options::{self, Retries},
    steps::{self, STEP_ATTEMPTS, now_ms, step},
};
use hedgeflow_proto::{
    activities::{ExchangeActivities, IntentActivities},
    balance::{
        BalanceMove, BalanceReport, BalanceRequest, BalanceSheet, BrokerAsset, BrokerDeposit,
        BrokerWithdrawal, MoveOutcome,
    },
    ids,
    intent::calldata,
    search,
};
use rust_decimal::Decimal;
use std::time::Duration;
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{WorkflowContext, WorkflowResult};

/// How long a broker withdrawal or deposit may take to complete before the attempt is retried.
const BROKER_WALLET_WAIT: Duration = Duration::from_secs(10 * 60);

/// Moves record the broker's transfer mark before their wallet transfer (histories from before
/// it have no such step and match transfers by amount alone).
const TRANSFER_MARK_PATCH: &str = "broker-transfer-mark";

#[workflow]
#[derive(Default)]
pub struct IntentBalanceWorkflow;

#[workflow_methods]
impl IntentBalanceWorkflow {
    #[run]
    pub async fn run(
        ctx: &mut WorkflowContext<Self>,
        request: BalanceRequest,
    ) -> WorkflowResult<BalanceReport> {
        ctx.upsert_search_attributes([
            search::PIPELINE.value_set("intent-balance".into()),
            search::CHAIN_ID.value_set(request.chain_id as i64),
        ]);
        let sheet = ctx
            .execute_activity(
                IntentActivities::read_balance_sheet,
                request.clone(),
                options::quick(Retries::Attempts(STEP_ATTEMPTS)),
            )
            .await?;
        let broker = if sheet.policy.broker_moves {
            Some(
                ctx.execute_activity(
                    ExchangeActivities::read_broker_funds,
                    sheet.policy.broker_asset.asset.clone(),
                    options::exchange(Retries::Attempts(STEP_ATTEMPTS)),
                )
                .await?,
            )
        } else {
            None
        };
        let planned = balance_plan::plan(&sheet, broker.as_ref().map(|b| b.available));
        // The run's start in seconds names its moves: short enough for a `withdrawOrderId`, and
        // the Schedule never starts two runs of one book in the same second.
        let run = format!("bal-{}-{}", request.chain_id, now_ms(ctx) / 1000);
        let mut moves = Vec::with_capacity(planned.len());
        for (n, kind) in planned.into_iter().enumerate() {
            let mut mover = Mover {
                ctx,
                sheet: &sheet,
                outcome: MoveOutcome {
                    id: format!("{run}-{n}"),
                    kind,
                    transactions: Vec::new(),
                    error: None,
                },
            };
            if let Err(reason) = mover.make().await? {
                mover.outcome.error = Some(reason);
            }
            moves.push(mover.outcome);
        }
        let failed = moves.iter().filter(|m| m.error.is_some()).count();
        ctx.upsert_search_attributes([
            search::STAGE.value_set(format!("{} moves, {failed} failed", moves.len()))
        ]);
        Ok(BalanceReport {
            sheet,
            broker,
            moves,
        })
    }
}

/// The contract a move's transaction calls.
enum To {
    Book,
    Collateral,
}

/// One move being made.
struct Mover<'a> {
    ctx: &'a WorkflowContext<IntentBalanceWorkflow>,
    sheet: &'a BalanceSheet,
    outcome: MoveOutcome,
}

impl Mover<'_> {
    /// Runs the move's steps in order; `Err` with the reason of the step that stopped it.
    async fn make(&mut self) -> WorkflowResult<Result<(), String>> {
        let sheet = self.sheet;
        let asset = sheet.policy.broker_asset.clone();
        Ok(match self.outcome.kind.clone() {
            BalanceMove::Release { party_a, amount } => {
                self.send("release", To::Book, calldata::deallocate(amount, party_a))
                    .await?
            }
            BalanceMove::TopUp { party_a, amount } => {
                self.send("top-up", To::Book, calldata::allocate(amount, party_a))
                    .await?
            }
            BalanceMove::BrokerToChain { amount } => {
                let transfer_mark = match self.transfer_mark().await {
                    Ok(mark) => mark,
                    Err(reason) => return Ok(Err(reason)),
                };
                let withdrawal = BrokerWithdrawal {
                    id: self.outcome.id.clone(),
                    asset: asset.asset,
                    network: asset.network,
                    amount,
                    address: sheet.party_b,
                    transfer_mark,
                };
                let withdrawn = step(self.ctx.execute_activity(
                    ExchangeActivities::withdraw_from_broker,
                    withdrawal,
                    options::broker(BROKER_WALLET_WAIT),
                ))
                .await;
                match withdrawn {
                    Ok(tx) => {
                        self.outcome
                            .transactions
                            .push(("broker-withdrawal".into(), tx));
                        self.deposit_into_book(amount).await?
                    }
                    Err(reason) => Err(reason),
                }
            }
            BalanceMove::ChainToBroker { amount } => self.send_to_broker(asset, amount).await?,
            BalanceMove::Deposit { amount } => self.deposit_into_book(amount).await?,
        })
    }

    /// Collateral in the hot wallet (withdrawn from the broker, or left by a move that stopped)
    /// into the book's free balance.
    async fn deposit_into_book(&mut self, amount: Decimal) -> WorkflowResult<Result<(), String>> {
        let sheet = self.sheet;
        if let Err(reason) = self
            .send("approve", To::Collateral, sheet.approve_book(amount))
            .await?
        {
            return Ok(Err(reason));
        }
        self.send("deposit", To::Book, calldata::deposit(amount))
            .await
    }

    /// Out of the book, to the broker's deposit address, credited and moved to futures.
    async fn send_to_broker(
        &mut self,
        asset: BrokerAsset,
        amount: Decimal,
    ) -> WorkflowResult<Result<(), String>> {
        let sheet = self.sheet;
        if let Err(reason) = self
            .send("withdraw", To::Book, calldata::withdraw(amount))
            .await?
        {
            return Ok(Err(reason));
        }
        let address = match step(self.ctx.execute_activity(
            ExchangeActivities::broker_deposit_address,
            asset.clone(),
            options::exchange(Retries::Attempts(STEP_ATTEMPTS)),
        ))
        .await
        {
            Ok(address) => address,
            Err(reason) => return Ok(Err(reason)),
        };
        if let Err(reason) = self
            .send(
                "to-broker",
                To::Collateral,
                sheet.transfer_collateral(address, amount),
            )
            .await?
        {
            return Ok(Err(reason));
        }
        let Some((_, tx_hash)) = self.outcome.transactions.last().cloned() else {
            return Ok(Err("the transfer to the broker was not recorded".into()));
        };
        let transfer_mark = match self.transfer_mark().await {
            Ok(mark) => mark,
            Err(reason) => return Ok(Err(reason)),
        };
        let deposit = BrokerDeposit {
            id: self.outcome.id.clone(),
            asset: asset.asset,
            amount,
            tx_hash,
            transfer_mark,
        };
        Ok(step(self.ctx.execute_activity(
            ExchangeActivities::credit_broker_deposit,
            deposit,
            options::broker(BROKER_WALLET_WAIT),
        ))
        .await)
    }

    /// The broker's newest wallet transfer before this move's, recorded in the history so that
    /// every attempt of the move's transfer looks only after it. 0 when replaying a move made
    /// before marks were recorded.
    async fn transfer_mark(&self) -> Result<u64, String> {
        if !self.ctx.patched(TRANSFER_MARK_PATCH) {
            return Ok(0);
        }
        step(self.ctx.execute_activity(
            ExchangeActivities::broker_transfer_mark,
            (),
            options::exchange(Retries::Attempts(STEP_ATTEMPTS)),
        ))
        .await
    }

    /// Sends one transaction of the move from the hot wallet, journaled under the move's key and
    /// `step_name`. `Err` with the reason when it cannot be written, the chain refuses it
    /// (nothing was sent then) or it reverted on chain.
    async fn send(
        &mut self,
        step_name: &str,
        to: To,
        data: Option<Vec<u8>>,
    ) -> WorkflowResult<Result<(), String>> {
        let Some(data) = data else {
            return Ok(Err(format!(
                "{:?} cannot be written on chain",
                self.outcome.kind
            )));
        };
        let key = ids::tx_intent_key(&self.outcome.id, step_name);
        let to = match to {
            To::Book => self.sheet.book,
            To::Collateral => self.sheet.collateral,
        };
        let tx = self.sheet.tx(key, to, data);
        let sent = steps::submit(self.ctx, &tx, Retries::Attempts(STEP_ATTEMPTS))
            .await
            .map_err(String::from);
        Ok(sent.map(|sent| {
            self.outcome
                .transactions
                .push((step_name.to_owned(), sent.tx_hash));
        }))
    }
}
