//! The Ed25519 key that signs access tokens: read from `JWT_PRIVATE_KEY_FILE` in
//! production; in development generated once and kept under the data folder, so tokens
//! stay valid across restarts.

use crate::config::SigningKeySource;
use anyhow::Context;
use common::auth::Jwk;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey};
use ed25519_dalek::{SigningKey, VerifyingKey};
use std::path::Path;

pub const GENERATED_KEY_FILE: &str = "jwt-signing-key.pem";

pub struct SigningMaterial {
    /// PKCS#8 PEM of the private key.
    pub private_pem: String,
    pub jwk: Jwk,
}

fn from_pem(pem: &str) -> anyhow::Result<SigningMaterial> {
    let key = SigningKey::from_pkcs8_pem(pem)
        .map_err(|e| anyhow::anyhow!("not an Ed25519 PKCS#8 private key: {e}"))?;
    Ok(SigningMaterial {
        private_pem: pem.to_owned(),
        jwk: Jwk::ed25519(&key.verifying_key().to_bytes()),
    })
}

fn generate_into(path: &Path) -> anyhow::Result<String> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no OS randomness: {e}"))?;
    let pem = SigningKey::from_bytes(&seed)
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| anyhow::anyhow!("encoding the new key failed: {e}"))?
        .to_string();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    common::secret_file::write_private(path, pem.as_bytes())?;
    tracing::warn!(path = %path.display(), "generated a development signing key; set JWT_PRIVATE_KEY_FILE in production");
    Ok(pem)
}

pub fn load(source: &SigningKeySource) -> anyhow::Result<SigningMaterial> {
    match source {
        SigningKeySource::Pem(pem) => from_pem(pem.expose()),
        SigningKeySource::File(path) => {
            let pem = std::fs::read_to_string(path)
                .with_context(|| format!("reading JWT_PRIVATE_KEY_FILE {}", path.display()))?;
            from_pem(&pem)
        }
        SigningKeySource::Generated { dir } => {
            let path = dir.join(GENERATED_KEY_FILE);
            let pem = match std::fs::read_to_string(&path) {
                Ok(pem) => pem,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => generate_into(&path)?,
                Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
            };
            from_pem(&pem)
        }
    }
}

/// A retired key's public half (SPKI PEM), still published so its tokens verify until they expire.
pub fn load_public(path: &Path) -> anyhow::Result<Jwk> {
    let pem = std::fs::read_to_string(path)
        .with_context(|| format!("reading public key {}", path.display()))?;
    let key = VerifyingKey::from_public_key_pem(&pem)
        .map_err(|e| anyhow::anyhow!("{} is not an Ed25519 public key: {e}", path.display()))?;
    Ok(Jwk::ed25519(&key.to_bytes()))
}

impl SigningMaterial {
    /// A secret for keyed hashes (idempotency fingerprints) derived from the signing key,
    /// so replicas agree on it without another secret to configure.
    pub fn derived_secret(&self, label: &str) -> Vec<u8> {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        hasher.update(label.as_bytes());
        hasher.update([0u8]);
        hasher.update(self.private_pem.as_bytes());
        hasher.finalize().to_vec()
    }
}
