//! A TLS-terminating proxy that requires client certificates, in front of the Temporal dev
//! server (which speaks no TLS), as a production frontend configured for mutual TLS does; and
//! the certificates `deploy/temporal-tls-certs` makes for the compose stack.

use rustls::{
    RootCertStore, ServerConfig,
    pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject},
    server::WebPkiClientVerifier,
};
use std::{
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};
use tokio_rustls::TlsAcceptor;

/// Terminates TLS on a free port with the server pair `server` (PEM certificate, PEM key),
/// requiring a client certificate signed by `client_ca` (PEM), and forwards the plaintext to
/// `upstream`; counts the handshakes it refused.
pub async fn tls_proxy(
    upstream: u16,
    server: (&[u8], &[u8]),
    client_ca: &[u8],
) -> (u16, Arc<AtomicUsize>) {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(client_ca).unwrap())
        .unwrap();
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .unwrap();
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![CertificateDer::from_pem_slice(server.0).unwrap()],
            PrivateKeyDer::from_pem_slice(server.1).unwrap(),
        )
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

/// Runs `deploy/temporal-tls-certs` into `dir`: the compose stack's CA, the server's pair for
/// the name `temporal`, and a pair per Temporal client.
pub fn compose_certs(dir: &Path) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/temporal-tls-certs");
    let made = std::process::Command::new(script)
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
}
