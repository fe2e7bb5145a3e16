//! Handing settled fills to their market's hedger (`hedge-<market>`), and the `[hedger]`
//! settings each hedger starts with.

use crate::{
    failure::{Retryable, to_activity_error},
    store::{Store, StoreError},
};
use hedgeflow_proto::{
    activities::definitions,
    rfq::fill::FillStatus,
    rfq::hedge::{FilledTrade, HedgerInput, HedgerSettings},
};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::{sync::Arc, time::Duration};
use temporalio_client::Client;
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};
use tracing::{Instrument, info, info_span, warn};

/// `[hedger]`: how every market's hedger nets and hedges. Read when a hedger starts, so a
/// change applies to hedgers started after it.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct HedgerConfig {
    /// Length of an epoch: fills settled within one are netted into one hedge order.
    #[serde(with = "humantime_serde")]
    pub epoch: Duration,
    /// How far beyond the touch the hedge's limit may be, bps.
    pub max_slippage_bps: Decimal,
    /// How often the unhedged-fills sweep (Schedule `rfq-hedge-sweep`) runs.
    #[serde(with = "humantime_serde")]
    pub sweep_every: Duration,
    /// A fill still unhedged this long after it settled is handed to its hedger again.
    #[serde(with = "humantime_serde")]
    pub sweep_after: Duration,
}

impl Default for HedgerConfig {
    fn default() -> Self {
        HedgerConfig {
            epoch: Duration::from_secs(10),
            max_slippage_bps: Decimal::from(50),
            sweep_every: Duration::from_secs(60),
            sweep_after: Duration::from_secs(120),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HedgerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("temporal: {0}")]
    Temporal(String),
    #[error("fill of quote {0} names no exchange symbol to hedge on")]
    NoSymbol(String),
}

impl Retryable for HedgerError {
    fn is_retryable(&self) -> bool {
        match self {
            Self::Store(e) => e.is_retryable(),
            Self::Temporal(_) => true,
            Self::NoSymbol(_) => false,
        }
    }
}

/// The orchestrator's hand-off: a Temporal client to signal hedgers, the store to skip fills
/// already hedged.
pub struct HedgeHandoff {
    client: Client,
    store: Store,
    config: HedgerConfig,
}

impl HedgeHandoff {
    pub fn new(client: Client, store: Store, config: HedgerConfig) -> Self {
        HedgeHandoff {
            client,
            store,
            config,
        }
    }

    async fn hand_off(&self, trade: FilledTrade) -> Result<(), HedgerError> {
        if trade.symbol.is_empty() {
            return Err(HedgerError::NoSymbol(trade.quote_id));
        }
        // A retry of a hand-off the hedger took long ago must not count the fill again.
        let row = self.store.rfq_quote(&trade.quote_id).await?;
        if row.is_some_and(|row| row.status == FillStatus::Hedged.as_str()) {
            info!("already hedged; not handed again");
            return Ok(());
        }
        let input = HedgerInput::new(HedgerSettings {
            market: trade.market.clone(),
            symbol: trade.symbol.clone(),
            epoch_ms: self.config.epoch.as_millis().max(1) as u64,
            max_slippage_bps: self.config.max_slippage_bps,
        });
        super::starters::hand_to_hedger(&self.client, input, trade)
            .await
            .map_err(HedgerError::Temporal)?;
        Ok(())
    }
}

#[activities]
impl HedgeHandoff {
    /// See [`definitions::SweepUnhedgedFills`].
    #[activity(definition = definitions::SweepUnhedgedFills)]
    pub async fn sweep_unhedged_fills(
        self: Arc<Self>,
        _ctx: ActivityContext,
    ) -> Result<u32, ActivityError> {
        let sweeping = async {
            let after = chrono::TimeDelta::from_std(self.config.sweep_after)
                .unwrap_or(chrono::TimeDelta::MAX);
            let settled_before = chrono::Utc::now() - after;
            let fills = self.store.unhedged_fills(settled_before).await?;
            for trade in &fills {
                warn!(quote_id = %trade.quote_id, market = %trade.market, "fill still unhedged; handing it to its hedger again");
                self.hand_off(trade.clone()).await?;
            }
            Ok::<_, HedgerError>(fills.len() as u32)
        };
        sweeping
            .instrument(info_span!("sweep_unhedged_fills"))
            .await
            .map_err(to_activity_error)
    }

    /// See [`definitions::HedgeFill`]: signal-with-start; the hedger ignores a fill it holds.
    #[activity(definition = definitions::HedgeFill)]
    pub async fn hedge_fill(
        self: Arc<Self>,
        _ctx: ActivityContext,
        trade: FilledTrade,
    ) -> Result<(), ActivityError> {
        let span = info_span!("hedge_fill", quote_id = %trade.quote_id, market = %trade.market);
        self.hand_off(trade)
            .instrument(span)
            .await
            .map_err(to_activity_error)
    }
}
