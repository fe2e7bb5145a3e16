//! The configuration file: one TOML per deployment, with environment overrides.
//!
//! Any key can be overridden by `HEDGEFLOW__<SECTION>__<KEY>` (path segments separated by `__`,
//! `_` standing for `-`, values parsed as TOML when they parse and as strings otherwise), e.g.
//! `HEDGEFLOW__DATABASE__URL=postgres://…` or `HEDGEFLOW__CHAINS__L1__CONFIRMATIONS=12`.
//! Secrets (DB password, signing key) belong in the environment or in files, never in the file
//! itself; errors name the file and the key but never print values.
//!
//! Layout: [`Config`], the whole file, with the loading, the overrides and the cross-section
//! checks here, and the `[database]` and `[observability]` sections every role reads; the other
//! sections in files named for them:
//! - `temporal`: `[temporal]`, the workflow engine's frontend.
//! - `signers`: `[relayer]`, `[hot-wallet]` and `[price-signer]`, the roles that hold a key.
//! - `dealer`: `[dealer]`, and the quote service's configuration drawn from other sections.
//! - `dev`: `[dev]` and `[paper-exchange]`, the local stack.
//! - `hedger_api`: `[hedger-api]`, the intent hedger's HTTP API.

mod dealer;
mod dev;
mod hedger_api;
mod signers;
mod temporal;

pub use dealer::DealerSection;
pub use dev::{AnvilConfig, DevConfig, PaperExchangeConfig};
pub use hedger_api::HedgerApiConfig;
pub use signers::{
    HotWalletConfig, LimitConfig, PolicyConfig, PriceSignerConfig, RelayRoute, RelayerConfig,
};
pub use temporal::{GrpcCompression, TemporalConfig, TemporalTls};

use anyhow::{Context, bail};
use hedgeflow_activities::{
    chain::ChainConfig, escrow::EscrowConfig, exchange::ExchangeConfig, intent::IntentsConfig,
    rfq::SettlementConfig, rfq::hedger::HedgerConfig,
};
use hedgeflow_market::config::{ExchangeEndpoints, ObmConfig};
use serde::Deserialize;
use std::{collections::BTreeMap, net::SocketAddr, path::Path};
use url::Url;

pub const ENV_PREFIX: &str = "HEDGEFLOW__";

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Config {
    pub temporal: TemporalConfig,
    pub database: DatabaseConfig,
    #[serde(default)]
    pub observability: ObservabilityConfig,
    pub hot_wallet: HotWalletConfig,
    /// Chains by name (`l1`, `l2`, …); the name is what operators type.
    pub chains: BTreeMap<String, ChainConfig>,
    /// The bridge market maker's escrow pipeline; absent when this deployment runs none.
    #[serde(default)]
    pub escrow: Option<EscrowConfig>,
    /// The L1→L2 message relayer of the local stack (a rollup delivers messages itself).
    #[serde(default)]
    pub relayer: Option<RelayerConfig>,
    /// Exchanges by name: public endpoints only (API keys belong to the exchange role).
    #[serde(default)]
    pub exchanges: BTreeMap<String, ExchangeEndpoints>,
    /// Where the RFQ dealer's orders settle; absent when this deployment runs no RFQ dealer.
    #[serde(default)]
    pub settlement: Option<SettlementConfig>,
    /// The order book manager; absent when this deployment runs no RFQ dealer.
    #[serde(default)]
    pub obm: Option<ObmConfig>,
    /// The paper exchange of the local stack; absent in production files.
    #[serde(default)]
    pub paper_exchange: Option<PaperExchangeConfig>,
    /// The exchange role's venue and API keys; absent when this deployment hedges nothing.
    #[serde(default)]
    pub exchange: Option<ExchangeConfig>,
    /// How the RFQ dealer's fills are netted into epochs and hedged.
    #[serde(default)]
    pub hedger: HedgerConfig,
    /// The RFQ dealer's front door and quote service; absent when this deployment runs none.
    #[serde(default)]
    pub dealer: Option<DealerSection>,
    /// The intent hedger (SYMMIO-style party B on an `IntentBook`); absent when this deployment
    /// runs none.
    #[serde(default)]
    pub intents: Option<IntentsConfig>,
    /// The intent hedger's web server.
    #[serde(default)]
    pub hedger_api: Option<HedgerApiConfig>,
    /// The price signer the `IntentBook` trusts (the oracle stand-in).
    #[serde(default)]
    pub price_signer: Option<PriceSignerConfig>,
    /// Where each role serves Prometheus metrics (`/metrics`).
    #[serde(default)]
    pub metrics: BTreeMap<String, SocketAddr>,
    /// The local stack `hedgeflow dev` runs; absent in production files.
    #[serde(default)]
    pub dev: Option<DevConfig>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://data/hedgeflow.db?mode=rwc` (default) or `postgres://…` (set it from the
    /// environment when it carries a password).
    pub url: String,
    /// A read-only connection (a replica) for the ops CLI and other readers; the main DB when
    /// absent.
    #[serde(default)]
    pub read_url: Option<String>,
}

impl DatabaseConfig {
    pub fn read_url(&self) -> &str {
        self.read_url.as_deref().unwrap_or(&self.url)
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ObservabilityConfig {
    /// `text` (default) or `json` log lines.
    #[serde(default)]
    pub log_format: LogFormat,
    /// OTLP/gRPC collector for traces, e.g. `http://127.0.0.1:4317`; no export when absent.
    #[serde(default)]
    pub otlp_endpoint: Option<Url>,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

impl Config {
    /// Reads the file, applies `HEDGEFLOW__…` overrides from the environment, and checks it.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading config {}", path.display()))?;
        Self::parse(&text, std::env::vars()).with_context(|| format!("config {}", path.display()))
    }

    pub fn parse(
        text: &str,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Self> {
        let mut tree: toml::Table = text.parse().context("not valid TOML")?;
        for (key, value) in env {
            if let Some(path) = key.strip_prefix(ENV_PREFIX) {
                apply_override(&mut tree, path, &value)
                    .with_context(|| format!("environment override {key}"))?;
            }
        }
        // Deserialization errors quote keys and types, not values.
        let config: Self = toml::Value::Table(tree)
            .try_into()
            .context("invalid configuration")?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> anyhow::Result<()> {
        let scheme = self.temporal.address.scheme();
        match (&self.temporal.tls, scheme) {
            (Some(_), "https") | (None, "http") => {}
            (Some(_), _) => bail!("temporal.tls needs an https:// temporal.address"),
            (None, _) => bail!("an {scheme}:// temporal.address needs temporal.tls"),
        }
        for (name, chain) in &self.chains {
            if chain.rpc.is_empty() {
                bail!("chains.{name}.rpc lists no endpoint");
            }
        }
        let known = |name: &str| self.chains.contains_key(name);
        if let Some(escrow) = &self.escrow {
            for name in std::iter::once(&escrow.l1).chain(escrow.l2.keys()) {
                if !known(name) {
                    bail!("escrow names chain {name:?}, which [chains] does not configure");
                }
            }
        }
        if let Some(settlement) = &self.settlement
            && !known(&settlement.chain)
        {
            bail!(
                "settlement names chain {:?}, which [chains] does not configure",
                settlement.chain
            );
        }
        if let Some(obm) = &self.obm {
            obm.feeds(&self.exchanges)?;
        }
        if let Some(balance) = self.intents.as_ref().and_then(|i| i.balance.as_ref()) {
            balance.policy().map_err(anyhow::Error::msg)?;
        }
        if self.dealer.is_some() {
            self.dealer_config()?
                .settings()
                .context("[dealer.quotes]")?;
        }
        if let Some(relayer) = &self.relayer {
            for route in &relayer.routes {
                if !known(&route.from) || !known(&route.to) {
                    bail!(
                        "relayer route {} → {} names a chain [chains] does not configure",
                        route.from,
                        route.to
                    );
                }
            }
        }
        Ok(())
    }

    pub fn metrics_addr(&self, role: &str) -> Option<SocketAddr> {
        self.metrics.get(role).copied()
    }
}

/// `SECTION__SUB__KEY` → `section.sub.key` (with `_` → `-`); chain names keep their case.
fn apply_override(tree: &mut toml::Table, path: &str, value: &str) -> anyhow::Result<()> {
    let segments: Vec<String> = path
        .split("__")
        .map(|s| s.to_ascii_lowercase().replace('_', "-"))
        .collect();
    let (last, parents) = segments.split_last().context("empty key")?;
    let mut table = tree;
    for segment in parents {
        let entry = table
            .entry(segment.clone())
            .or_insert_with(|| toml::Value::Table(Default::default()));
        table = entry
            .as_table_mut()
            .with_context(|| format!("{segment} is not a table"))?;
    }
    let parsed = format!("v = {value}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(value.to_owned()));
    table.insert(last.clone(), parsed);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    const EXAMPLE: &str = include_str!("../../../config/dev.toml");

    #[test]
    fn temporal_tls_and_an_https_address_go_together() {
        let env = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (format!("HEDGEFLOW__TEMPORAL__{k}"), v.to_string()))
                .collect()
        };
        let https = ("ADDRESS", "https://temporal:7233");
        let error = Config::parse(EXAMPLE, env(&[https])).unwrap_err();
        assert!(
            format!("{error:#}").contains("needs temporal.tls"),
            "{error:#}"
        );
        let tls = [
            ("TLS__CA", "ca.pem"),
            ("TLS__CERT", "c.pem"),
            ("TLS__KEY", "c.key"),
        ];
        let error = Config::parse(EXAMPLE, env(&tls)).unwrap_err();
        assert!(
            format!("{error:#}").contains("needs an https://"),
            "{error:#}"
        );
        let config = Config::parse(EXAMPLE, env(&[&tls[..], &[https]].concat())).unwrap();
        assert_eq!(config.temporal.tls.unwrap().key, PathBuf::from("c.key"));
    }

    #[test]
    fn the_dev_config_parses() {
        let config = Config::parse(EXAMPLE, []).unwrap();
        assert!(config.chains.contains_key("l1") && config.chains.contains_key("l2"));
        assert_ne!(config.chains["l1"].chain_id, config.chains["l2"].chain_id);
        assert!(config.dev.is_some());
    }

    #[test]
    fn environment_overrides_any_key() {
        let env = [
            (
                "HEDGEFLOW__DATABASE__URL".to_owned(),
                "postgres://u:secret@db/hf".to_owned(),
            ),
            (
                "HEDGEFLOW__CHAINS__L1__CONFIRMATIONS".to_owned(),
                "12".to_owned(),
            ),
            (
                "HEDGEFLOW__TEMPORAL__UI_URL".to_owned(),
                "http://ui:8080".to_owned(),
            ),
            ("UNRELATED".to_owned(), "x".to_owned()),
        ];
        let config = Config::parse(EXAMPLE, env).unwrap();
        assert_eq!(config.database.url, "postgres://u:secret@db/hf");
        assert_eq!(config.chains["l1"].confirmations, 12);
        assert_eq!(config.temporal.ui_url.as_str(), "http://ui:8080/");
    }

    #[test]
    fn errors_name_the_key_not_the_secret() {
        let env = [(
            "HEDGEFLOW__HOT_WALLET__ADDRESS".to_owned(),
            "not-an-address-s3cret".to_owned(),
        )];
        let error = format!("{:#}", Config::parse(EXAMPLE, env).unwrap_err());
        assert!(!error.contains("s3cret"), "{error}");
        let unknown = format!(
            "{:#}",
            Config::parse(&format!("{EXAMPLE}\n[bogus]\nx = 1\n"), []).unwrap_err()
        );
        assert!(unknown.contains("bogus"), "{unknown}");
    }

    #[test]
    fn readers_use_the_replica_when_one_is_set() {
        let config = Config::parse(EXAMPLE, []).unwrap();
        assert_eq!(config.database.read_url(), config.database.url);
        let env = [(
            "HEDGEFLOW__DATABASE__READ_URL".to_owned(),
            "postgres://reader@replica/hf".to_owned(),
        )];
        let config = Config::parse(EXAMPLE, env).unwrap();
        assert_eq!(config.database.read_url(), "postgres://reader@replica/hf");
        assert_ne!(config.database.url, config.database.read_url());
    }

    #[test]
    fn the_dealer_takes_tokens_settlement_and_hot_wallet_from_their_sections() {
        let config = Config::parse(EXAMPLE, []).unwrap();
        let dealer = config.dealer_config().unwrap();
        let settlement = config.settlement.as_ref().unwrap();
        let l1 = &config.chains[&settlement.chain];
        assert_eq!(dealer.settlement.chain_id, l1.chain_id);
        assert_eq!(dealer.settlement.contract, settlement.contract);
        assert_eq!(dealer.hot_wallet.address, config.hot_wallet.address);
        assert_eq!(dealer.assets["WETH"].address, l1.tokens["WETH"].address);
        assert_eq!(dealer.assets["USDC"].decimals, 6);
        let settings = dealer.settings().unwrap();
        assert_eq!(settings.markets.len(), 2, "WETH/USDC both ways");

        // What another section owns cannot be set twice.
        let twice = EXAMPLE.replace(
            "hot-wallet = { endpoint = \"http://127.0.0.1:50062\" }",
            "hot-wallet = { endpoint = \"http://127.0.0.1:50062\", address = \"0x0000000000000000000000000000000000000001\" }",
        );
        assert_ne!(twice, EXAMPLE);
        let error = format!("{:#}", Config::parse(&twice, []).unwrap_err());
        assert!(error.contains("[hot-wallet].address"), "{error}");
        // A market on an asset the settlement chain does not configure is refused at load.
        let unknown = EXAMPLE.replace("base = \"WETH\"", "base = \"WBTC\"");
        let error = format!("{:#}", Config::parse(&unknown, []).unwrap_err());
        assert!(error.contains("WBTC"), "{error}");
    }

    #[test]
    fn escrow_and_relayer_must_name_configured_chains() {
        let config = Config::parse(EXAMPLE, []).unwrap();
        let escrow = config
            .escrow
            .expect("the dev stack runs the escrow pipeline");
        assert_eq!(escrow.l1, "l1");
        assert!(escrow.l2.contains_key("l2"));
        let unknown_l2 = EXAMPLE.replace("[escrow.l2.l2]", "[escrow.l2.l9]");
        let error = format!("{:#}", Config::parse(&unknown_l2, []).unwrap_err());
        assert!(error.contains("\"l9\""), "{error}");
        let unknown_route =
            EXAMPLE.replace("to = \"l2\", l2-messenger", "to = \"l7\", l2-messenger");
        let error = format!("{:#}", Config::parse(&unknown_route, []).unwrap_err());
        assert!(error.contains("l7"), "{error}");
    }
}
