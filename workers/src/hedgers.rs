//! What the hedgers have not hedged yet, read from each market's `hedge-<market>` workflow (its
//! `unhedged` query): the maker leans its prices against it, and `hedgeflow inventory` shows it.

use hedgeflow_proto::workflows::HedgeWorkflow;
use hedgeflow_proto::{ids, rfq::hedge::Unhedged};
use rust_decimal::Decimal;
use std::{collections::HashMap, time::Duration};
use temporalio_client::{Client, WorkflowQueryOptions, errors::WorkflowQueryError};

/// The unhedged net of `market`'s hedger; zero when it has never run.
pub async fn unhedged(client: &Client, market: &str) -> anyhow::Result<Unhedged> {
    let handle = client.get_workflow_handle::<HedgeWorkflow>(ids::hedge_workflow(market));
    match handle
        .query(HedgeWorkflow::unhedged, (), WorkflowQueryOptions::default())
        .await
    {
        Ok(unhedged) => Ok(unhedged),
        Err(WorkflowQueryError::NotFound(_)) => Ok(Unhedged::default()),
        Err(error) => Err(anyhow::anyhow!("querying {market}'s hedger: {error}")),
    }
}

/// The positions the unhedged nets amount to, by base asset: a net to buy is a short position
/// (we delivered base the hedge has not bought back yet). `markets` is (market, base asset).
/// A hedger that cannot be asked is left out, and logged.
pub async fn positions(client: &Client, markets: &[(String, String)]) -> HashMap<String, Decimal> {
    let mut positions: HashMap<String, Decimal> = HashMap::new();
    for (market, base) in markets {
        match unhedged(client, market).await {
            Ok(unhedged) => *positions.entry(base.clone()).or_default() -= unhedged.net,
            Err(error) => tracing::warn!(%market, %error, "unhedged net not read"),
        }
    }
    positions
}

/// Calls `apply` with fresh [`positions`] every `every`, forever.
pub async fn follow_positions(
    client: Client,
    markets: Vec<(String, String)>,
    every: Duration,
    apply: impl Fn(HashMap<String, Decimal>),
) {
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        apply(positions(&client, &markets).await);
    }
}
