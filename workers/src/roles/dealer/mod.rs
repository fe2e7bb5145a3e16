//! The RFQ dealer: the public Dealer JSON-RPC front door (and its admin endpoint) over the quote
//! service, which prices from the order book manager's books, has the hot wallet sign, and keeps
//! every signed quote and fill request in the database (`StoredQuotes`), as it does the taker
//! profiles the admin methods change (`StoredProfiles`). An accepted fill starts (or joins)
//! its `fill-<quoteId>` workflow (`TemporalFills`); all three live in `hedgeflow_activities`. The maker's inventory skew leans against
//! the hedgers' unhedged nets, read every second.
//!
//! Holds no key: orders are signed by the hot wallet over gRPC. Its database credentials need
//! read and write on `rfq_quotes` and `dealer_profiles` only (in production, a user restricted
//! to those tables); the admin token is read from the file or variable
//! `[dealer.front-door].admin-token` names.

use crate::config::Config;
use anyhow::Context;
use hedgeflow_activities::{
    rfq::TemporalFills,
    store::{
        Store,
        dealer::{StoredProfiles, StoredQuotes},
    },
};
use hedgeflow_dealer::{rpc::FrontDoor, service::QuoteService};
use std::sync::Arc;
use std::time::Duration;
use tracing::info;

pub const ROLE: &str = "dealer";

/// How often the hedgers' unhedged nets are read into the maker's positions.
const POSITIONS_REFRESH: Duration = Duration::from_secs(1);

/// How often a dealer started before the orchestrator checks whether the schema is migrated.
const SCHEMA_POLL: Duration = Duration::from_secs(1);

pub async fn run(config: Config) -> anyhow::Result<()> {
    let section = config
        .dealer
        .as_ref()
        .context("the dealer role needs a [dealer] section in the config")?;
    let dealer = config.dealer_config()?;
    let mut settings = dealer.settings()?;
    settings.hot_wallet.token = config.quote_signer_token()?;
    let store = Store::connect_when_migrated(&config.database.url, SCHEMA_POLL)
        .await
        .context("connecting to the database")?;
    let client = crate::temporal::connect(&config.temporal, ROLE).await?;
    let service = Arc::new(QuoteService::start(
        settings,
        Arc::new(StoredQuotes::new(store.clone())),
        Arc::new(TemporalFills::new(client.clone())),
    )?);
    // The skew leans against what the hedgers have not hedged yet.
    let markets = dealer
        .markets
        .iter()
        .map(|m| (m.id.clone(), m.base.clone()))
        .collect();
    let positions = tokio::spawn(crate::hedgers::follow_positions(
        client,
        markets,
        POSITIONS_REFRESH,
        {
            let service = service.clone();
            move |positions| service.set_positions(positions)
        },
    ));
    let profiles = Arc::new(StoredProfiles::new(store));
    let front_door = FrontDoor::start_with_profiles(&section.front_door, service, profiles)
        .await
        .context("starting the front door")?;
    info!(
        listen = %section.front_door.listen,
        admin = %section.front_door.admin_listen,
        "dealer front door open"
    );
    let stopped = super::shutdown_requested(ROLE).await;
    positions.abort();
    front_door.stop().await;
    stopped
}
