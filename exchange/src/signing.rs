//! Request signatures with each kind of Binance API key, as Binance documents them (rest-api.md,
//! "SIGNED Endpoint Examples"; web-socket-api.md, "SIGNED request security"):
//!
//! - HMAC: the hex HMAC-SHA256 of the payload under the secret key.
//! - Ed25519 (Binance's recommendation): the base64 Ed25519 signature of the payload.
//! - RSA: the base64 RSASSA-PKCS1-v1_5 signature (SHA-256) of the payload.
//!
//! The payload is the same for every kind: REST signs the query string (followed by the body,
//! which this client never uses); the WebSocket API signs its parameters sorted by name,
//! `name=value` joined by `&`. A base64 signature holds `+`, `/` and `=`, so REST callers
//! percent-encode it like any other parameter (the WebSocket API sends it as a JSON string).
//!
//! Ed25519 and RSA private keys are read from unencrypted PKCS#8 PEM
//! (`-----BEGIN PRIVATE KEY-----`), the only format Binance's key generator writes and its docs
//! accept. [`Signer`] never shows key material: not in `Debug`, not in [`KeyError`].

use std::fmt;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};
use rustls_pki_types::PrivatePkcs8KeyDer;
use rustls_pki_types::pem::PemObject;
use sha2::Sha256;

use crate::error::Error;
use crate::key_kind::KeyKind;

/// Why a secret cannot sign as the configured kind. Says what was expected and what was found,
/// never any of the secret.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the secret key is empty")]
    Empty,
    #[error(
        "the secret key is a PEM key ({label}) but the key kind is hmac; set the key kind to \
         ed25519 or rsa"
    )]
    PemForHmac { label: String },
    #[error(
        "the {kind} key must be an unencrypted PKCS#8 PEM private key \
         (-----BEGIN PRIVATE KEY-----); found {found}"
    )]
    NotPkcs8 { kind: KeyKind, found: String },
    #[error("the PEM private key is not a valid {kind} key: {reason}")]
    Rejected { kind: KeyKind, reason: String },
}

/// What signs requests: one per API key, of its [`KeyKind`]. Cheap to clone (the key pairs are
/// shared).
#[derive(Clone)]
pub enum Signer {
    Hmac(Hmac<Sha256>),
    Ed25519(Arc<Ed25519KeyPair>),
    Rsa(Arc<RsaKeyPair>),
}

impl Signer {
    /// The signer of `kind` from the secret as kept: the secret key string for HMAC, the PKCS#8
    /// PEM private key for Ed25519 and RSA.
    pub fn new(kind: KeyKind, secret: &str) -> Result<Self, KeyError> {
        let secret = secret.trim();
        if secret.is_empty() {
            return Err(KeyError::Empty);
        }
        let label = pem_label(secret);
        if kind == KeyKind::Hmac {
            return match label {
                Some(label) => Err(KeyError::PemForHmac { label }),
                None => Ok(Signer::hmac(secret)),
            };
        }
        let not_pkcs8 = |found: String| KeyError::NotPkcs8 { kind, found };
        let pkcs8 = match label.as_deref() {
            Some("PRIVATE KEY") => PrivatePkcs8KeyDer::from_pem_slice(secret.as_bytes())
                .map_err(|e| not_pkcs8(format!("unreadable PEM ({e})")))?,
            Some(other) => return Err(not_pkcs8(format!("a PEM {other}"))),
            None => return Err(not_pkcs8("no PEM".into())),
        };
        let rejected = |e: ring::error::KeyRejected| KeyError::Rejected {
            kind,
            reason: e.to_string(),
        };
        Ok(match kind {
            KeyKind::Hmac => unreachable!("returned above"),
            // PKCS#8 v1 (OpenSSL's, Binance's generator's) carries no public key to check
            KeyKind::Ed25519 => Signer::Ed25519(Arc::new(
                Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8.secret_pkcs8_der())
                    .map_err(rejected)?,
            )),
            KeyKind::Rsa => Signer::Rsa(Arc::new(
                RsaKeyPair::from_pkcs8(pkcs8.secret_pkcs8_der()).map_err(rejected)?,
            )),
        })
    }

    /// The HMAC signer of `secret` as it is, unchecked (HMAC takes any key).
    pub fn hmac(secret: &str) -> Self {
        Signer::Hmac(Hmac::new_from_slice(secret.as_bytes()).expect("HMAC takes any key"))
    }

    pub fn kind(&self) -> KeyKind {
        match self {
            Signer::Hmac(_) => KeyKind::Hmac,
            Signer::Ed25519(_) => KeyKind::Ed25519,
            Signer::Rsa(_) => KeyKind::Rsa,
        }
    }

    /// The `signature` of `payload`: hex for HMAC, base64 for Ed25519 and RSA (not yet
    /// percent-encoded). Fails only if RSA signing fails, which a key ring accepted does not.
    pub fn sign(&self, payload: &str) -> Result<String, Error> {
        match self {
            Signer::Hmac(mac) => {
                let mut mac = mac.clone();
                mac.update(payload.as_bytes());
                Ok(hex::encode(mac.finalize().into_bytes()))
            }
            Signer::Ed25519(key) => Ok(BASE64.encode(key.sign(payload.as_bytes()))),
            Signer::Rsa(key) => {
                let mut signature = vec![0; key.public().modulus_len()];
                // PKCS#1 v1.5 is deterministic: the random source is not used for padding
                key.sign(
                    &RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    payload.as_bytes(),
                    &mut signature,
                )
                .map_err(|_| Error::Sign(KeyKind::Rsa))?;
                Ok(BASE64.encode(signature))
            }
        }
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signer({}, <redacted>)", self.kind())
    }
}

/// The label of the first `-----BEGIN <label>-----` line, if the text is PEM.
fn pem_label(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let label = line.trim().strip_prefix("-----BEGIN ")?;
        Some(label.strip_suffix("-----").unwrap_or(label).to_owned())
    })
}

/// The WebSocket API's signature payload of `params` (which must not hold `signature`).
pub fn ws_payload(params: &[(&str, String)]) -> String {
    let mut sorted: Vec<_> = params.iter().collect();
    sorted.sort_by_key(|(name, _)| *name);
    sorted
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use hedgeflow_paper_exchange::test_utils::keys::TestKey;

    use super::*;

    /// rest-api.md's example payload of the Ed25519 and RSA sections.
    const PAYLOAD: &str = "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=1&price=0.2&timestamp=1668481559918&recvWindow=5000";

    /// A public test key: RFC 8032 section 7.1 TEST 1's secret key, as PKCS#8 PEM. Never
    /// registered anywhere. (Binance publishes no Ed25519 key pair with its example.)
    const RFC8032_TEST1_PEM: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g
-----END PRIVATE KEY-----";

    fn signer(kind: KeyKind, secret: &str) -> Signer {
        Signer::new(kind, secret).unwrap()
    }

    /// rest-api.md, "SIGNED request example (HMAC)".
    #[test]
    fn binance_documented_example_signature() {
        let secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
        let payload = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
        assert_eq!(
            signer(KeyKind::Hmac, secret).sign(payload).unwrap(),
            "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
        );
    }

    /// Known answers for a fixed key: RFC 8032's own (the empty message), and OpenSSL's
    /// signature of Binance's example payload, computed apart from this code with
    /// `openssl pkeyutl -sign -rawin -inkey rfc8032-test1.pem -in payload | base64 -w0`.
    #[test]
    fn ed25519_signatures_match_rfc8032_and_openssl() {
        let ed25519 = signer(KeyKind::Ed25519, RFC8032_TEST1_PEM);
        assert_eq!(ed25519.kind(), KeyKind::Ed25519);
        let rfc = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
        assert_eq!(
            BASE64.decode(ed25519.sign("").unwrap()).unwrap(),
            hex::decode(rfc).unwrap()
        );
        assert_eq!(ed25519.sign(PAYLOAD).unwrap(), OPENSSL_ED25519_OF_PAYLOAD);
    }

    const OPENSSL_ED25519_OF_PAYLOAD: &str =
        "XtZirsmmi0noRzUfkqktvkVfxpkq/WtbLg2UOL3QGYdUBZVlqOBEMuEVw8zioY93N54NcKj9UuAXQEa9zgTDBg==";

    /// Keys generated at test time by another implementation (AWS-LC, in the paper exchange's
    /// test utilities), which also signs: both schemes are deterministic, so the signatures
    /// must be the same bytes.
    #[test]
    fn ed25519_and_rsa_signatures_match_an_independent_implementation() {
        for (kind, key) in [
            (KeyKind::Ed25519, TestKey::ed25519()),
            (KeyKind::Rsa, TestKey::rsa()),
        ] {
            let ours = signer(kind, &key.private_key_pem);
            assert_eq!(ours.sign(PAYLOAD).unwrap(), key.sign(PAYLOAD), "{kind}");
            // a WebSocket API payload as well
            let ws = ws_payload(&[("timestamp", "1".into()), ("apiKey", "k".into())]);
            assert_eq!(ours.sign(&ws).unwrap(), key.sign(&ws), "{kind}");
        }
    }

    #[test]
    fn a_secret_that_does_not_match_the_kind_is_refused_clearly() {
        let rsa = TestKey::rsa().private_key_pem;
        let ed25519 = TestKey::ed25519().private_key_pem;
        let error = |kind, secret: &str| Signer::new(kind, secret).unwrap_err().to_string();
        assert!(
            error(KeyKind::Hmac, &ed25519).contains("set the key kind to ed25519 or rsa"),
            "{}",
            error(KeyKind::Hmac, &ed25519)
        );
        assert!(error(KeyKind::Ed25519, "plain-hmac-secret").contains("found no PEM"));
        assert!(error(KeyKind::Ed25519, &rsa).contains("not a valid ed25519 key"));
        assert!(error(KeyKind::Rsa, &ed25519).contains("not a valid rsa key"));
        let pkcs1 = "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----";
        assert!(error(KeyKind::Rsa, pkcs1).contains("found a PEM RSA PRIVATE KEY"));
        assert!(matches!(
            Signer::new(KeyKind::Hmac, " \n"),
            Err(KeyError::Empty)
        ));
        // nothing of the key in any message, nor in Debug
        let body: String = ed25519
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        for kind in [KeyKind::Hmac, KeyKind::Rsa] {
            assert!(!error(kind, &ed25519).contains(&body[..20]));
        }
        let shown = format!("{:?}", signer(KeyKind::Ed25519, &ed25519));
        assert_eq!(shown, "Signer(ed25519, <redacted>)");
        assert_eq!(
            format!("{:?}", signer(KeyKind::Hmac, "hmac-secret")),
            "Signer(hmac, <redacted>)"
        );
    }

    #[test]
    fn websocket_payload_is_sorted_by_name() {
        let params = [
            ("timestamp", "1".to_string()),
            ("apiKey", "k".to_string()),
            ("recvWindow", "5000".to_string()),
        ];
        assert_eq!(ws_payload(&params), "apiKey=k&recvWindow=5000&timestamp=1");
    }
}
