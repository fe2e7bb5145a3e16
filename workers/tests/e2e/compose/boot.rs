//! Boots every hedgeflow role of the compose file as its container would run it, without Docker:
//! the production config file with the operator's site values filled in, exactly the
//! environment, secrets and volumes compose gives that role (and nothing else), against local
//! servers standing for the compose services and the outside world.
//!
//! A container is a directory: its secrets under `run/secrets/`, its mounted config under
//! `etc/hedgeflow/`, its volumes and home under `var/lib/hedgeflow/`. Paths in the config and the
//! environment are read inside it, and service names (`temporal`, `hedgeflow-db`, `obm`,
//! `hot-wallet`, `exchange`) and `0.0.0.0` listeners are read as local addresses, one port per
//! container port, as the compose network would resolve them. The role runs with a cleared
//! environment: a variable compose does not pass is not there, and the role fails by its name.

use super::{
    Compose, ROLES, environment, flag_values, interpolate_with, mounts, read, secrets, words,
};
use alloy::{
    primitives::{Address, U256},
    providers::{Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
};
use hedgeflow::{
    config::Config,
    dev::{anvil, deploy, process, temporal_server},
};
use hedgeflow_activities::{
    chain::signer::{SecretRef, SignerSource, load_signer},
    store::local_postgres::Postgres,
};
use hedgeflow_dealer::{api::Size, taker::TakerClient};
use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
    sync::Mutex,
    time::Duration,
};

/// Where the roles start, and in what order: each waits for what it depends on to be ready, as
/// compose's `depends_on` and its restarts arrange.
const START_ORDER: [&str; 8] = [
    "hot-wallet",
    "exchange",
    "obm",
    "price-signer",
    "orchestrator",
    "indexer",
    "hedger-api",
    "dealer",
];
/// Compose service names the roles' config and environment reach, and the wildcard listener.
const HOSTS: [&str; 6] = [
    "temporal",
    "hedgeflow-db",
    "obm",
    "hot-wallet",
    "exchange",
    "0.0.0.0",
];
/// How long a role may take to become ready.
const READY_WITHIN: Duration = Duration::from_secs(90);
/// The site's `.env`, which compose interpolates.
const SITE_ENV: [(&str, &str); 4] = [
    ("HEDGEFLOW_DB_PASSWORD", "site-db-password"),
    ("HEDGEFLOW_READER_PASSWORD", "site-reader-password"),
    ("HEDGEFLOW_DEALER_DB_PASSWORD", "site-dealer-db-password"),
    ("TEMPORAL_DB_PASSWORD", "site-temporal-db-password"),
];

#[test]
fn every_role_boots_from_the_production_config_with_only_what_compose_gives_it() {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(boot_every_role());
}

async fn boot_every_role() {
    let mut order = START_ORDER.to_vec();
    order.sort_unstable();
    let mut roles = ROLES.to_vec();
    roles.sort_unstable();
    assert_eq!(order, roles, "START_ORDER names every role once");

    let compose = Compose::load();
    let site = Site::start(&compose).await;
    let mut running = Vec::new();
    for role in START_ORDER {
        let mut process = site.boot(&compose, role);
        site.wait_ready(role, &mut process).await;
        running.push((role, process));
    }
    // Ready, and still up once every other role is.
    tokio::time::sleep(Duration::from_secs(2)).await;
    for (role, process) in &mut running {
        if let Some(status) = process.exited() {
            panic!(
                "{role} exited ({status}) after it was ready:\n{}",
                site.log_tail(role)
            );
        }
    }
}

/// The servers standing for compose's and the world's, the filled-in project directory
/// (`config/`, `secrets/`), and the containers made from it.
struct Site {
    dir: tempfile::TempDir,
    /// Container port → local port: what the compose network resolves a service's port to.
    ports: Mutex<BTreeMap<u16, u16>>,
    /// Who deployed the contracts (their addresses follow from it).
    deployer: Address,
    _servers: Vec<process::Supervised>,
    _postgres: Postgres,
}

impl Site {
    async fn start(compose: &Compose) -> Site {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("project");
        let secrets = project.join("secrets");
        fs::create_dir_all(&secrets).unwrap();
        let mut servers = Vec::new();

        // Temporal: the dev server behind a proxy that requires the compose CA's client
        // certificates, as the `temporal` service's TLS settings do.
        let certs = secrets.join("temporal");
        crate::support::tls_proxy::compose_certs(&certs);
        let temporal_port = process::free_port();
        servers.push(
            temporal_server::start(&temporal_server::Options {
                port: temporal_port,
                ui_port: None,
                db_file: None,
                log: dir.path().join("temporal.log"),
            })
            .await
            .unwrap(),
        );
        let pem = |name: &str| fs::read(certs.join(name)).unwrap();
        let (tls_port, _refused) = crate::support::tls_proxy::tls_proxy(
            temporal_port,
            (&pem("server.pem"), &pem("server.key")),
            &pem("ca.pem"),
        )
        .await;

        // hedgeflow-db: its first start as the postgres image makes it from the site's `.env`,
        // then passwords required over TCP.
        let postgres = Postgres::start().await;
        postgres.create_database("hedgeflow").await;
        postgres.create_reader("hedgeflow", site_env("HEDGEFLOW_READER_PASSWORD"));
        postgres.create_dealer("hedgeflow", site_env("HEDGEFLOW_DEALER_DB_PASSWORD"));
        postgres
            .require_passwords(site_env("HEDGEFLOW_DB_PASSWORD"))
            .await;

        // The world: L1 (chain 1) and L2 (chain 10) nodes, and Binance (the paper exchange).
        let mut rpc = BTreeMap::new();
        for (name, chain_id) in [("l1", 1), ("l2", 10)] {
            let port = process::free_port();
            servers.push(
                anvil::start(&anvil::Options {
                    name: name.into(),
                    port,
                    chain_id,
                    block_time: 1,
                    state: None,
                    log: dir.path().join(format!("anvil-{name}.log")),
                })
                .await
                .unwrap(),
            );
            rpc.insert(name, port);
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let paper_port = listener.local_addr().unwrap().port();
        tokio::spawn(hedgeflow_paper_exchange::serve(
            hedgeflow_paper_exchange::Config::default(),
            listener,
        ));

        // The secrets the operator puts in `secrets/`.
        let hot_wallet = keystore(&secrets, "hot-wallet");
        let price_signer = keystore(&secrets, "price-signer");
        for (name, value) in [
            ("exchange-api-key", hedgeflow_paper_exchange::DEV_API_KEY),
            (
                "exchange-secret-key",
                hedgeflow_paper_exchange::DEV_SECRET_KEY,
            ),
            ("dealer-admin-token", "site-dealer-admin-token"),
            ("quote-signer-token", "site-quote-signer-token"),
        ] {
            fs::write(secrets.join(name), value).unwrap();
        }

        // The site's values where production.toml says REPLACE, or names the outside world.
        let mut config: toml::Table = read(&compose.root.join(super::PRODUCTION_CONFIG))
            .parse()
            .unwrap();
        let address = |signer: &PrivateKeySigner| toml::Value::from(signer.address().to_string());
        set(&mut config, "hot-wallet.address", address(&hot_wallet));
        set(&mut config, "price-signer.address", address(&price_signer));
        for (name, port) in &rpc {
            let endpoint: toml::Table =
                format!("http = \"http://127.0.0.1:{port}\"\nws = \"ws://127.0.0.1:{port}\"")
                    .parse()
                    .unwrap();
            let endpoints = toml::Value::Array(vec![endpoint.into()]);
            set(&mut config, &format!("chains.{name}.rpc"), endpoints);
        }
        // The contracts, deployed as `hedgeflow dev` deploys them, at the addresses the
        // operator then writes in.
        let mnemonic = dir.path().join("mnemonic");
        fs::write(&mnemonic, hedgeflow::dev::DEV_MNEMONIC).unwrap();
        let deployer = SignerSource::Mnemonic {
            phrase: SecretRef::File(mnemonic),
            index: 9,
        };
        let deployer_address = load_signer(&deployer).unwrap().address();
        // production.toml's one L2
        let contracts = deploy::EscrowContracts::of(deployer_address, 0, 1);
        let at = |address: Address| toml::Value::from(address.to_string());
        for chain in rpc.keys() {
            for symbol in ["WETH", "USDC"] {
                let token = deploy::token_address(deployer_address, symbol).unwrap();
                set(
                    &mut config,
                    &format!("chains.{chain}.tokens.{symbol}.address"),
                    at(token),
                );
            }
        }
        set(
            &mut config,
            "escrow.payment-registry",
            at(contracts.payment_registry),
        );
        set(&mut config, "escrow.l2.l2.escrow", at(contracts.escrow));
        let settlement = deploy::settlement_address(deployer_address, 1);
        set(&mut config, "settlement.contract", at(settlement));
        set(
            &mut config,
            "intents.book",
            at(deploy::intent_book_address(deployer_address)),
        );
        let paper = format!("http://127.0.0.1:{paper_port}");
        set(&mut config, "exchanges.binance.rest", paper.clone().into());
        set(
            &mut config,
            "exchanges.binance.websocket",
            format!("ws://127.0.0.1:{paper_port}").into(),
        );
        set(&mut config, "intents.broker-rest", paper.clone().into());
        // Binance itself is out of reach here: the venue is the paper exchange at its address.
        let venue: toml::Table = format!("kind = \"paper\"\nrest = \"{paper}\"")
            .parse()
            .unwrap();
        set(&mut config, "exchange.venue", venue.into());
        let text = toml::to_string(&config).unwrap();
        fs::create_dir_all(project.join("config")).unwrap();
        fs::write(project.join(super::PRODUCTION_CONFIG), &text).unwrap();
        deploy_contracts(&Config::parse(&text, []).unwrap(), &secrets, &deployer).await;

        let ports = BTreeMap::from([(7233, tls_port), (5432, postgres.port)]);
        Site {
            dir,
            ports: Mutex::new(ports),
            deployer: deployer_address,
            _servers: servers,
            _postgres: postgres,
        }
    }

    /// The site's token `symbol` on l1, where the dealer settles: where the deployer put it.
    fn token(&self, symbol: &str) -> Address {
        deploy::token_address(self.deployer, symbol).unwrap()
    }

    fn project(&self) -> PathBuf {
        self.dir.path().join("project")
    }

    fn container(&self, role: &str) -> PathBuf {
        self.dir.path().join("containers").join(role)
    }

    fn log(&self, role: &str) -> PathBuf {
        self.dir.path().join(format!("{role}.log"))
    }

    fn log_tail(&self, role: &str) -> String {
        let log = fs::read_to_string(self.log(role)).unwrap_or_default();
        // The error, not the backtrace anyhow prints after it.
        let log = log.split("Stack backtrace:").next().unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    /// The local port a service's container `port` is reached at.
    fn port(&self, port: u16) -> u16 {
        *self
            .ports
            .lock()
            .unwrap()
            .entry(port)
            .or_insert_with(process::free_port)
    }

    /// `text` as seen from inside `role`'s container: its paths in the container's directory,
    /// service names and `0.0.0.0` as local addresses.
    fn inside(&self, role: &str, text: &str) -> String {
        let root = self.container(role);
        let mut text = text.to_owned();
        for dir in ["/run/secrets/", "/etc/hedgeflow/", "/var/lib/hedgeflow"] {
            text = text.replace(dir, &format!("{}{dir}", root.display()));
        }
        for host in HOSTS {
            let pattern = format!("{host}:");
            let mut out = String::with_capacity(text.len());
            let mut rest = text.as_str();
            while let Some(at) = rest.find(&pattern) {
                let digits = rest[at + pattern.len()..]
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(rest.len() - at - pattern.len());
                let named = at == 0
                    || !rest[..at]
                        .ends_with(|c: char| c.is_ascii_alphanumeric() || c == '-' || c == '.');
                if !named || digits == 0 {
                    out.push_str(&rest[..at + pattern.len()]);
                    rest = &rest[at + pattern.len()..];
                    continue;
                }
                let port: u16 = rest[at + pattern.len()..][..digits].parse().unwrap();
                out.push_str(&rest[..at]);
                out.push_str(&format!("127.0.0.1:{}", self.port(port)));
                rest = &rest[at + pattern.len() + digits..];
            }
            out.push_str(rest);
            text = out;
        }
        text
    }

    /// Makes `role`'s container from its service and starts the role in it.
    fn boot(&self, compose: &Compose, role: &str) -> process::Supervised {
        let service = compose.service(role);
        let root = self.container(role);
        let home = root.join("var/lib/hedgeflow");
        fs::create_dir_all(&home).unwrap();
        for mount in mounts(service, role) {
            let target = root.join(mount.target.trim_start_matches('/'));
            if mount.is_named() {
                fs::create_dir_all(&target).unwrap();
            } else {
                let source = self.project().join(mount.source.trim_start_matches("./"));
                fs::create_dir_all(target.parent().unwrap()).unwrap();
                fs::write(&target, self.inside(role, &read(&source))).unwrap();
            }
        }
        for secret in secrets(service, role) {
            let file = compose
                .document
                .get("secrets")
                .and_then(|all| all.get(&secret.source))
                .and_then(|declared| declared.get("file"))
                .and_then(serde_yaml::Value::as_str)
                .unwrap_or_else(|| panic!("secret `{}` has no file", secret.source));
            let target = root.join(secret.target.strip_prefix("/").unwrap());
            fs::create_dir_all(target.parent().unwrap()).unwrap();
            fs::copy(self.project().join(file.trim_start_matches("./")), &target)
                .unwrap_or_else(|e| panic!("{role}'s secret {}: {e}", secret.source));
        }

        let command = words(service.get("command"), role);
        let tokens: Vec<&str> = command.iter().map(String::as_str).collect();
        let config = flag_values(&tokens, "--config")[0].to_owned();
        let mut process = std::process::Command::new(env!("CARGO_BIN_EXE_hedgeflow"));
        for word in &command {
            if *word == config {
                process.arg(root.join(config.trim_start_matches('/')));
            } else {
                process.arg(word);
            }
        }
        // The image's user home and working directory; nothing else from this process.
        process.env_clear().env("HOME", &home).current_dir(&home);
        for (key, value) in environment(service, role) {
            let value = value.unwrap_or_else(|| panic!("`{role}` passes {key} from the host"));
            let value = interpolate_with(&value, |variable| site_env(variable).to_owned());
            process.env(key, self.inside(role, &value));
        }
        process::Supervised::spawn(role, process, Some(&self.log(role)), false).unwrap()
    }

    /// Waits until `role` shows it is ready: it serves its port, or logged that it is, and
    /// fails with its log when it exits or takes too long.
    async fn wait_ready(&self, role: &str, process: &mut process::Supervised) {
        let deadline = tokio::time::Instant::now() + READY_WITHIN;
        loop {
            if let Some(status) = process.exited() {
                panic!(
                    "{role} exited ({status}) before it was ready:\n{}",
                    self.log_tail(role)
                );
            }
            if self.ready(role).await {
                return;
            }
            if tokio::time::Instant::now() > deadline {
                panic!(
                    "{role} not ready after {READY_WITHIN:?}:\n{}",
                    self.log_tail(role)
                );
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    async fn ready(&self, role: &str) -> bool {
        let logged = |lines: &[&str]| {
            let log = fs::read_to_string(self.log(role)).unwrap_or_default();
            lines.iter().all(|line| log.contains(line))
        };
        match role {
            "hot-wallet" => logged(&["hot wallet ready", "quote signer listening"]),
            "exchange" => logged(&["exchange role ready", "exchange account service listening"]),
            "price-signer" => logged(&["price signer ready"]),
            "orchestrator" => logged(&["orchestrator ready"]),
            "indexer" => logged(&["indexing escrow orders", "indexing intent quotes"]),
            "obm" => {
                logged(&["order book manager starting"])
                    && tokio::net::TcpStream::connect(("127.0.0.1", self.port(50061)))
                        .await
                        .is_ok()
            }
            "hedger-api" => {
                let url = format!("http://127.0.0.1:{}/open-interest", self.port(8650));
                reqwest::get(url)
                    .await
                    .is_ok_and(|answer| answer.status().is_success())
            }
            // A quote signed: the front door, the order book manager's books, the exchange
            // role's inventory and the hot wallet's quote signer (with its token) all answer.
            "dealer" => {
                let url = format!("http://127.0.0.1:{}", self.port(8547));
                let taker = TakerClient::new(&url).unwrap();
                let weth = U256::from(10u64).pow(U256::from(17));
                let (maker, base) = (self.token("WETH"), self.token("USDC"));
                taker
                    .quote(
                        maker,
                        base,
                        Size::MakerSize(weth),
                        Address::repeat_byte(0x7a),
                    )
                    .await
                    .is_ok()
            }
            other => panic!("no readiness check for {other}"),
        }
    }
}

/// Deploys what `config` names (tokens, escrow, settlement, intent book) and gives the hot wallet
/// (its keystore in `secrets`) gas money, its tokens, and its party B standing in the book.
async fn deploy_contracts(config: &Config, secrets: &Path, deployer: &SignerSource) {
    let hot_wallet = SignerSource::Keystore {
        path: secrets.join("hot-wallet.keystore.json"),
        password: SecretRef::File(secrets.join("hot-wallet.password")),
    };
    let address = config.hot_wallet.address;
    let (l1, l2) = (&config.chains["l1"], &config.chains["l2"]);
    for chain in [l1, l2] {
        let node = ProviderBuilder::new().connect_http(chain.rpc[0].http.clone());
        let ether = U256::from(10u64).pow(U256::from(20));
        node.raw_request::<_, ()>("anvil_setBalance".into(), (address, ether))
            .await
            .unwrap();
    }
    deploy::ensure_tokens(&config.chains, address, deployer)
        .await
        .unwrap();
    let l2s = [deploy::EscrowL2 {
        chain: l2,
        contracts: deploy::EscrowContracts::of(load_signer(deployer).unwrap().address(), 0, 1),
    }];
    deploy::ensure_escrow(l1, &l2s, address, address, 24 * 3600, deployer)
        .await
        .unwrap();
    let settlement = config.settlement.as_ref().unwrap().contract;
    deploy::ensure_settlement(l1, settlement, deployer)
        .await
        .unwrap();
    deploy::ensure_settlement_allowances(l1, settlement, std::slice::from_ref(&hot_wallet))
        .await
        .unwrap();
    let (intents, price_signer) = (
        config.intents.as_ref().unwrap(),
        config.price_signer.as_ref().unwrap(),
    );
    deploy::ensure_intent_book(
        l2,
        intents,
        price_signer.address,
        &hot_wallet,
        deployer,
        None,
    )
    .await
    .unwrap();
}

/// A value of the site's `.env`; compose refuses to start without one it interpolates.
fn site_env(variable: &str) -> &'static str {
    SITE_ENV
        .iter()
        .find(|(name, _)| *name == variable)
        .map(|(_, value)| *value)
        .unwrap_or_else(|| {
            panic!("compose interpolates ${{{variable}}}, which the site's .env lacks")
        })
}

/// A new key in an encrypted keystore `secrets/<name>.keystore.json`, its password beside it.
fn keystore(secrets: &Path, name: &str) -> PrivateKeySigner {
    let password = format!("site-{name}-password");
    let key = PrivateKeySigner::random();
    let (signer, _) = PrivateKeySigner::encrypt_keystore(
        secrets,
        &mut rand08::thread_rng(),
        key.credential().to_bytes(),
        &password,
        Some(&format!("{name}.keystore.json")),
    )
    .unwrap();
    fs::write(secrets.join(format!("{name}.password")), password).unwrap();
    signer
}

/// Sets the dotted `path` of `table` to `value`, as an operator edits the file.
fn set(table: &mut toml::Table, path: &str, value: toml::Value) {
    let (parents, key) = path.rsplit_once('.').unwrap();
    let mut table = table;
    for segment in parents.split('.') {
        table = table
            .get_mut(segment)
            .and_then(toml::Value::as_table_mut)
            .unwrap_or_else(|| panic!("production.toml has no [{parents}]"));
    }
    assert!(table.contains_key(key), "production.toml has no {path}");
    table.insert(key.to_owned(), value);
}
