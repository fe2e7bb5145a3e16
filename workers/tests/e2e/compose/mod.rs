//! Checks `docker-compose.temporal.yml` against the real configuration parser, without Docker.
//!
//! The file is read as YAML and interpreted the way Compose would for the parts that matter: each
//! hedgeflow role's command, mounted config file and `HEDGEFLOW__…` overrides must make a config
//! that `Config::parse` accepts (`deny_unknown_fields` turns a misspelt key into a failure), the
//! published metrics ports must be the configured ones (and Prometheus must scrape them and load
//! the alert rules), and secrets must stay with their role.

mod boot;

use hedgeflow::config::{Config, ENV_PREFIX};
use hedgeflow_activities::chain::signer::{SecretRef, SignerSource};
use serde_yaml::{Mapping, Value};
use std::{
    collections::BTreeSet,
    fs,
    path::{Path, PathBuf},
};

const COMPOSE_FILE: &str = "docker-compose.temporal.yml";
/// The hedgeflow roles that run as containers of their own.
const ROLES: [&str; 8] = [
    "orchestrator",
    "hot-wallet",
    "indexer",
    "exchange",
    "price-signer",
    "hedger-api",
    "obm",
    "dealer",
];
/// The roles that serve Prometheus metrics (those that run a Temporal worker or the hedger API).
const METRICS_ROLES: [&str; 6] = [
    "orchestrator",
    "hot-wallet",
    "indexer",
    "exchange",
    "price-signer",
    "hedger-api",
];
/// Prometheus's config and alert rules, relative to the repository root.
const PROMETHEUS_FILES: [(&str, &str); 2] = [
    (
        "deploy/prometheus/prometheus.yml",
        "/etc/prometheus/prometheus.yml",
    ),
    ("deploy/prometheus/alerts.yml", "/etc/prometheus/alerts.yml"),
];
/// Where Grafana's container sees deploy/grafana/dashboards.
const GRAFANA_DASHBOARDS: &str = "/var/lib/grafana/dashboards";
/// The docker secrets that carry the signing key.
const KEY_SECRETS: [&str; 2] = ["hot-wallet.keystore.json", "hot-wallet.password"];
/// The config file the containers mount, relative to the repository root.
const PRODUCTION_CONFIG: &str = "config/production.toml";
/// What an interpolated `${VAR}` becomes (Compose would take it from the host's environment).
const DUMMY: &str = "dummy";

#[test]
fn the_stack_has_every_service_and_publishes_temporal_and_its_ui() {
    let compose = Compose::load();
    for name in [
        "postgresql",
        "temporal",
        "temporal-admin-tools",
        "temporal-ui",
        "hedgeflow-db",
        "prometheus",
        "grafana",
    ]
    .into_iter()
    .chain(ROLES)
    {
        compose.service(name);
    }
    for (name, service) in compose.services() {
        for dependency in keys_or_items(service.get("depends_on")) {
            assert!(
                compose.services().any(|(other, _)| other == dependency),
                "service `{name}` depends on `{dependency}`, which is not a service"
            );
        }
    }
    for (name, port) in [("temporal", 7233), ("temporal-ui", 8080)] {
        assert!(
            ports(compose.service(name), name).contains(&Port {
                host: Some(port),
                container: port
            }),
            "service `{name}` must publish port {port} on the host as {port}"
        );
    }
}

#[test]
fn each_role_runs_its_subcommand_with_the_mounted_config_and_valid_overrides() {
    let compose = Compose::load();
    for name in ROLES {
        let role = Role::load(&compose, name);
        assert_eq!(
            role.config_file,
            compose.root.join(PRODUCTION_CONFIG),
            "`{name}` must mount {PRODUCTION_CONFIG} as its config file"
        );
        assert!(
            role.config.dev.is_none(),
            "{PRODUCTION_CONFIG} must not configure the embedded dev stack"
        );
        let image_entrypoint = compose.image_entrypoint(name);
        assert!(
            image_entrypoint.contains("hedgeflow"),
            "`{name}`'s command is arguments to the hedgeflow binary, so the image's ENTRYPOINT \
             must run it; found {image_entrypoint:?}"
        );
    }
}

#[test]
fn overrides_replace_keys_the_config_file_declares() {
    // Under maps (metrics, chains, tokens) a misspelt key would add an entry instead of failing,
    // so every override must name a key the file already has.
    let compose = Compose::load();
    let text = read(&compose.root.join(PRODUCTION_CONFIG));
    let file: toml::Table = text
        .parse()
        .unwrap_or_else(|error| panic!("{PRODUCTION_CONFIG} is not valid TOML: {error}"));
    for name in ROLES {
        for (key, _) in Role::load(&compose, name).overrides {
            let path = key
                .strip_prefix(ENV_PREFIX)
                .expect("overrides are filtered by the prefix");
            assert!(
                declares(&file, path),
                "`{name}` sets {key}, but {PRODUCTION_CONFIG} has no such key to override"
            );
        }
    }
}

#[test]
fn a_misspelt_override_is_rejected() {
    // What the other tests rely on: the parser refuses keys it does not know.
    let text = read(&Compose::load().root.join(PRODUCTION_CONFIG));
    let typo = [(
        format!("{ENV_PREFIX}DATABASE__URLL"),
        "postgres://db/x".to_owned(),
    )];
    assert!(
        Config::parse(&text, typo).is_err(),
        "a misspelt override must make the config invalid"
    );
}

#[test]
fn each_role_publishes_its_configured_metrics_port() {
    let compose = Compose::load();
    for name in METRICS_ROLES {
        let role = Role::load(&compose, name);
        let address = role
            .config
            .metrics_addr(name)
            .unwrap_or_else(|| panic!("{PRODUCTION_CONFIG} has no metrics.{name}"));
        assert!(
            address.ip().is_unspecified(),
            "metrics.{name} ({address}) must bind all interfaces to be reachable from outside \
             its container"
        );
        let exposed: Vec<u16> = ports(compose.service(name), name)
            .into_iter()
            .map(|port| port.container)
            .collect();
        assert!(
            exposed.contains(&address.port()),
            "`{name}` exposes ports {exposed:?}, but its metrics are on {}",
            address.port()
        );
    }
}

#[test]
fn prometheus_scrapes_every_role_and_loads_the_alert_rules() {
    let compose = Compose::load();
    let prometheus = compose.service("prometheus");
    let mounts = mounts(prometheus, "prometheus");
    for (file, target) in PROMETHEUS_FILES {
        assert!(
            mounts
                .iter()
                .any(|mount| mount.source == format!("./{file}")
                    && mount.target == target
                    && mount.read_only),
            "`prometheus` must mount ./{file} read-only at {target}"
        );
    }
    let config_file = compose.root.join(PROMETHEUS_FILES[0].0);
    let config: Value = serde_yaml::from_str(&read(&config_file))
        .unwrap_or_else(|error| panic!("{} is not YAML: {error}", config_file.display()));
    let targets: BTreeSet<&str> = items(config.get("scrape_configs"))
        .flat_map(|job| items(job.get("static_configs")))
        .flat_map(|group| items(group.get("targets")))
        .filter_map(Value::as_str)
        .collect();
    for name in METRICS_ROLES {
        let port = Role::load(&compose, name)
            .config
            .metrics_addr(name)
            .unwrap_or_else(|| panic!("{PRODUCTION_CONFIG} has no metrics.{name}"))
            .port();
        let target = format!("{name}:{port}");
        assert!(
            targets.contains(target.as_str()),
            "{} must scrape `{name}` at {target}; it scrapes {targets:?}",
            config_file.display()
        );
    }
    let rules = items(config.get("rule_files"))
        .filter_map(Value::as_str)
        .collect::<Vec<_>>();
    assert!(
        rules.contains(&PROMETHEUS_FILES[1].1),
        "{} must load {}; it loads {rules:?}",
        config_file.display(),
        PROMETHEUS_FILES[1].1
    );
}

#[test]
fn grafana_loads_every_pipeline_dashboard_from_the_repository() {
    let compose = Compose::load();
    let grafana = compose.service("grafana");
    let mounts = mounts(grafana, "grafana");
    for (source, target) in [
        ("./deploy/grafana/provisioning", "/etc/grafana/provisioning"),
        ("./deploy/grafana/dashboards", GRAFANA_DASHBOARDS),
    ] {
        assert!(
            mounts
                .iter()
                .any(|mount| mount.source == source && mount.target == target && mount.read_only),
            "`grafana` must mount {source} read-only at {target}"
        );
    }
    assert!(
        keys_or_items(grafana.get("depends_on")).any(|name| name == "prometheus"),
        "`grafana` must depend on `prometheus`"
    );
    let provider = compose
        .root
        .join("deploy/grafana/provisioning/dashboards/hedgeflow.yml");
    let provider: Value = serde_yaml::from_str(&read(&provider)).expect("provider YAML");
    let paths: Vec<&str> = items(provider.get("providers"))
        .filter_map(|p| p.get("options")?.get("path")?.as_str())
        .collect();
    assert_eq!(
        paths,
        [GRAFANA_DASHBOARDS],
        "the provider reads the mounted dashboards"
    );
}

#[test]
fn roles_reach_temporal_and_the_database_by_service_name() {
    let compose = Compose::load();
    for name in ROLES {
        let config = Role::load(&compose, name).config;
        let temporal = &config.temporal.address;
        assert_eq!(
            (temporal.host_str(), temporal.port()),
            (Some("temporal"), Some(7233)),
            "`{name}` must reach the `temporal` service's frontend, not {temporal}"
        );
    }
    let orchestrator = Role::load(&compose, "orchestrator").config;
    let database = url::Url::parse(&orchestrator.database.url)
        .expect("the orchestrator's database URL must be a URL");
    assert_eq!(
        database.scheme(),
        "postgres",
        "the orchestrator must use PostgreSQL"
    );
    assert_eq!(
        database.host_str(),
        Some("hedgeflow-db"),
        "the orchestrator must use the `hedgeflow-db` service"
    );
    assert!(
        database.password().is_some(),
        "the orchestrator's database URL must carry the password from the environment"
    );
}

#[test]
fn only_the_orchestrator_sees_database_credentials() {
    let compose = Compose::load();
    let hot_wallet = compose.service("hot-wallet");
    assert!(
        hot_wallet.get("env_file").is_none(),
        "`hot-wallet` must not read an env_file: its environment is spelt out in {COMPOSE_FILE}"
    );
    for (key, value) in environment(hot_wallet, "hot-wallet") {
        let value = value.unwrap_or_default().to_ascii_lowercase();
        assert!(
            !key.to_ascii_uppercase().contains("DATABASE"),
            "`hot-wallet` must not be given database settings, but sets {key}"
        );
        assert!(
            !value.contains("postgres://") && !value.contains("postgresql://"),
            "`hot-wallet` must not see a PostgreSQL URL, but {key} holds one"
        );
    }
    assert!(
        networks(hot_wallet).is_disjoint(&networks(compose.service("hedgeflow-db"))),
        "`hot-wallet` must share no network with `hedgeflow-db`"
    );

    let file = read(&compose.root.join(PRODUCTION_CONFIG));
    let config = Config::parse(&file, [])
        .unwrap_or_else(|error| panic!("{PRODUCTION_CONFIG} must parse on its own: {error:#}"));
    let url = url::Url::parse(&config.database.url)
        .expect("the database URL placeholder in the config file must be a URL");
    assert!(
        url.password().is_none(),
        "{PRODUCTION_CONFIG} is mounted into every role, so its database URL must carry no password"
    );
}

/// The database's writer credentials go to the roles that write (orchestrator, dealer), the
/// hedger API reads as the read-only user the database creates at its first start, and the rest
/// get no password and no route to the database.
#[test]
fn each_role_gets_the_database_rights_it_needs_and_no_more() {
    let compose = Compose::load();
    let password = |url: &str| {
        url::Url::parse(url)
            .ok()
            .and_then(|u| u.password().map(str::to_owned))
    };
    for name in ROLES {
        let config = Role::load(&compose, name).config;
        let service = compose.service(name);
        let on_db_network = networks(service).contains("hedgeflow-db");
        let writer = password(&config.database.url).is_some();
        let reader = config
            .database
            .read_url
            .as_deref()
            .and_then(password)
            .is_some();
        let expected = match name {
            "orchestrator" | "dealer" => (true, false, true),
            "hedger-api" => (false, true, true),
            _ => (false, false, false),
        };
        assert_eq!(
            (writer, reader, on_db_network),
            expected,
            "`{name}`: (writer password, reader password, on the database's network)"
        );
        let user = match name {
            "hedger-api" => config.database.read_url.as_deref(),
            "orchestrator" | "dealer" => Some(config.database.url.as_str()),
            _ => None,
        };
        if let Some(url) = user {
            let url = url::Url::parse(url).unwrap();
            let expected = match name {
                // the schema's owner: it migrates
                "orchestrator" => "hedgeflow",
                "dealer" => "hedgeflow_dealer",
                _ => "hedgeflow_reader",
            };
            assert_eq!(url.username(), expected, "`{name}`'s database user");
            assert_eq!(url.host_str(), Some("hedgeflow-db"));
        }
    }
    // The database creates the reader and the dealer's user at its first start, from the
    // repository's SQL.
    let db = compose.service("hedgeflow-db");
    let mounted: Vec<(String, String)> = mounts(db, "hedgeflow-db")
        .into_iter()
        .map(|mount| (mount.source, mount.target))
        .collect();
    for (source, target) in [
        (
            "./deploy/postgres/10-users.sh",
            "/docker-entrypoint-initdb.d/10-users.sh",
        ),
        (
            "./deploy/postgres/reader.sql",
            "/docker-entrypoint-initdb.d/reader.sql.in",
        ),
        (
            "./deploy/postgres/dealer.sql",
            "/docker-entrypoint-initdb.d/dealer.sql.in",
        ),
    ] {
        assert!(
            mounted.iter().any(|(s, t)| s == source && t == target),
            "`hedgeflow-db` must mount {source} at {target}"
        );
        assert!(compose.root.join(source).is_file(), "{source} exists");
    }
    for password in ["HEDGEFLOW_READER_PASSWORD", "HEDGEFLOW_DEALER_DB_PASSWORD"] {
        assert!(
            environment(db, "hedgeflow-db")
                .iter()
                .any(|(key, _)| key == password),
            "`hedgeflow-db` must be given {password}"
        );
    }
}

#[test]
fn only_the_hot_wallet_sees_the_signing_key() {
    let compose = Compose::load();
    let orchestrator: Vec<String> = secrets(compose.service("orchestrator"), "orchestrator")
        .into_iter()
        .map(|secret| secret.source)
        .collect();
    assert_eq!(
        orchestrator,
        temporal_client_secrets("orchestrator"),
        "`orchestrator` must be given no secrets but its Temporal client certificate"
    );
    for (name, service) in compose.services() {
        let given: Vec<String> = secrets(service, name)
            .into_iter()
            .map(|secret| secret.source)
            .collect();
        if name == "hot-wallet" {
            for key in KEY_SECRETS {
                assert!(
                    given.iter().any(|secret| secret == key),
                    "`hot-wallet` must be given the secret {key}"
                );
            }
        } else {
            for key in KEY_SECRETS {
                assert!(
                    !given.iter().any(|secret| secret == key),
                    "only `hot-wallet` may be given the secret {key}, but `{name}` is too"
                );
            }
            for mount in mounts(service, name) {
                assert!(
                    !mount.source.contains("secrets"),
                    "only `hot-wallet` may see key material, but `{name}` mounts {}",
                    mount.source
                );
            }
        }
    }

    let declared = compose
        .document
        .get("secrets")
        .and_then(Value::as_mapping)
        .unwrap_or_else(|| panic!("{COMPOSE_FILE} must declare its secrets at the top level"));
    for key in KEY_SECRETS {
        let file = declared
            .get(key)
            .and_then(|secret| secret.get("file"))
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("secret {key} must be declared with a `file`"));
        assert!(
            file.starts_with("./secrets/"),
            "secret {key} must come from a file under ./secrets/, not {file}"
        );
    }

    // Every file the signer reads is one of the hot wallet's secrets, so the key exists nowhere
    // else in the stack.
    let config = Role::load(&compose, "hot-wallet").config;
    let mounted: Vec<PathBuf> = secrets(compose.service("hot-wallet"), "hot-wallet")
        .into_iter()
        .map(|secret| secret.target)
        .collect();
    let read_files: Vec<&Path> = match &config.hot_wallet.signer {
        SignerSource::Keystore { path, password } => {
            let mut files = vec![path.as_path()];
            if let SecretRef::File(password) = password {
                files.push(password.as_path());
            }
            files
        }
        other => panic!("production signs from a keystore, not {other:?}"),
    };
    for file in read_files {
        assert!(
            mounted.iter().any(|target| target == file),
            "the signer reads {}, which is not one of `hot-wallet`'s secrets {mounted:?}",
            file.display()
        );
    }
}

/// The secrets of `client`'s mutual TLS to Temporal: the CA, and its own certificate and key.
fn temporal_client_secrets(client: &str) -> Vec<String> {
    vec![
        "temporal-ca.pem".into(),
        format!("temporal-{client}.pem"),
        format!("temporal-{client}.key"),
    ]
}

#[test]
fn every_temporal_client_shows_a_certificate_of_its_own_and_the_server_requires_one() {
    let compose = Compose::load();
    let declared = compose
        .document
        .get("secrets")
        .and_then(Value::as_mapping)
        .expect("top-level secrets");
    let mut keys = BTreeSet::new();
    // The roles that run a Temporal client (`obm` and `hedger-api` are none).
    let temporal_roles = ROLES
        .iter()
        .filter(|role| !["obm", "hedger-api"].contains(role));
    for name in temporal_roles {
        let config = Role::load(&compose, name).config;
        assert_eq!(config.temporal.address.scheme(), "https", "`{name}`");
        let tls = config
            .temporal
            .tls
            .unwrap_or_else(|| panic!("`{name}` must connect to Temporal over mutual TLS"));
        let given = secrets(compose.service(name), name);
        for (file, source) in [&tls.ca, &tls.cert, &tls.key]
            .into_iter()
            .zip(temporal_client_secrets(name))
        {
            assert!(
                given
                    .iter()
                    .any(|s| s.target == *file && s.source == source),
                "`{name}` reads {} for Temporal's TLS, which must be its secret {source}",
                file.display()
            );
            let path = declared
                .get(source.as_str())
                .and_then(|secret| secret.get("file"))
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("secret {source} must be declared with a file"));
            assert!(path.starts_with("./secrets/temporal/"), "{source}: {path}");
        }
        assert!(
            keys.insert(format!("temporal-{name}.key")),
            "`{name}` shares a key"
        );
    }
    for name in ["temporal-ui", "temporal-admin-tools"] {
        let client = name.trim_start_matches("temporal-");
        let given: Vec<String> = secrets(compose.service(name), name)
            .into_iter()
            .map(|secret| secret.source)
            .collect();
        assert_eq!(given, temporal_client_secrets(client), "`{name}`");
    }
    let server = environment(compose.service("temporal"), "temporal");
    for (key, value) in [
        ("TEMPORAL_TLS_REQUIRE_CLIENT_AUTH", "true"),
        (
            "TEMPORAL_TLS_CLIENT1_CA_CERT",
            "/run/secrets/temporal-ca.pem",
        ),
        (
            "TEMPORAL_TLS_FRONTEND_CERT",
            "/run/secrets/temporal-server.pem",
        ),
    ] {
        assert!(
            server
                .iter()
                .any(|(k, v)| k == key && v.as_deref() == Some(value)),
            "the `temporal` service must set {key}={value}"
        );
    }
}

#[test]
fn the_transaction_journal_is_on_a_named_volume() {
    let compose = Compose::load();
    let config = Role::load(&compose, "hot-wallet").config;
    let journal = &config.hot_wallet.journal;
    let volume = mounts(compose.service("hot-wallet"), "hot-wallet")
        .into_iter()
        .find(|mount| journal.starts_with(&mount.target))
        .unwrap_or_else(|| {
            panic!(
                "the journal {} is on no volume of `hot-wallet`",
                journal.display()
            )
        });
    assert!(
        volume.is_named(),
        "the journal must be on a named volume, not on {}",
        volume.source
    );
    assert!(!volume.read_only, "the journal's volume must be writable");
    let declared = compose
        .document
        .get("volumes")
        .and_then(Value::as_mapping)
        .is_some_and(|volumes| volumes.contains_key(volume.source.as_str()));
    assert!(
        declared,
        "volume {} must be declared at the top level of {COMPOSE_FILE}",
        volume.source
    );
}

#[test]
fn admin_tools_register_exactly_the_search_attributes() {
    let compose = Compose::load();
    let service = compose.service("temporal-admin-tools");
    let script = [service.get("entrypoint"), service.get("command")]
        .into_iter()
        .flat_map(|value| words(value, "temporal-admin-tools"))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        script.contains("search-attribute create"),
        "`temporal-admin-tools` must run `temporal operator search-attribute create`"
    );
    let tokens: Vec<&str> = script.split_whitespace().collect();
    let names = flag_values(&tokens, "--name");
    let types = flag_values(&tokens, "--type");
    assert_eq!(
        names.len(),
        types.len(),
        "each registered search attribute needs one --name and one --type: {names:?} {types:?}"
    );
    let mut registered: Vec<(&str, &str)> = names.into_iter().zip(types).collect();
    let mut expected = hedgeflow_proto::search::ALL.to_vec();
    registered.sort_unstable();
    expected.sort_unstable();
    assert_eq!(
        registered, expected,
        "the search attributes registered in {COMPOSE_FILE} must be exactly those the workflows \
         upsert (hedgeflow_proto::search::ALL)"
    );
}

/// The compose file, parsed, and the directory its relative paths start from.
struct Compose {
    root: PathBuf,
    document: Value,
}

impl Compose {
    fn load() -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("the workers crate lives inside the repository")
            .to_owned();
        let text = read(&root.join(COMPOSE_FILE));
        let document = serde_yaml::from_str(&text)
            .unwrap_or_else(|error| panic!("{COMPOSE_FILE} is not valid YAML: {error}"));
        Self { root, document }
    }

    fn services(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.document
            .get("services")
            .and_then(Value::as_mapping)
            .unwrap_or_else(|| panic!("{COMPOSE_FILE} has no `services` mapping"))
            .iter()
            .map(|(name, service)| {
                let name = name.as_str().expect("service names are strings");
                (name, service)
            })
    }

    fn service(&self, name: &str) -> &Value {
        self.document
            .get("services")
            .and_then(|services| services.get(name))
            .unwrap_or_else(|| panic!("{COMPOSE_FILE} has no service `{name}`"))
    }

    /// The ENTRYPOINT line of the Dockerfile the service is built from.
    fn image_entrypoint(&self, name: &str) -> String {
        let service = self.service(name);
        assert!(
            service.get("entrypoint").is_none(),
            "`{name}` must not override the image's entrypoint"
        );
        let build = service
            .get("build")
            .unwrap_or_else(|| panic!("`{name}` must be built from this repository"));
        let (context, dockerfile) = match build {
            Value::String(context) => (context.as_str(), "Dockerfile"),
            Value::Mapping(build) => (
                build.get("context").and_then(Value::as_str).unwrap_or("."),
                build
                    .get("dockerfile")
                    .and_then(Value::as_str)
                    .unwrap_or("Dockerfile"),
            ),
            other => {
                panic!("`{name}` has a `build` that is neither a path nor a mapping: {other:?}")
            }
        };
        let dockerfile = self.root.join(context).join(dockerfile);
        read(&dockerfile)
            .lines()
            .rfind(|line| line.trim_start().starts_with("ENTRYPOINT"))
            .unwrap_or_else(|| panic!("{} has no ENTRYPOINT", dockerfile.display()))
            .to_owned()
    }
}

/// A hedgeflow role as its container would start it.
struct Role {
    /// The host file mounted where the command's `--config` points.
    config_file: PathBuf,
    /// The service's `HEDGEFLOW__…` environment, interpolated.
    overrides: Vec<(String, String)>,
    config: Config,
}

impl Role {
    fn load(compose: &Compose, name: &str) -> Self {
        let service = compose.service(name);
        let command = words(service.get("command"), name);
        assert!(
            command.iter().any(|word| word == name),
            "`{name}`'s command must name its subcommand `{name}`: {command:?}"
        );
        let config_path = flag_values(
            &command.iter().map(String::as_str).collect::<Vec<_>>(),
            "--config",
        )
        .first()
        .map(|path| (*path).to_owned())
        .unwrap_or_else(|| panic!("`{name}`'s command must pass --config <file>: {command:?}"));

        let mount = mounts(service, name)
            .into_iter()
            .find(|mount| Path::new(&mount.target) == Path::new(&config_path))
            .unwrap_or_else(|| panic!("`{name}` mounts nothing at its config path {config_path}"));
        assert!(
            mount.read_only,
            "`{name}` must mount its config file read-only"
        );
        assert!(
            !mount.is_named(),
            "`{name}`'s config must be a file from the repository"
        );
        let config_file = compose.root.join(
            mount
                .source
                .strip_prefix("./")
                .unwrap_or(mount.source.as_str()),
        );
        assert!(
            config_file.is_file(),
            "`{name}` mounts {}, which does not exist",
            config_file.display()
        );

        let mut overrides = Vec::new();
        for (key, value) in environment(service, name) {
            if key.starts_with(ENV_PREFIX) {
                let value = value.unwrap_or_else(|| {
                    panic!("`{name}` passes {key} through from the host; give it a value to check")
                });
                overrides.push((key, interpolate(&value)));
            }
        }
        let config =
            Config::parse(&read(&config_file), overrides.clone()).unwrap_or_else(|error| {
                panic!(
                    "`{name}`'s config ({} with its HEDGEFLOW__ environment) is invalid: {error:#}",
                    config_file.display()
                )
            });
        Self {
            config_file,
            overrides,
            config,
        }
    }
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|error| panic!("reading {}: {error}", path.display()))
}

/// A YAML scalar as Compose reads it in environment entries.
fn scalar(value: &Value, what: &str) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        other => panic!("{what} must be a scalar, not {other:?}"),
    }
}

/// A command or entrypoint: a list of words, or a string split on whitespace.
fn words(value: Option<&Value>, service: &str) -> Vec<String> {
    match value {
        None => Vec::new(),
        Some(Value::String(text)) => text.split_whitespace().map(str::to_owned).collect(),
        Some(Value::Sequence(items)) => items
            .iter()
            .map(|item| {
                scalar(item, &format!("a command word of `{service}`"))
                    .unwrap_or_else(|| panic!("`{service}` has an empty command word"))
            })
            .collect(),
        Some(other) => panic!("`{service}` has a command that is not a list or string: {other:?}"),
    }
}

/// The values given to `flag`, as `flag value` or `flag=value`, in order.
fn flag_values<'a>(tokens: &[&'a str], flag: &str) -> Vec<&'a str> {
    let mut values = Vec::new();
    let mut tokens = tokens.iter();
    while let Some(token) = tokens.next() {
        if *token == flag {
            if let Some(value) = tokens.next() {
                values.push(*value);
            }
        } else if let Some(value) = token
            .strip_prefix(flag)
            .and_then(|rest| rest.strip_prefix('='))
        {
            values.push(value);
        }
    }
    values
}

/// The service's environment, from a `- KEY=VALUE` list or a `KEY: VALUE` map. A key without a
/// value is passed through from the host.
fn environment(service: &Value, name: &str) -> Vec<(String, Option<String>)> {
    match service.get("environment") {
        None => Vec::new(),
        Some(Value::Sequence(items)) => items
            .iter()
            .map(|item| {
                let entry = item
                    .as_str()
                    .unwrap_or_else(|| panic!("`{name}` has a non-string environment entry"));
                match entry.split_once('=') {
                    Some((key, value)) => (key.to_owned(), Some(value.to_owned())),
                    None => (entry.to_owned(), None),
                }
            })
            .collect(),
        Some(Value::Mapping(entries)) => entries
            .iter()
            .map(|(key, value)| {
                let key = key
                    .as_str()
                    .unwrap_or_else(|| panic!("`{name}` has a non-string environment key"))
                    .to_owned();
                let value = scalar(value, &format!("`{name}`'s {key}"));
                (key, value)
            })
            .collect(),
        Some(other) => panic!("`{name}` has an environment that is not a list or map: {other:?}"),
    }
}

/// Compose's interpolation: `$$` is a dollar sign, `${VAR:-default}` and `${VAR-default}` become
/// the default, and any other `${VAR…}` or `$VAR` becomes [`DUMMY`].
fn interpolate(text: &str) -> String {
    interpolate_with(text, |_| DUMMY.to_owned())
}

/// [`interpolate`], taking a variable's value from `value`.
fn interpolate_with(text: &str, value: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(braced) = after.strip_prefix('{') {
            let end = braced
                .find('}')
                .unwrap_or_else(|| panic!("unterminated ${{ in {text:?}"));
            let expression = &braced[..end];
            let length = variable_length(expression);
            let operator = &expression[length..];
            match operator
                .strip_prefix(":-")
                .or_else(|| operator.strip_prefix('-'))
            {
                Some(default) => out.push_str(default),
                None => out.push_str(&value(&expression[..length])),
            }
            rest = &braced[end + 1..];
        } else {
            let length = variable_length(after);
            if length == 0 {
                out.push('$');
            } else {
                out.push_str(&value(&after[..length]));
            }
            rest = &after[length..];
        }
    }
    out.push_str(rest);
    out
}

fn variable_length(text: &str) -> usize {
    text.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len())
}

/// Whether the TOML file has the key an override path (`SECTION__SUB__KEY`) names, with the same
/// translation the config loader applies.
fn declares(file: &toml::Table, path: &str) -> bool {
    let mut table = file;
    let segments: Vec<String> = path
        .split("__")
        .map(|segment| segment.to_ascii_lowercase().replace('_', "-"))
        .collect();
    let Some((last, parents)) = segments.split_last() else {
        return false;
    };
    for segment in parents {
        match table.get(segment).and_then(toml::Value::as_table) {
            Some(inner) => table = inner,
            None => return false,
        }
    }
    table.contains_key(last)
}

#[derive(Debug, PartialEq, Eq)]
struct Port {
    /// The host port, when published on a fixed one.
    host: Option<u16>,
    container: u16,
}

/// The service's `ports` (short or long syntax) and `expose` entries.
fn ports(service: &Value, name: &str) -> Vec<Port> {
    let number = |text: &str| -> u16 {
        let text = text.split('/').next().unwrap_or(text);
        text.parse()
            .unwrap_or_else(|_| panic!("`{name}` has a port that is not a number: {text:?}"))
    };
    let mut found = Vec::new();
    for entry in items(service.get("ports")) {
        match entry {
            Value::Mapping(long) => {
                let container = long
                    .get("target")
                    .and_then(Value::as_u64)
                    .unwrap_or_else(|| panic!("`{name}` has a port without a numeric target"));
                let host = long
                    .get("published")
                    .and_then(|published| scalar(published, "a published port"))
                    .map(|published| number(&published));
                let container = u16::try_from(container)
                    .unwrap_or_else(|_| panic!("`{name}` has an out-of-range port {container}"));
                found.push(Port { host, container });
            }
            short => {
                let short = scalar(short, &format!("a port of `{name}`"))
                    .unwrap_or_else(|| panic!("`{name}` has an empty port entry"));
                // [IP:][HOST:]CONTAINER[/PROTOCOL]
                let mut parts = short.rsplitn(3, ':');
                let container = number(parts.next().expect("rsplitn yields at least one part"));
                let host = parts.next().map(number);
                found.push(Port { host, container });
            }
        }
    }
    for entry in items(service.get("expose")) {
        let port = scalar(entry, &format!("an exposed port of `{name}`"))
            .unwrap_or_else(|| panic!("`{name}` has an empty expose entry"));
        found.push(Port {
            host: None,
            container: number(&port),
        });
    }
    found
}

struct Mount {
    source: String,
    target: String,
    read_only: bool,
}

impl Mount {
    /// A named volume, as opposed to a path on the host.
    fn is_named(&self) -> bool {
        !self.source.is_empty() && !self.source.starts_with(['.', '/', '~'])
    }
}

/// The service's `volumes` (short or long syntax).
fn mounts(service: &Value, name: &str) -> Vec<Mount> {
    items(service.get("volumes"))
        .map(|entry| match entry {
            Value::String(short) => {
                // SOURCE:TARGET[:MODE], or a bare TARGET for an anonymous volume.
                let parts: Vec<&str> = short.split(':').collect();
                match parts.as_slice() {
                    [target] => Mount {
                        source: String::new(),
                        target: (*target).to_owned(),
                        read_only: false,
                    },
                    [source, target, modes @ ..] => Mount {
                        source: (*source).to_owned(),
                        target: (*target).to_owned(),
                        read_only: modes
                            .iter()
                            .any(|mode| mode.split(',').any(|option| option == "ro")),
                    },
                    [] => panic!("`{name}` has an empty volume entry"),
                }
            }
            Value::Mapping(long) => {
                let field = |key: &str| long.get(key).and_then(Value::as_str).map(str::to_owned);
                Mount {
                    source: field("source").unwrap_or_default(),
                    target: field("target")
                        .unwrap_or_else(|| panic!("`{name}` has a volume without a target")),
                    read_only: long
                        .get("read_only")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                }
            }
            other => {
                panic!("`{name}` has a volume entry that is neither string nor map: {other:?}")
            }
        })
        .collect()
}

struct Secret {
    source: String,
    /// Where the container sees it.
    target: PathBuf,
}

/// The service's `secrets` (short or long syntax); targets default to `/run/secrets/<source>`.
fn secrets(service: &Value, name: &str) -> Vec<Secret> {
    let run_secrets = Path::new("/run/secrets");
    items(service.get("secrets"))
        .map(|entry| match entry {
            Value::String(source) => Secret {
                source: source.clone(),
                target: run_secrets.join(source),
            },
            Value::Mapping(long) => {
                let source = long
                    .get("source")
                    .and_then(Value::as_str)
                    .unwrap_or_else(|| panic!("`{name}` has a secret without a source"))
                    .to_owned();
                let target = long
                    .get("target")
                    .and_then(Value::as_str)
                    .unwrap_or(source.as_str());
                Secret {
                    target: run_secrets.join(target),
                    source,
                }
            }
            other => {
                panic!("`{name}` has a secret entry that is neither string nor map: {other:?}")
            }
        })
        .collect()
}

/// The networks a service joins; Compose puts a service that names none on `default`.
fn networks(service: &Value) -> BTreeSet<String> {
    let named: BTreeSet<String> = keys_or_items(service.get("networks"))
        .map(str::to_owned)
        .collect();
    if named.is_empty() {
        BTreeSet::from(["default".to_owned()])
    } else {
        named
    }
}

/// The entries of a list, or nothing.
fn items(value: Option<&Value>) -> impl Iterator<Item = &Value> {
    value.and_then(Value::as_sequence).into_iter().flatten()
}

/// The names in a list of strings or in the keys of a map (`depends_on`, `networks`).
fn keys_or_items(value: Option<&Value>) -> impl Iterator<Item = &str> {
    let keys = value
        .and_then(Value::as_mapping)
        .into_iter()
        .flat_map(Mapping::keys);
    items(value).chain(keys).filter_map(Value::as_str)
}
