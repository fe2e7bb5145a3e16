//! The API keys' kinds, as Binance issues them, and how each kind's signatures are checked:
//! HMAC-SHA256 under a shared secret, or Ed25519 and RSA signatures checked with the
//! account's public key. Depends on nothing of the crate, so that the configuration can check
//! its keys with it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use ring::signature::{ED25519, RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use rustls_pki_types::SubjectPublicKeyInfoDer;
use rustls_pki_types::pem::PemObject;
use sha2::Sha256;
use spki::der::asn1::UintRef;
use spki::der::{Decode, Reader, SliceReader};
use spki::{ObjectIdentifier, SubjectPublicKeyInfoRef};

/// id-Ed25519 (RFC 8410).
const ED25519_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
/// rsaEncryption (RFC 8017), the algorithm of an RSA public key.
const RSA_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// How one account's signatures are checked: its key's kind and key.
pub enum Verifier {
    /// An HMAC key's secret.
    Hmac(Vec<u8>),
    /// An Ed25519 public key, its 32 bytes.
    Ed25519(Vec<u8>),
    /// An RSA public key, as PKCS#1 `RSAPublicKey` DER.
    Rsa(Vec<u8>),
}

impl Verifier {
    /// The verifier of an account's key (`AccountConfig::verifier`): its secret, or its
    /// public key's algorithm and key. The reason of a refusal never shows the secret.
    pub fn of(secret_key: &str, public_key: Option<&str>) -> Result<Self, String> {
        match (secret_key.is_empty(), public_key) {
            (false, None) => Ok(Verifier::Hmac(secret_key.as_bytes().to_vec())),
            (true, Some(pem)) => Self::public(pem),
            (false, Some(_)) => Err("set secret-key (HMAC) or public-key, not both".into()),
            (true, None) => Err("set secret-key (HMAC) or public-key (Ed25519, RSA)".into()),
        }
    }

    /// An Ed25519 or RSA public key, from its PEM.
    fn public(pem: &str) -> Result<Self, String> {
        let der = SubjectPublicKeyInfoDer::from_pem_slice(pem.as_bytes()).map_err(|e| {
            format!("public-key is not a PEM public key (-----BEGIN PUBLIC KEY-----): {e}")
        })?;
        let info = SubjectPublicKeyInfoRef::try_from(der.as_ref())
            .map_err(|e| format!("public-key is not a SubjectPublicKeyInfo: {e}"))?;
        let key = info
            .subject_public_key
            .as_bytes()
            .ok_or("public-key's key is not whole bytes")?
            .to_vec();
        match info.algorithm.oid {
            ED25519_OID if key.len() == 32 => Ok(Verifier::Ed25519(key)),
            ED25519_OID => Err("public-key is not 32 bytes, as Ed25519's are".into()),
            RSA_OID => match rsa_modulus_bits(&key) {
                Some(bits) if (2048..=8192).contains(&bits) => Ok(Verifier::Rsa(key)),
                Some(bits) => Err(format!(
                    "public-key is an RSA key of {bits} bits; 2048 to 8192 are taken"
                )),
                None => Err("public-key is not a valid RSA public key".into()),
            },
            other => Err(format!(
                "public-key's algorithm {other} is neither Ed25519 nor RSA"
            )),
        }
    }

    /// Whether `signature` (as sent, decoded from the query string or form body) signs
    /// `payload`.
    pub fn verify(&self, payload: &[u8], signature: &str) -> bool {
        let public = |key: &[u8], algorithm| {
            BASE64.decode(signature).is_ok_and(|signature| {
                UnparsedPublicKey::new(algorithm, key)
                    .verify(payload, &signature)
                    .is_ok()
            })
        };
        match self {
            Verifier::Hmac(secret) => hex::decode(signature).is_ok_and(|signature| {
                let mut mac =
                    Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
                mac.update(payload);
                mac.verify_slice(&signature).is_ok()
            }),
            Verifier::Ed25519(key) => public(key, &ED25519),
            Verifier::Rsa(key) => public(key, &RSA_PKCS1_2048_8192_SHA256),
        }
    }
}

/// The size in bits of the modulus of `key`, a PKCS#1 `RSAPublicKey`, if it is one.
fn rsa_modulus_bits(key: &[u8]) -> Option<usize> {
    let mut reader = SliceReader::new(key).ok()?;
    let modulus = reader
        .sequence(|fields| {
            let modulus = UintRef::decode(fields)?;
            UintRef::decode(fields)?;
            Ok(modulus)
        })
        .ok()?;
    reader.finish(()).ok()?;
    let (first, rest) = modulus.as_bytes().split_first()?;
    Some(rest.len() * 8 + (8 - first.leading_zeros() as usize))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An account's public key decides its kind; keys of other algorithms are refused.
    #[test]
    fn public_keys_are_ed25519_or_rsa() {
        use crate::test_utils::keys::TestKey;
        let of = |key: &TestKey| key.account("a").verifier().unwrap();
        assert!(matches!(of(&TestKey::ed25519()), Verifier::Ed25519(key) if key.len() == 32));
        let rsa = of(&TestKey::rsa());
        assert!(matches!(&rsa, Verifier::Rsa(key) if rsa_modulus_bits(key) == Some(2048)));
        // public keys Binance does not take (made with `openssl genpkey`): ECDSA P-256, and
        // RSA of 1024 bits
        let ec = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEF60WHUyJMvEif9v/qz6ni0Kh+NDM
yqlqnZkPI7lSwXHZ/+Qw0u+VVirMRORKpTxTAQ/AzphWEuP9qJk4zx5Bkg==
-----END PUBLIC KEY-----";
        let rsa_1024 = "-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDBiCeUKPndv2kdfdjzvlcT21AR
HnYsV/Y5qgeOjhP0As6U64TB24qQrI3OPdnVuFtdOhQFsrtgSSVXggdH4isAcyiu
O3hSfEDQsGsH6J4jvNkZwmEiXaAvIKTGgr/ipgn7o9fqMydgNvyue/bsanlxcNcY
do61PrQUH6462N06NwIDAQAB
-----END PUBLIC KEY-----";
        for (pem, expected) in [
            (ec, "neither Ed25519 nor RSA"),
            (rsa_1024, "RSA key of 1024 bits"),
        ] {
            let mut account = TestKey::ed25519().account("refused");
            account.public_key = Some(pem.into());
            let Err(error) = account.verifier() else {
                panic!("{expected}: taken")
            };
            assert!(error.to_string().contains(expected), "{error}");
        }
    }
}
