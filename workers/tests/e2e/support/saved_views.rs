//! The saved views the README gives ops (between its `saved-views` markers), run against a live
//! server: each query is one the server accepts, and the orders view shows no housekeeping.

use futures::StreamExt;
use temporalio_client::{Client, WorkflowListOptions};

/// The workflows the housekeeping Schedules start.
const HOUSEKEEPING: [&str; 4] = [
    "EscrowScanWorkflow",
    "IntentValidatorWorkflow",
    "IntentBalanceWorkflow",
    "HedgeSweepWorkflow",
];

/// `(view, query)` for each row of the README's saved views. The stuck-orders view asks ops to
/// type a time where it says `<an hour ago>`; the test types now minus one hour.
pub fn from_readme() -> Vec<(String, String)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");
    let readme = std::fs::read_to_string(path).expect("README.md");
    let an_hour_ago = (chrono::Utc::now() - chrono::Duration::hours(1))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let views: Vec<(String, String)> = readme
        .lines()
        .skip_while(|line| !line.starts_with("<!-- saved-views"))
        .take_while(|line| !line.starts_with("<!-- /saved-views"))
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let [_, view, query, _] = cells[..] else {
                return None;
            };
            let query = query.strip_prefix('`')?.strip_suffix('`')?;
            Some((
                view.to_owned(),
                query.replace("<an hour ago>", &an_hour_ago),
            ))
        })
        .collect();
    assert!(views.len() >= 5, "README's saved views: {views:?}");
    views
}

/// The type of every workflow `query` lists; an error if the server refuses the query.
async fn list(client: &Client, query: &str) -> Result<Vec<String>, String> {
    let mut listed = client.list_workflows(query, WorkflowListOptions::default());
    let mut types = Vec::new();
    while let Some(workflow) = listed.next().await {
        types.push(
            workflow
                .map_err(|e| e.to_string())?
                .workflow_type()
                .to_owned(),
        );
    }
    Ok(types)
}

/// Runs every view; the orders view lists orders and no housekeeping run, while the server
/// holds some (so the view is what keeps them out).
pub async fn check(client: &Client) {
    for (view, query) in from_readme() {
        let types = list(client, &query)
            .await
            .unwrap_or_else(|error| panic!("the view {view:?} ({query}) is refused: {error}"));
        if view.starts_with("Orders") {
            assert!(!types.is_empty(), "{view}: no orders listed");
            let housekeeping: Vec<_> = types
                .iter()
                .filter(|t| HOUSEKEEPING.contains(&t.as_str()))
                .collect();
            assert!(housekeeping.is_empty(), "{view} lists {housekeeping:?}");
        }
    }
    let all = list(client, "").await.expect("the whole list");
    assert!(
        all.iter().any(|t| HOUSEKEEPING.contains(&t.as_str())),
        "no schedule run to keep out of the views: {all:?}"
    );
}
