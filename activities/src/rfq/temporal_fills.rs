//! [`TemporalFills`]: the dealer's [`FillSettlement`], the fill workflow's update-with-start
//! ([`starters::submit_fill`]).

use super::starters;
use hedgeflow_dealer::service::{FillSettlement, SettleError};
use hedgeflow_proto::rfq::fill::{FillAnswer, FillOrder};
use temporalio_client::Client;
use tracing::Instrument;

pub struct TemporalFills {
    client: Client,
}

impl TemporalFills {
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

#[async_trait::async_trait]
impl FillSettlement for TemporalFills {
    async fn settle(&self, fill: FillOrder) -> Result<FillAnswer, SettleError> {
        let workflow_id = fill.workflow_id();
        let span = tracing::info_span!("settle_fill", quote_id = %fill.quote_id, %workflow_id);
        starters::submit_fill(&self.client, fill)
            .instrument(span)
            .await
            .map_err(SettleError)
    }
}
