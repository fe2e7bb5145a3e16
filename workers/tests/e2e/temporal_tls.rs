//! Mutual TLS to Temporal (`[temporal] tls`): the dev server speaks no TLS, so the test puts a
//! TLS-terminating proxy in front of it that requires a client certificate from the test's CA,
//! as a TLS-configured production frontend does. A worker and client connected by
//! `hedgeflow::temporal::connect`, the one way every role and the CLI connect, run a workflow
//! through it; a client with no certificate, one from another CA, and one speaking plaintext are
//! refused at the handshake.

use crate::support;

use hedgeflow::{
    config::TemporalConfig,
    dev::{process, temporal_server},
};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use std::{
    path::Path,
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};
use support::{tls_proxy::tls_proxy, worker::TestWorker};
use temporalio_client::{
    Connection, ConnectionOptions, TlsOptions, WorkflowGetResultOptions, WorkflowStartOptions,
};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{WorkflowContext, WorkflowResult};
use tokio::sync::OnceCell;

#[workflow]
#[derive(Default)]
pub struct GreetWorkflow;

#[workflow_methods]
impl GreetWorkflow {
    #[run]
    pub async fn run(_ctx: &mut WorkflowContext<Self>, name: String) -> WorkflowResult<String> {
        Ok(format!("hello {name}"))
    }
}

/// A CA, and certificates it signs.
struct Ca {
    params: CertificateParams,
    key: KeyPair,
    cert: rcgen::Certificate,
}

impl Ca {
    fn new() -> Ca {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let cert = params.self_signed(&key).unwrap();
        Ca { params, key, cert }
    }

    /// A certificate for `names` (and its key), signed by this CA.
    fn issue(&self, names: &[&str]) -> (rcgen::Certificate, KeyPair) {
        let key = KeyPair::generate().unwrap();
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let issuer = Issuer::from_params(&self.params, &self.key);
        let cert = CertificateParams::new(names)
            .unwrap()
            .signed_by(&key, &issuer)
            .unwrap();
        (cert, key)
    }
}

/// The module's Temporal dev server, shared by its tests (each has its own workflow ids), on
/// the static runtime of `support::run`; its port.
async fn dev_server() -> u16 {
    static SERVER: OnceCell<(process::Supervised, u16, tempfile::TempDir)> = OnceCell::const_new();
    let (_, port, _) = SERVER
        .get_or_init(|| async {
            let dir = support::process_dir().unwrap();
            let port = process::free_port();
            let server = temporal_server::start(&temporal_server::Options {
                port,
                ui_port: None,
                db_file: None,
                log: dir.path().join("temporal.log"),
            })
            .await
            .unwrap();
            (server, port, dir)
        })
        .await;
    *port
}

/// Connects as a role does, runs a worker there and a workflow on it; returns once it completed.
async fn greet_through(config: &TemporalConfig, workflow_id: &str) {
    let client = hedgeflow::temporal::connect(config, "tls-test")
        .await
        .unwrap();
    // The tests share a server: each has its own queue.
    let queue = workflow_id;
    let _worker = TestWorker::start::<GreetWorkflow>(client.clone(), queue);
    let handle = client
        .start_workflow(
            GreetWorkflow::run,
            "ops".to_owned(),
            WorkflowStartOptions::new(queue, workflow_id).build(),
        )
        .await
        .unwrap();
    let answer = tokio::time::timeout(
        Duration::from_secs(60),
        handle.get_result(WorkflowGetResultOptions::default()),
    )
    .await
    .expect("the workflow to complete through the proxy")
    .unwrap();
    assert_eq!(answer, "hello ops");
}

/// Whether the proxy has refused a handshake since it had refused `before`: the client can see
/// its connection fail before the proxy's task has counted the refusal, so this waits up to 5 s.
async fn refused_since(refused: &AtomicUsize, before: usize) -> bool {
    for _ in 0..100 {
        if refused.load(Ordering::SeqCst) > before {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

fn write(dir: &Path, name: &str, pem: String) -> String {
    let path = dir.join(name);
    std::fs::write(&path, pem).unwrap();
    path.display().to_string()
}

/// `[temporal]` for the proxy on `port`, with `tls` as the TOML of its `tls` table.
fn temporal_config(port: u16, tls: &str) -> TemporalConfig {
    let text = format!(
        "address = \"https://localhost:{port}\"\nui-url = \"http://localhost:8233\"\n\
         grpc-compression = \"none\"\ntls = {tls}\n"
    );
    toml::from_str(&text).unwrap()
}

#[test]
fn a_role_with_a_client_certificate_works_through_mutual_tls_and_others_are_refused() {
    support::run(mutual_tls_admits_only_certificates_from_its_ca());
}

async fn mutual_tls_admits_only_certificates_from_its_ca() {
    let dir = tempfile::tempdir().unwrap();
    let temporal_port = dev_server().await;
    let (server_ca, client_ca, stranger_ca) = (Ca::new(), Ca::new(), Ca::new());
    let (server_cert, server_key) = server_ca.issue(&["localhost"]);
    let (port, refused) = tls_proxy(
        temporal_port,
        (
            server_cert.pem().as_bytes(),
            server_key.serialize_pem().as_bytes(),
        ),
        client_ca.cert.pem().as_bytes(),
    )
    .await;
    let ca = write(dir.path(), "ca.pem", server_ca.cert.pem());
    let (cert, key) = client_ca.issue(&["orchestrator"]);
    let cert = write(dir.path(), "client.pem", cert.pem());
    let key = write(dir.path(), "client.key", key.serialize_pem());
    let (stranger, stranger_key) = stranger_ca.issue(&["orchestrator"]);
    let stranger = write(dir.path(), "stranger.pem", stranger.pem());
    let stranger_key = write(dir.path(), "stranger.key", stranger_key.serialize_pem());

    // A role's connection: a worker polls through the proxy and a client's workflow completes.
    let config = temporal_config(
        port,
        &format!("{{ ca = \"{ca}\", cert = \"{cert}\", key = \"{key}\" }}"),
    );
    greet_through(&config, "tls-greeting").await;
    assert_eq!(
        refused.load(Ordering::SeqCst),
        0,
        "the role's handshakes all passed"
    );

    // A certificate from another CA: refused.
    let config = temporal_config(
        port,
        &format!("{{ ca = \"{ca}\", cert = \"{stranger}\", key = \"{stranger_key}\" }}"),
    );
    let error = hedgeflow::temporal::connect(&config, "stranger").await;
    assert!(error.is_err(), "a stranger's certificate must not connect");
    assert!(refused_since(&refused, 0).await);

    // No client certificate at all: refused.
    let before = refused.load(Ordering::SeqCst);
    let server_only = TlsOptions::builder()
        .server_root_ca_cert(std::fs::read(&ca).unwrap())
        .build();
    let options = ConnectionOptions::new(url(&format!("https://localhost:{port}")))
        .tls_options(server_only)
        .build();
    assert!(
        Connection::connect(options).await.is_err(),
        "no certificate must not connect"
    );
    assert!(refused_since(&refused, before).await);

    // Plaintext to the TLS port: refused.
    let before = refused.load(Ordering::SeqCst);
    let options = ConnectionOptions::new(url(&format!("http://localhost:{port}"))).build();
    assert!(
        Connection::connect(options).await.is_err(),
        "plaintext must not connect"
    );
    assert!(refused_since(&refused, before).await);

    // Config that cannot work is refused before connecting, naming what is wrong.
    let missing = temporal_config(
        port,
        "{ ca = \"/nonexistent/ca.pem\", cert = \"c\", key = \"k\" }",
    );
    let error = hedgeflow::temporal::connect(&missing, "x")
        .await
        .unwrap_err();
    assert!(
        format!("{error:#}").contains("temporal.tls.ca: /nonexistent/ca.pem"),
        "{error:#}"
    );
}

fn url(text: &str) -> reqwest::Url {
    text.parse().unwrap()
}

/// The certificates `deploy/temporal-tls-certs` makes for docker-compose.temporal.yml work: the
/// server's for the name `temporal` (production.toml's `tls.domain`), a role's signed by the CA.
#[test]
fn the_compose_stacks_certificates_authenticate_a_role_to_the_frontend() {
    support::run(compose_certificates_authenticate_a_role());
}

async fn compose_certificates_authenticate_a_role() {
    let dir = tempfile::tempdir().unwrap();
    let certs = dir.path().join("temporal");
    support::tls_proxy::compose_certs(&certs);
    let temporal_port = dev_server().await;
    let read = |name: &str| std::fs::read(certs.join(name)).unwrap();
    let (server, server_key, ca) = (read("server.pem"), read("server.key"), read("ca.pem"));
    let (port, refused) = tls_proxy(temporal_port, (&server, &server_key), &ca).await;
    let file = |name: &str| certs.join(name).display().to_string();
    let config = temporal_config(
        port,
        &format!(
            "{{ ca = \"{}\", cert = \"{}\", key = \"{}\", domain = \"temporal\" }}",
            file("ca.pem"),
            file("orchestrator.pem"),
            file("orchestrator.key")
        ),
    );
    greet_through(&config, "compose-certs").await;
    assert_eq!(refused.load(Ordering::SeqCst), 0);
}
