//! Mutual TLS to Temporal (`[temporal] tls`): the dev server speaks no TLS, so the test puts a
//! TLS-terminating proxy in front of it that requires a client certificate from the test's CA,
//! as a TLS-configured production frontend does. A worker and client connected by
//! `hedgeflow::temporal::connect`, the one way every role and the CLI connect, run a workflow
//! through it; a client with no certificate, one from another CA, and one speaking plaintext are
//! refused at the handshake.

use hedgeflow::{
    config::TemporalConfig,
    dev::{process, temporal_server},
};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use rustls::{
    RootCertStore, ServerConfig,
    pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer},
    server::WebPkiClientVerifier,
};
use std::{
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};
use temporalio_client::{
    Connection, ConnectionOptions, TlsOptions, WorkflowGetResultOptions, WorkflowStartOptions,
};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{Worker, WorkerOptions, WorkflowContext, WorkflowResult};
use tokio_rustls::TlsAcceptor;

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

/// Terminates TLS on a free port, requiring a client certificate signed by `clients`, and
/// forwards the plaintext to `upstream`; counts the handshakes it refused.
async fn tls_proxy(upstream: u16, server: &Ca, clients: &Ca) -> (u16, Arc<AtomicUsize>) {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    roots.add(clients.cert.der().clone()).unwrap();
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .unwrap();
    let (cert, key) = server.issue(&["localhost"]);
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![CertificateDer::from(cert.der().to_vec())], key)
        .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec()];
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let refused = Arc::new(AtomicUsize::new(0));
    let counted = refused.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (acceptor, refused) = (acceptor.clone(), counted.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    refused.fetch_add(1, Ordering::SeqCst);
                    return;
                };
                if let Ok(mut up) = tokio::net::TcpStream::connect(("127.0.0.1", upstream)).await {
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut up).await;
                }
            });
        }
    });
    (port, refused)
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_with_a_client_certificate_works_through_mutual_tls_and_others_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let temporal_port = process::free_port();
    let _server = temporal_server::start(&temporal_server::Options {
        port: temporal_port,
        ui_port: None,
        db_file: None,
        log: dir.path().join("temporal.log"),
    })
    .await
    .unwrap();
    let (server_ca, client_ca, stranger_ca) = (Ca::new(), Ca::new(), Ca::new());
    let (port, refused) = tls_proxy(temporal_port, &server_ca, &client_ca).await;
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
    let client = hedgeflow::temporal::connect(&config, "tls-test").await.unwrap();
    let queue = "tls-test".to_owned();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (worker_client, worker_queue) = (client.clone(), queue.clone());
    // A worker is not `Send`: it runs on a thread and runtime of its own.
    let worker = std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async move {
                let runtime = hedgeflow::telemetry::runtime(None).unwrap();
                let options = WorkerOptions::new(worker_queue)
                    .register_workflow::<GreetWorkflow>()
                    .unwrap()
                    .build();
                let mut worker = Worker::new(&runtime, worker_client, options).unwrap();
                tokio::select! {
                    ran = worker.run() => ran.unwrap(),
                    _ = stopped => {}
                }
            })
    });
    let handle = client
        .start_workflow(
            GreetWorkflow::run,
            "ops".to_owned(),
            WorkflowStartOptions::new(queue, "tls-greeting").build(),
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
    let _ = stop.send(());
    worker.join().unwrap();
    assert_eq!(refused.load(Ordering::SeqCst), 0, "the role's handshakes all passed");

    // A certificate from another CA: refused.
    let config = temporal_config(
        port,
        &format!("{{ ca = \"{ca}\", cert = \"{stranger}\", key = \"{stranger_key}\" }}"),
    );
    let error = hedgeflow::temporal::connect(&config, "stranger").await;
    assert!(error.is_err(), "a stranger's certificate must not connect");
    assert!(refused.load(Ordering::SeqCst) >= 1);

    // No client certificate at all: refused.
    let before = refused.load(Ordering::SeqCst);
    let server_only = TlsOptions::builder()
        .server_root_ca_cert(std::fs::read(&ca).unwrap())
        .build();
    let options = ConnectionOptions::new(url(&format!("https://localhost:{port}")))
        .tls_options(server_only)
        .build();
    assert!(Connection::connect(options).await.is_err(), "no certificate must not connect");
    assert!(refused.load(Ordering::SeqCst) > before);

    // Plaintext to the TLS port: refused.
    let before = refused.load(Ordering::SeqCst);
    let options =
        ConnectionOptions::new(url(&format!("http://localhost:{port}"))).build();
    assert!(Connection::connect(options).await.is_err(), "plaintext must not connect");
    assert!(refused.load(Ordering::SeqCst) > before);

    // Config that cannot work is refused before connecting, naming what is wrong.
    let missing = temporal_config(
        port,
        "{ ca = \"/nonexistent/ca.pem\", cert = \"c\", key = \"k\" }",
    );
    let error = hedgeflow::temporal::connect(&missing, "x").await.unwrap_err();
    assert!(format!("{error:#}").contains("temporal.tls.ca: /nonexistent/ca.pem"), "{error:#}");
}

fn url(text: &str) -> reqwest::Url {
    text.parse().unwrap()
}
