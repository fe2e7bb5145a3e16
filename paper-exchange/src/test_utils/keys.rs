//! Ed25519 and RSA API key pairs for tests, generated at test time so that no private key is
//! committed, and signatures made as Binance's docs make them. Key generation and signing use
//! AWS-LC, not the `ring` this crate verifies and the client signs with, so a test signing with
//! a [`TestKey`] checks them against an independent implementation.

use std::fmt;

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::config::{AccountConfig, Config};

/// A key pair as Binance's key generator writes it: the private key as PKCS#8 PEM (what the
/// client reads), the public key as SubjectPublicKeyInfo PEM (what the exchange registers).
pub struct TestKey {
    pub private_key_pem: String,
    pub public_key_pem: String,
    pair: Pair,
}

enum Pair {
    Ed25519(Ed25519KeyPair),
    Rsa(RsaKeyPair),
}

impl TestKey {
    /// A new Ed25519 key (PKCS#8 v1, as OpenSSL writes it).
    pub fn ed25519() -> Self {
        let pair = Ed25519KeyPair::generate().expect("Ed25519 key generation");
        let private = pair.to_pkcs8v1().expect("Ed25519 PKCS#8");
        let public = pair.public_key().as_der().expect("Ed25519 public key");
        TestKey {
            private_key_pem: pem("PRIVATE KEY", private.as_ref()),
            public_key_pem: pem("PUBLIC KEY", public.as_ref()),
            pair: Pair::Ed25519(pair),
        }
    }

    /// A new 2048-bit RSA key.
    pub fn rsa() -> Self {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).expect("RSA key generation");
        let private: Pkcs8V1Der = pair.as_der().expect("RSA PKCS#8");
        let public: PublicKeyX509Der = pair.public_key().as_der().expect("RSA public key");
        TestKey {
            private_key_pem: pem("PRIVATE KEY", private.as_ref()),
            public_key_pem: pem("PUBLIC KEY", public.as_ref()),
            pair: Pair::Rsa(pair),
        }
    }

    /// The base64 signature of `payload` (Ed25519, or RSASSA-PKCS1-v1_5 with SHA-256), not
    /// percent-encoded.
    pub fn sign(&self, payload: &str) -> String {
        let signature = match &self.pair {
            Pair::Ed25519(pair) => pair.sign(payload.as_bytes()).as_ref().to_vec(),
            Pair::Rsa(pair) => {
                let mut signature = vec![0; pair.public_modulus_len()];
                pair.sign(
                    &RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    payload.as_bytes(),
                    &mut signature,
                )
                .expect("RSA signing");
                signature
            }
        };
        BASE64.encode(signature)
    }

    /// An account of `api_key` holding this key's public key, funded as the default dev
    /// account.
    pub fn account(&self, api_key: &str) -> AccountConfig {
        AccountConfig {
            api_key: api_key.into(),
            secret_key: String::new(),
            public_key: Some(self.public_key_pem.clone()),
            ..Config::default().accounts.remove(0)
        }
    }
}

impl fmt::Debug for TestKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.pair {
            Pair::Ed25519(_) => "Ed25519",
            Pair::Rsa(_) => "RSA",
        };
        f.debug_struct("TestKey")
            .field("kind", &kind)
            .field("public_key_pem", &self.public_key_pem)
            .finish_non_exhaustive()
    }
}

/// `der` as PEM with `label`, 64 characters a line.
fn pem(label: &str, der: &[u8]) -> String {
    let body = BASE64.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|line| std::str::from_utf8(line).expect("base64 is ASCII"))
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}
