//! The treasury transfer pipeline: the hot wallet pays native ETH or an ERC-20 to an address.

use crate::{Amount, chain::ConfirmedReceipt};
use alloy::{
    primitives::{Address, B256, Bytes},
    sol,
    sol_types::SolCall,
};
use serde::{Deserialize, Serialize};

sol! {
    /// The one ERC-20 call a treasury transfer makes.
    function transfer(address to, uint256 amount) external returns (bool);
}

/// What an operator asked for (`hedgeflow wallet transfer`). The token is a symbol from the
/// chain's configuration (`ETH` for the native asset), so a typo cannot send an unknown contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferRequest {
    pub request_id: String,
    pub chain: String,
    pub token: String,
    pub to: Address,
    pub amount: Amount,
}

/// A validated transfer: the request resolved against config and chain state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferPlan {
    pub chain_id: u64,
    pub token: String,
    /// `None` for the native asset.
    pub token_address: Option<Address>,
    pub decimals: u8,
    pub from: Address,
    pub to: Address,
    pub amount: Amount,
    /// The hot wallet's balance of `token` when the plan was made.
    pub balance_before: Amount,
    pub confirmations: u64,
}

impl TransferPlan {
    /// The call the hot wallet must send: a plain value transfer, or `token.transfer(to, amount)`.
    pub fn call(&self) -> (Address, Amount, Bytes) {
        match self.token_address {
            None => (self.to, self.amount, Bytes::new()),
            Some(token) => {
                let data = transferCall {
                    to: self.to,
                    amount: self.amount.0,
                }
                .abi_encode();
                (token, Amount::ZERO, data.into())
            }
        }
    }
}

/// Where a transfer stands; stored with the transfer and shown by the CLI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferStatus {
    Requested,
    Validated,
    Submitted,
    Confirmed,
    Rejected,
    Failed,
}

impl TransferStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Validated => "validated",
            Self::Submitted => "submitted",
            Self::Confirmed => "confirmed",
            Self::Rejected => "rejected",
            Self::Failed => "failed",
        }
    }
}

/// One write to the transfer's row: the workflow calls `record_transfer` at every stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferRecord {
    pub workflow_id: String,
    pub request: TransferRequest,
    pub status: TransferStatus,
    #[serde(default)]
    pub plan: Option<TransferPlan>,
    #[serde(default)]
    pub tx_hash: Option<B256>,
    #[serde(default)]
    pub receipt: Option<ConfirmedReceipt>,
    #[serde(default)]
    pub error: Option<String>,
}

impl TransferRecord {
    pub fn new(workflow_id: String, request: TransferRequest) -> Self {
        Self {
            workflow_id,
            request,
            status: TransferStatus::Requested,
            plan: None,
            tx_hash: None,
            receipt: None,
            error: None,
        }
    }
}

/// The workflow's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferResult {
    pub plan: TransferPlan,
    pub receipt: ConfirmedReceipt,
}
