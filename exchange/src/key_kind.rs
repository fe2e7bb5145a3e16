//! The kinds of Binance API key. Its own file because both `signing` (which key signs) and
//! `error` (which kind failed to sign) name it, and `signing` returns `error`'s [`Error`].
//!
//! [`Error`]: crate::Error

use std::fmt;

use serde::Deserialize;

/// The kind of an API key, as Binance names them. HMAC keys are a shared secret; Ed25519 and
/// RSA keys are a key pair whose public half is registered with Binance.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyKind {
    /// A secret key string, signatures in hex.
    #[default]
    Hmac,
    /// An Ed25519 private key (PKCS#8 PEM), signatures in base64.
    Ed25519,
    /// An RSA private key (PKCS#8 PEM, 2048 to 4096 bits), signatures in base64.
    Rsa,
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyKind::Hmac => "hmac",
            KeyKind::Ed25519 => "ed25519",
            KeyKind::Rsa => "rsa",
        })
    }
}
