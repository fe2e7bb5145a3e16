//! The chaos run: all three pipelines driven at once on the real stack while faults strike at
//! random moments, then judged from the chains and the exchange alone, and against our DB.
//!
//! - [`traffic`]: the escrow users, the RFQ takers and party A;
//! - [`faults`]: what is broken, and how;
//! - [`invariants`]: what must hold afterwards.
//!
//! A run is on the chaos stack (`support::chaos_stack`: production's persistence, Temporal's
//! history on disk so the server can be killed, our data in PostgreSQL). The small run is
//! `chaos/tests.rs`, part of `scripts/test`; the long one is `benches/chaos.rs`, which
//! writes `bench/chaos/REPORT.md`.

pub mod faults;
pub mod invariants;
pub mod traffic;

#[cfg(test)]
mod tests;

use crate::support::{L1_ID, L2_ID, Stack, party_a::Party, taker::Taker};
use alloy::providers::Provider;
use faults::Fault;
use hedgeflow_activities::{chain::Chains, store::Store};
use hedgeflow_proto::workflows::{
    EscrowOrderWorkflow, FillWorkflow, IntentWorkflow, TransferWorkflow,
};
use rand::{Rng, SeedableRng, rngs::StdRng};
use std::{
    collections::BTreeMap,
    fmt::Display,
    sync::{Arc, Mutex},
    time::Duration,
};
use temporalio_client::WorkflowListOptions;
use tokio::time::Instant;

/// How a run is shaped.
pub struct Plan {
    /// How long traffic is sent and faults injected.
    pub duration: Duration,
    /// A fault every so often: a random pause within this range before each.
    pub fault_every: (Duration, Duration),
    /// Escrow orders placed together, and how often.
    pub escrow_batch: u32,
    pub escrow_every: Duration,
    /// RFQ takers, each filling one quote every `fill_every`.
    pub takers: u32,
    pub fill_every: Duration,
    /// Party A accounts, each running one intent lifecycle after another.
    pub parties: u32,
    /// How long, after the traffic, everything has to finish.
    pub quiet: Duration,
    pub seed: u64,
}

/// What the drivers did.
#[derive(Default)]
pub struct Ledger {
    pub escrow_orders: u32,
    /// Every quote a taker got (its fill may have started whatever the answer).
    pub quotes: Vec<String>,
    pub fills_submitted: u32,
    pub intent_lifecycles: u32,
    /// Driver-side failures by what failed: traffic refused while a role was down.
    pub driver_errors: BTreeMap<String, u32>,
}

impl Ledger {
    fn driver_error(&mut self, what: &str, error: &dyn Display) {
        tracing::debug!(what, %error, "chaos driver");
        *self.driver_errors.entry(what.to_owned()).or_default() += 1;
    }
}

pub struct Report {
    pub plan_seconds: u64,
    pub seed: u64,
    pub wall: Duration,
    pub ledger: Ledger,
    pub faults: BTreeMap<String, u32>,
    /// Faults that could not be injected, with why (a bug of the runner, not of the stack).
    pub fault_errors: Vec<String>,
    /// Workflows still running, and settled fills still unhedged, once the quiet period ended.
    pub stuck: Vec<String>,
    pub verdict: invariants::Verdict,
}

impl Report {
    pub fn lifecycles(&self) -> u32 {
        self.ledger.escrow_orders + self.ledger.fills_submitted + self.ledger.intent_lifecycles
    }

    pub fn faults_injected(&self) -> u32 {
        self.faults.values().sum()
    }

    pub fn violations(&self) -> Vec<String> {
        let stuck = self
            .stuck
            .iter()
            .map(|id| format!("stuck: {id} still running"));
        self.verdict
            .violations
            .iter()
            .cloned()
            .chain(stuck)
            .collect()
    }

    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let mut line = |text: String| {
            out.push_str(&text);
            out.push('\n');
        };
        line("# Chaos run".into());
        line(String::new());
        line(format!(
            "{} s of traffic and faults (seed {}), {:.0} s in all with the quiet period and the \
             checks, on the test stack: real Temporal dev server (history on disk), our data in \
             PostgreSQL (the hedger API reading as the read-only user), two anvil chains with 1 s \
             blocks, every role a child process.",
            self.plan_seconds,
            self.seed,
            self.wall.as_secs_f64()
        ));
        line(String::new());
        line(format!(
            "**{} lifecycles, {} faults, {} violations.**",
            self.lifecycles(),
            self.faults_injected(),
            self.violations().len()
        ));
        line(String::new());
        line("| Lifecycles | Count |".into());
        line("|---|---:|".into());
        line(format!(
            "| escrow orders placed | {} |",
            self.ledger.escrow_orders
        ));
        line(format!(
            "| RFQ fills submitted | {} (of {} quotes) |",
            self.ledger.fills_submitted,
            self.ledger.quotes.len()
        ));
        line(format!(
            "| intent quotes (MARKET, crossing LIMIT, resting LIMIT cancelled) | {} |",
            self.ledger.intent_lifecycles
        ));
        line(String::new());
        line("| Fault | Injected |".into());
        line("|---|---:|".into());
        for (kind, count) in &self.faults {
            line(format!("| {kind} | {count} |"));
        }
        line(String::new());
        line("| Invariant (chains and exchange first, then our DB) | Checked |".into());
        line("|---|---:|".into());
        for (name, count) in &self.verdict.checked {
            line(format!("| {name} | {count} |"));
        }
        line(format!(
            "| nothing stuck: every order, fill and quote workflow closed, every settled fill hedged | {} open |",
            self.stuck.len()
        ));
        line(String::new());
        line(
            "Driver-side refusals (traffic sent while a role was down; retried, not violations):"
                .into(),
        );
        line(String::new());
        for (what, count) in &self.ledger.driver_errors {
            line(format!("- {what}: {count}"));
        }
        if !self.fault_errors.is_empty() {
            line(String::new());
            line("Faults the runner failed to inject:".into());
            for error in &self.fault_errors {
                line(format!("- {error}"));
            }
        }
        line(String::new());
        line("## Violations".into());
        line(String::new());
        let violations = self.violations();
        if violations.is_empty() {
            line("None.".into());
        }
        for violation in violations {
            line(format!("- {violation}"));
        }
        out
    }
}

pub async fn run(stack: &'static Stack, plan: &Plan) -> Report {
    let started = Instant::now();
    let from_blocks = [
        stack.provider(L1_ID).get_block_number().await.unwrap(),
        stack.provider(L2_ID).get_block_number().await.unwrap(),
    ];
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    // Funded before the clock starts: setting up is not traffic.
    let mut takers = Vec::new();
    for index in 1..=plan.takers {
        takers.push(Taker::new(stack, index, (0, 10_000_000 * 1_000_000), u128::MAX).await);
    }
    let mut parties = Vec::new();
    for index in 0..plan.parties {
        parties.push(Party::funded(stack, 10 + index).await);
    }
    let chains = Chains::connect(&stack.direct_config().chains)
        .await
        .expect("the chains");
    let l2 = chains.by_name("l2").expect("l2").clone();
    let until = Instant::now() + plan.duration;
    let mut drivers = tokio::task::JoinSet::new();
    drivers.spawn(traffic::escrow(
        stack,
        until,
        plan.escrow_every,
        plan.escrow_batch,
        ledger.clone(),
    ));
    for taker in takers {
        drivers.spawn(traffic::rfq(taker, until, plan.fill_every, ledger.clone()));
    }
    for party in parties {
        let broker = stack.paper_futures(
            hedgeflow_paper_exchange::DEV_API_KEY,
            hedgeflow_paper_exchange::DEV_SECRET_KEY,
        );
        let chain = l2.clone();
        drivers.spawn(traffic::intents(
            party,
            chain,
            broker,
            until,
            ledger.clone(),
        ));
    }

    let mut rng = StdRng::seed_from_u64(plan.seed);
    let mut faults = BTreeMap::new();
    let mut fault_errors = Vec::new();
    loop {
        let pause = rng.random_range(plan.fault_every.0..=plan.fault_every.1);
        if Instant::now() + pause >= until {
            break;
        }
        tokio::time::sleep(pause).await;
        let fault = Fault::pick(&mut rng);
        tracing::info!(?fault, "chaos: injecting");
        match fault.inject(stack).await {
            Ok(()) => *faults.entry(fault.kind()).or_default() += 1,
            Err(error) => fault_errors.push(format!("{}: {error:#}", fault.kind())),
        }
    }
    while let Some(done) = drivers.join_next().await {
        if let Err(error) = done {
            fault_errors.push(format!("a traffic driver failed: {error}"));
        }
    }

    let stuck = quiesce(stack, plan.quiet).await;
    let quotes = ledger.lock().unwrap().quotes.clone();
    let verdict = invariants::check(stack, &l2, &quotes, from_blocks)
        .await
        .expect("reading the chains, the exchange and the DB");
    let ledger = std::mem::take(&mut *ledger.lock().unwrap());
    Report {
        plan_seconds: plan.duration.as_secs(),
        seed: plan.seed,
        wall: started.elapsed(),
        ledger,
        faults,
        fault_errors,
        stuck,
        verdict,
    }
}

/// The workflow types of one lifecycle each: every one of them must close by the end.
const LIFECYCLES: [&str; 4] = [
    EscrowOrderWorkflow::name(),
    FillWorkflow::name(),
    IntentWorkflow::name(),
    TransferWorkflow::name(),
];

/// Waits up to `quiet` for every order, fill and quote workflow to close and every settled fill
/// to be hedged (its epoch ends, or the sweep hands it to a hedger again); returns what is still
/// open then. Pending intent quotes expire on chain meanwhile (their TTL is shorter).
async fn quiesce(stack: &Stack, quiet: Duration) -> Vec<String> {
    let deadline = Instant::now() + quiet;
    let store = Store::connect_read_only(stack.config.database.read_url())
        .await
        .expect("the database");
    loop {
        let mut running = running_lifecycles(stack).await;
        let unhedged = store
            .unhedged_fills(chrono::Utc::now())
            .await
            .unwrap_or_default();
        running.extend(
            unhedged
                .iter()
                .map(|fill| format!("fill {} unhedged", fill.quote_id)),
        );
        if running.is_empty() || Instant::now() >= deadline {
            return running;
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}

/// The running workflows of [`LIFECYCLES`], as `type id`.
async fn running_lifecycles(stack: &Stack) -> Vec<String> {
    use futures::StreamExt;
    let query = "ExecutionStatus = 'Running'";
    let mut list = stack
        .client
        .list_workflows(query, WorkflowListOptions::default());
    let mut running = Vec::new();
    while let Some(workflow) = list.next().await {
        match workflow {
            Ok(workflow) if LIFECYCLES.contains(&workflow.workflow_type()) => {
                running.push(format!("{} {}", workflow.workflow_type(), workflow.id()));
            }
            Ok(_) => {}
            // The server may be restarting from the last fault: ask again.
            Err(_) => return vec!["(the workflow list did not answer)".into()],
        }
    }
    running
}
