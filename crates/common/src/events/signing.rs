//! Webhook signatures as the Standard Webhooks specification has them (the scheme Svix and
//! others verify): `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">` under
//! the subscription's `whsec_` secret. And the secrets at rest: sealed (AES-256-GCM) under
//! a key derived from the service's audit key, which the database does not hold.

use crate::audit::AuditKey;
use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const PREFIX: &str = "whsec_";
const SECRET_BYTES: usize = 32;

/// A fresh secret, `whsec_` and 32 random bytes in base64: shown to the admin once.
pub fn generate_secret() -> anyhow::Result<String> {
    let mut bytes = [0u8; SECRET_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(format!("{PREFIX}{}", STANDARD.encode(bytes)))
}

/// The `webhook-signature` header's value for one delivery attempt.
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> anyhow::Result<String> {
    let key = STANDARD
        .decode(secret.strip_prefix(PREFIX).unwrap_or(secret))
        .map_err(|e| anyhow::anyhow!("a webhook secret is not base64: {e}"))?;
    let mut mac =
        Hmac::<Sha256>::new_from_slice(&key).map_err(|e| anyhow::anyhow!("webhook key: {e}"))?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// Whether `header` (a `webhook-signature` value, signatures separated by spaces) holds the
/// signature of this delivery under `secret`, compared in constant time.
pub fn verify(secret: &str, id: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    let Ok(key) = STANDARD.decode(secret.strip_prefix(PREFIX).unwrap_or(secret)) else {
        return false;
    };
    header.split_whitespace().any(|candidate| {
        let Some(tag) = candidate
            .strip_prefix("v1,")
            .and_then(|b64| STANDARD.decode(b64).ok())
        else {
            return false;
        };
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key) else {
            return false;
        };
        mac.update(format!("{id}.{timestamp}.").as_bytes());
        mac.update(body);
        mac.verify_slice(&tag).is_ok()
    })
}

/// Seals and opens subscription secrets with a key derived from the audit key.
pub struct SecretBox {
    key: LessSafeKey,
}

impl SecretBox {
    pub fn new(audit_key: &AuditKey) -> anyhow::Result<Self> {
        let derived = audit_key.mac(&[b"webhook secrets, AES-256-GCM, v1"]);
        let key = UnboundKey::new(&AES_256_GCM, &derived)
            .map_err(|_| anyhow::anyhow!("cannot derive the webhook secret key"))?;
        Ok(Self {
            key: LessSafeKey::new(key),
        })
    }

    /// nonce || ciphertext || tag.
    pub fn seal(&self, secret: &str) -> anyhow::Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
        let mut sealed = secret.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::empty(),
                &mut sealed,
            )
            .map_err(|_| anyhow::anyhow!("cannot seal a webhook secret"))?;
        let mut out = nonce.to_vec();
        out.extend(sealed);
        Ok(out)
    }

    /// The secret, or an error when it was sealed under another key (the audit key changed).
    pub fn open(&self, sealed: &[u8]) -> anyhow::Result<String> {
        anyhow::ensure!(
            sealed.len() > NONCE_LEN,
            "a sealed webhook secret is too short"
        );
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce)
            .map_err(|_| anyhow::anyhow!("a sealed webhook secret has no nonce"))?;
        let mut body = body.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::empty(), &mut body)
            .map_err(|_| anyhow::anyhow!("a webhook secret does not open under this audit key"))?;
        Ok(String::from_utf8_lossy(plain).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_webhooks_example_signature_matches() {
        // The specification's published example.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        let signed = signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).unwrap();
        assert_eq!(signed, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        assert!(verify(
            secret,
            id,
            1614265330,
            body,
            &format!("v1,bogus= {signed}")
        ));
        assert!(!verify(secret, id, 1614265331, body, &signed));
        assert!(!verify(secret, id, 1614265330, b"{}", &signed));
    }

    #[test]
    fn a_sealed_secret_opens_only_under_its_key() {
        let key = AuditKey::load(&crate::audit::AuditSettings::for_tests().key).unwrap();
        let sealer = SecretBox::new(&key).unwrap();
        let secret = generate_secret().unwrap();
        let sealed = sealer.seal(&secret).unwrap();
        assert!(
            !sealed
                .windows(8)
                .any(|w| secret.as_bytes().windows(8).any(|s| s == w))
        );
        assert_eq!(sealer.open(&sealed).unwrap(), secret);
        let mut tampered = sealed.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(sealer.open(&tampered).is_err());
    }
}
