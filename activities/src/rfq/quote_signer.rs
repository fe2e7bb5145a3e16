//! The hot wallet's gRPC service: signs quote orders and reports funds. The key never leaves
//! this process; the service signs only orders that pay out of the hot wallet, that only the hot
//! wallet can submit, in a configured token and within the configured horizon, so a compromised
//! dealer cannot obtain a signature for anything else (it can still choose prices: the dealer's
//! risk checks, not this service, bound those).

use crate::chain::ChainClient;
use alloy::{
    primitives::Address,
    providers::Provider,
    signers::{Signer, local::PrivateKeySigner},
    sol,
    sol_types::{Eip712Domain, SolStruct},
};
use hedgeflow_proto::{
    grpc::{
        auth::RequireToken,
        hot_wallet::{self as wire, hot_wallet_server::HotWallet},
    },
    rfq::quote::{self, RfqOrder},
};
use std::{collections::BTreeSet, str::FromStr, time::Duration};
use tonic::{Request, Response, Status, service::interceptor::InterceptedService};
use tracing::info;

sol! {
    #[sol(rpc)]
    interface IERC20Funds {
        function balanceOf(address owner) external view returns (uint256);
        function allowance(address owner, address spender) external view returns (uint256);
    }
}

/// Signs RfqOrders for the dealer and reads token funds.
pub struct QuoteSigner {
    signer: PrivateKeySigner,
    chain: ChainClient,
    domain: Eip712Domain,
    settlement: Address,
    tokens: BTreeSet<Address>,
    max_ttl: Duration,
}

impl QuoteSigner {
    pub fn new(
        signer: PrivateKeySigner,
        chain: ChainClient,
        settlement: Address,
        max_ttl: Duration,
    ) -> Self {
        let tokens = chain
            .config
            .tokens
            .values()
            .map(|token| token.address)
            .collect();
        Self {
            domain: quote::domain(chain.config.chain_id, settlement),
            signer,
            chain,
            settlement,
            tokens,
            max_ttl,
        }
    }

    /// The tonic server for this service, refusing callers without `auth`'s token.
    pub fn server(
        self,
        auth: RequireToken,
    ) -> InterceptedService<wire::hot_wallet_server::HotWalletServer<Self>, RequireToken> {
        wire::hot_wallet_server::HotWalletServer::with_interceptor(self, auth)
    }

    /// Why the hot wallet will not sign `order` at `now` (Unix seconds), if it will not.
    fn refusal(&self, order: &RfqOrder, now: u64) -> Option<String> {
        let me = self.signer.address();
        if order.maker != me || order.txOrigin != me {
            return Some("maker and txOrigin must both be the hot wallet".into());
        }
        if !self.tokens.contains(&order.makerToken) {
            return Some(format!(
                "maker token {} is not configured",
                order.makerToken
            ));
        }
        if order.expiry <= now || order.expiry - now > self.max_ttl.as_secs() {
            return Some(format!(
                "expiry {} is not within {}s of now ({now})",
                order.expiry,
                self.max_ttl.as_secs()
            ));
        }
        None
    }
}

fn address(field: &str, value: &str) -> Result<Address, Status> {
    Address::from_str(value)
        .map_err(|_| Status::invalid_argument(format!("{field}: not an address")))
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[tonic::async_trait]
impl HotWallet for QuoteSigner {
    async fn sign_rfq_order(
        &self,
        request: Request<wire::SignRfqOrderRequest>,
    ) -> Result<Response<wire::SignRfqOrderReply>, Status> {
        let request = request.into_inner();
        let order = RfqOrder::try_from(
            request
                .order
                .ok_or_else(|| Status::invalid_argument("order missing"))?,
        )
        .map_err(|error| Status::invalid_argument(error.to_string()))?;
        if let Some(reason) = self.refusal(&order, now_secs()) {
            return Err(Status::permission_denied(reason));
        }
        let hash = order.eip712_signing_hash(&self.domain);
        let signature = self
            .signer
            .sign_hash(&hash)
            .await
            .map_err(|error| Status::internal(format!("signing failed: {error}")))?;
        info!(quote_id = %request.quote_id, order_hash = %hash, "quote order signed");
        Ok(Response::new(wire::SignRfqOrderReply {
            order_hash: hash.to_string(),
            signature: alloy::hex::encode_prefixed(signature.as_bytes()),
        }))
    }

    async fn funds(
        &self,
        request: Request<wire::FundsRequest>,
    ) -> Result<Response<wire::FundsReply>, Status> {
        let request = request.into_inner();
        let owner = match request.owner.as_str() {
            "" => self.signer.address(),
            owner => address("owner", owner)?,
        };
        let tokens = request
            .tokens
            .iter()
            .map(|token| address("tokens", token))
            .collect::<Result<Vec<_>, _>>()?;
        let provider = &self.chain.provider;
        let block = provider
            .get_block_number()
            .await
            .map_err(|error| Status::unavailable(format!("chain: {error}")))?;
        let mut funds = Vec::with_capacity(tokens.len());
        for token in tokens {
            let erc20 = IERC20Funds::new(token, provider);
            let balance = erc20.balanceOf(owner).block(block.into());
            let allowance = erc20.allowance(owner, self.settlement).block(block.into());
            let (balance, allowance) = tokio::try_join!(balance.call(), allowance.call())
                .map_err(|error| Status::unavailable(format!("token {token}: {error}")))?;
            funds.push(wire::TokenFunds {
                token: token.to_string(),
                balance: balance.to_string(),
                allowance: allowance.to_string(),
            });
        }
        Ok(Response::new(wire::FundsReply {
            owner: owner.to_string(),
            tokens: funds,
            block,
        }))
    }
}
