//! Operator commands. Each validates its input before touching anything, so a bad command
//! changes nothing and says why.

pub mod demo;
pub mod inventory;
pub mod orders;
pub mod quotes;
pub mod wallet;

use crate::config::Config;
use anyhow::Context;
use hedgeflow_activities::store::Store;

/// The database for reading: the replica when `database.read-url` names one.
async fn reader(config: &Config) -> anyhow::Result<Store> {
    Store::connect_read_only(config.database.read_url())
        .await
        .context("database (read)")
}

/// A row's `status_history`, one line per status, oldest first.
fn print_history(history: &serde_json::Value) {
    println!("  history");
    for entry in history.as_array().into_iter().flatten() {
        let field = |k: &str| entry.get(k).and_then(|v| v.as_str()).unwrap_or_default();
        let detail = entry.get("detail").and_then(|v| v.as_str());
        println!(
            "    {}  {:<16} {}",
            field("at"),
            field("status"),
            detail.unwrap_or_default()
        );
    }
}
