//! `check_rfq_fill`: the hot wallet's look at the chain just before a fill is sent, so a fill
//! that cannot settle is refused with the spec's code and nothing is sent (the seed's step 8).

use super::contract::{RfqSettlement, order_status};
use super::quote_signer::IERC20Funds;
use crate::{
    chain::{ChainClient, ChainError},
    failure::to_activity_error,
};
use alloy::{
    eips::{BlockId, BlockNumberOrTag},
    primitives::{Address, U256},
    providers::Provider,
    rpc::types::TransactionRequest,
    transports::RpcError,
};
use hedgeflow_proto::{
    activities::definitions,
    rfq::fill::{FillCheck, FillOrder, FillRefusal},
};
use std::{sync::Arc, time::Duration};
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};
use tracing::{Instrument, info, info_span};

/// Checks fills on the settlement chain for the hot wallet, which sends them.
pub struct FillChecker {
    chain: ChainClient,
    hot_wallet: Address,
    /// The least time an order must have left, against the latest block's time, for its
    /// settlement to be mined before it expires.
    margin: Duration,
}

impl FillChecker {
    pub fn new(chain: ChainClient, hot_wallet: Address, margin: Duration) -> Self {
        Self {
            chain,
            hot_wallet,
            margin,
        }
    }

    async fn check(&self, fill: &FillOrder) -> Result<FillCheck, ChainError> {
        if fill.chain_id != self.chain.config.chain_id {
            return Err(ChainError::UnknownChain(fill.chain_id));
        }
        let view = self.read(fill).await?;
        if let Some((refusal, reason)) = self.refusal(fill, &view) {
            return Ok(FillCheck::Refused { refusal, reason });
        }
        self.simulate(fill, view.at).await
    }

    /// What the fill depends on, all read at the latest block.
    async fn read(&self, fill: &FillOrder) -> Result<FillView, ChainError> {
        let provider = &self.chain.provider;
        let block = provider
            .get_block_by_number(BlockNumberOrTag::Latest)
            .await
            .map_err(ChainError::rpc)?
            .ok_or_else(|| ChainError::rpc("no latest block"))?;
        let at = block.header.number.into();
        let order = &fill.order;
        let settlement = RfqSettlement::new(fill.settlement, provider);
        let taker_token = IERC20Funds::new(order.takerToken, provider);
        let maker_token = IERC20Funds::new(order.makerToken, provider);
        let status = settlement.orderStatus(fill.order_hash).block(at);
        let balance = taker_token.balanceOf(order.taker).block(at);
        let allowance = taker_token
            .allowance(order.taker, fill.settlement)
            .block(at);
        let maker_balance = maker_token.balanceOf(order.maker).block(at);
        let (status, balance, allowance, maker_balance) = tokio::try_join!(
            status.call(),
            balance.call(),
            allowance.call(),
            maker_balance.call()
        )
        .map_err(ChainError::rpc)?;
        Ok(FillView {
            at,
            chain_time: block.header.timestamp,
            status,
            balance,
            allowance,
            maker_balance,
        })
    }

    /// Why the fill cannot settle, from what was read: the order is done, expires too soon, or
    /// the taker or the maker cannot pay.
    fn refusal(&self, fill: &FillOrder, view: &FillView) -> Option<(FillRefusal, String)> {
        let order = &fill.order;
        let FillView {
            chain_time,
            balance,
            allowance,
            maker_balance,
            ..
        } = *view;
        match view.status {
            order_status::FILLED => {
                return Some((FillRefusal::AlreadyFilled, "the order is filled".into()));
            }
            order_status::CANCELLED => {
                return Some((FillRefusal::AlreadyFilled, "the order was cancelled".into()));
            }
            _ => {}
        }
        if order.expiry < chain_time.saturating_add(self.margin.as_secs()) {
            let reason = format!(
                "the order expires at {} and could not be mined before (chain time {chain_time}, margin {}s)",
                order.expiry,
                self.margin.as_secs()
            );
            return Some((FillRefusal::ValidationFailed, reason));
        }
        let takes = U256::from(order.takerAmount);
        if balance < takes {
            let reason = format!(
                "the taker holds {balance} of {}, the order takes {takes}",
                order.takerToken
            );
            return Some((FillRefusal::InsufficientBalance, reason));
        }
        if allowance < takes {
            let reason = format!(
                "the taker approved {allowance} of {} to the settlement, the order takes {takes}",
                order.takerToken
            );
            return Some((FillRefusal::InsufficientAllowance, reason));
        }
        if maker_balance < U256::from(order.makerAmount) {
            return Some((
                FillRefusal::ValidationFailed,
                "the maker cannot deliver the order now".into(),
            ));
        }
        None
    }

    /// The settlement call simulated at block `at`, from the hot wallet that will send it.
    async fn simulate(&self, fill: &FillOrder, at: BlockId) -> Result<FillCheck, ChainError> {
        let call = TransactionRequest::default()
            .from(self.hot_wallet)
            .to(fill.settlement)
            .input(fill.settle_intent().data.into());
        match self.chain.provider.call(call).block(at).await {
            Ok(_) => Ok(FillCheck::Fillable),
            Err(RpcError::ErrorResp(payload)) => {
                let reason = payload
                    .as_decoded_interface_error::<RfqSettlement::RfqSettlementErrors>()
                    .map_or_else(
                        || payload.message.to_string(),
                        |error| revert_reason(&error),
                    );
                Ok(FillCheck::Refused {
                    refusal: FillRefusal::ValidationFailed,
                    reason: format!("the settlement would revert: {reason}"),
                })
            }
            Err(other) => Err(ChainError::rpc(other)),
        }
    }
}

/// The chain as a fill depends on it, read at one block.
struct FillView {
    at: BlockId,
    /// The block's time.
    chain_time: u64,
    /// The order's `orderStatus`.
    status: u8,
    /// The taker's balance and allowance to the settlement of the token it pays.
    balance: U256,
    allowance: U256,
    /// The maker's balance of the token it delivers.
    maker_balance: U256,
}

/// The contract's error by name, without its arguments (hashes and addresses the taker has).
fn revert_reason(error: &RfqSettlement::RfqSettlementErrors) -> String {
    use RfqSettlement::RfqSettlementErrors as E;
    match error {
        E::OnlyTxOrigin(_) => "OnlyTxOrigin",
        E::OrderExpired(_) => "OrderExpired",
        E::OrderAlreadyFilled(_) => "OrderAlreadyFilled",
        E::OrderCancelled(_) => "OrderCancelled",
        E::TakerRequired(_) => "TakerRequired",
        E::BadMakerSignature(_) => "BadMakerSignature",
        E::BadTakerApproval(_) => "BadTakerApproval",
        E::NotMaker(_) => "NotMaker",
        E::TransferFailed(_) => "TransferFailed",
    }
    .to_owned()
}

#[activities]
impl FillChecker {
    /// See [`definitions::CheckRfqFill`]: read-only; a refusal is the activity's result.
    #[activity(definition = definitions::CheckRfqFill)]
    pub async fn check_rfq_fill(
        self: Arc<Self>,
        _ctx: ActivityContext,
        fill: FillOrder,
    ) -> Result<FillCheck, ActivityError> {
        let span =
            info_span!("check_rfq_fill", quote_id = %fill.quote_id, order_hash = %fill.order_hash);
        async {
            let verdict = self.check(&fill).await.map_err(to_activity_error)?;
            if let FillCheck::Refused { refusal, reason } = &verdict {
                info!(?refusal, %reason, "fill refused");
            }
            Ok(verdict)
        }
        .instrument(span)
        .await
    }
}
