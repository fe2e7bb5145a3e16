//! `[dealer]`: the RFQ dealer role, and its quote service's configuration assembled from the
//! sections that own each part (`[settlement]`, `[chains]`, `[hot-wallet]`).

use anyhow::{Context, bail};
use hedgeflow_dealer::{rpc::FrontDoorConfig, service::DealerConfig};
use serde::Deserialize;

use super::Config;

/// `[dealer]`: the RFQ dealer role.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DealerSection {
    /// The public JSON-RPC front door and its admin endpoint.
    pub front_door: FrontDoorConfig,
    /// Gas limit of the settlement transaction (the spec's `tradeInfo.gasLimit`).
    pub gas_limit: u64,
    /// Gas price of the settlement transaction, wei (the spec's `tradeInfo.gasPrice`).
    pub gas_price: u64,
    /// The quote service (`hedgeflow_dealer::service::DealerConfig`): the OBM and hot wallet
    /// endpoints, exposure caps and markets. What other sections own is filled in from them
    /// ([`Config::dealer_config`]).
    pub quotes: toml::Table,
}

impl Config {
    /// The dealer's quote service configuration: `[dealer.quotes]` with the hot wallet's
    /// address, the settlement chain and contract, and that chain's tokens filled in from the
    /// sections that own them.
    pub fn dealer_config(&self) -> anyhow::Result<DealerConfig> {
        let dealer = self.dealer.as_ref().context("no [dealer] section")?;
        let settlement = self
            .settlement
            .as_ref()
            .context("the dealer needs a [settlement] section")?;
        let chain = self.chains.get(&settlement.chain).with_context(|| {
            format!("settlement chain {:?} is not configured", settlement.chain)
        })?;
        let mut quotes = dealer.quotes.clone();
        for key in ["assets", "settlement"] {
            if quotes.contains_key(key) {
                bail!(
                    "[dealer.quotes] must not set {key}: it comes from [settlement] and [chains]"
                );
            }
        }
        let assets: toml::Table = chain
            .tokens
            .iter()
            .map(|(symbol, token)| {
                let mut asset = toml::Table::new();
                asset.insert("address".into(), token.address.to_string().into());
                asset.insert("decimals".into(), i64::from(token.decimals).into());
                (symbol.clone(), asset.into())
            })
            .collect();
        quotes.insert("assets".into(), assets.into());
        let mut contract = toml::Table::new();
        contract.insert("chain-id".into(), (chain.chain_id as i64).into());
        contract.insert("contract".into(), settlement.contract.to_string().into());
        contract.insert("gas-limit".into(), (dealer.gas_limit as i64).into());
        contract.insert("gas-price".into(), (dealer.gas_price as i64).into());
        quotes.insert("settlement".into(), contract.into());
        let hot_wallet = quotes
            .entry("hot-wallet")
            .or_insert_with(|| toml::Table::new().into())
            .as_table_mut()
            .context("[dealer.quotes.hot-wallet] must be a table")?;
        if hot_wallet.contains_key("address") {
            bail!("[dealer.quotes.hot-wallet] must not set address: it is [hot-wallet].address");
        }
        hot_wallet.insert("address".into(), self.hot_wallet.address.to_string().into());
        toml::Value::Table(quotes)
            .try_into()
            .context("invalid [dealer.quotes]")
    }

    /// The quote signer's bearer token, for its callers (the dealer, the inventory CLI).
    pub fn quote_signer_token(&self) -> anyhow::Result<Option<hedgeflow_proto::grpc::auth::Token>> {
        let Some(settlement) = &self.settlement else {
            return Ok(None);
        };
        settlement
            .signer_token()
            .context("[settlement] signer-token")
    }
}
