//! The Ed25519 keys a service signs with (auth-service its access tokens,
//! prescription-service its prescriptions), one way for both: read from a PEM file in
//! production; in development generated once and kept under the data folder, so what was
//! signed stays verifiable across restarts. Retired public keys stay published (rotation),
//! and `Signer` makes compact JWS with the current one.

use crate::auth::Jwk;
use anyhow::Context;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey};
use ed25519_dalek::{SigningKey, VerifyingKey};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub enum KeySource {
    /// PKCS#8 PEM file with the Ed25519 private key (production).
    File(PathBuf),
    /// PKCS#8 PEM text (tests).
    Pem(crate::config::Secret),
    /// Generated on first start and kept in this folder (development).
    Generated { dir: PathBuf },
}

/// What a service calls its key: the production setting and the development key's file.
#[derive(Debug, Clone, Copy)]
pub struct KeyNames {
    /// `JWT_PRIVATE_KEY_FILE`
    pub variable: &'static str,
    /// `jwt-signing-key.pem`, under the generated key's folder
    pub generated_file: &'static str,
}

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

/// A new Ed25519 private key, as PKCS#8 PEM.
fn generate_pem() -> anyhow::Result<String> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no OS randomness: {e}"))?;
    Ok(SigningKey::from_bytes(&seed)
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| anyhow::anyhow!("encoding the new key failed: {e}"))?
        .to_string())
}

fn generate_into(path: &Path, production_variable: &str) -> anyhow::Result<String> {
    let pem = generate_pem()?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    crate::secret_file::write_private(path, pem.as_bytes())?;
    tracing::warn!(
        path = %path.display(),
        "generated a development signing key; set {production_variable} in production"
    );
    Ok(pem)
}

/// The private key from `source`.
pub fn load(source: &KeySource, names: KeyNames) -> anyhow::Result<SigningMaterial> {
    match source {
        KeySource::Pem(pem) => from_pem(pem.expose()),
        KeySource::File(path) => {
            let pem = std::fs::read_to_string(path)
                .with_context(|| format!("reading {} {}", names.variable, path.display()))?;
            from_pem(&pem)
        }
        KeySource::Generated { dir } => {
            let path = dir.join(names.generated_file);
            let pem = match std::fs::read_to_string(&path) {
                Ok(pem) => pem,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    generate_into(&path, names.variable)?
                }
                Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
            };
            from_pem(&pem)
        }
    }
}

/// A retired key's public half (SPKI PEM), still published so what it signed verifies.
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

/// Signs compact JWS (`alg: EdDSA`, `kid`, a `typ` saying what it is) with the current key,
/// and knows every key to publish at `/.well-known/jwks.json`.
pub struct Signer {
    key: EncodingKey,
    header: Header,
    /// The current key first, then retired keys whose signatures must still verify.
    published: Vec<Jwk>,
}

impl Signer {
    pub fn new(material: &SigningMaterial, retired: Vec<Jwk>, typ: &str) -> anyhow::Result<Self> {
        let key = EncodingKey::from_ed_pem(material.private_pem.as_bytes())?;
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(material.jwk.kid.clone());
        header.typ = Some(typ.to_owned());
        let mut published = vec![material.jwk.clone()];
        published.extend(retired.into_iter().filter(|k| k.kid != material.jwk.kid));
        Ok(Self {
            key,
            header,
            published,
        })
    }

    /// `material` with the retired public keys at `retired`.
    pub fn load(
        material: &SigningMaterial,
        retired: &[PathBuf],
        typ: &str,
    ) -> anyhow::Result<Self> {
        let retired = retired
            .iter()
            .map(|path| load_public(path))
            .collect::<anyhow::Result<Vec<_>>>()?;
        Self::new(material, retired, typ)
    }

    /// The compact JWS of `payload`'s JSON.
    pub fn sign(&self, payload: &impl serde::Serialize) -> Result<String, crate::ApiError> {
        jsonwebtoken::encode(&self.header, payload, &self.key)
            .map_err(|e| crate::ApiError::Internal(anyhow::anyhow!("signing failed: {e}")))
    }

    pub fn kid(&self) -> &str {
        self.published.first().map_or("", |k| k.kid.as_str())
    }

    pub fn published_keys(&self) -> &[Jwk] {
        &self.published
    }
}

/// Opens a compact JWS a `Signer` made: the `kid` it names and its payload, when the
/// signature verifies with that key among `keys`; `None` for an unknown key, another
/// algorithm or a single altered byte.
pub fn open(jws: &str, keys: &[Jwk]) -> Option<(String, serde_json::Value)> {
    let header = jsonwebtoken::decode_header(jws).ok()?;
    if header.alg != Algorithm::EdDSA {
        return None;
    }
    let kid = header.kid?;
    let jwk = keys.iter().find(|k| k.kid == kid && k.is_ed25519())?;
    let key = jsonwebtoken::DecodingKey::from_ed_components(&jwk.x).ok()?;
    // A signed document, not a token: no expiry, audience or other claims to require.
    let mut validation = jsonwebtoken::Validation::new(Algorithm::EdDSA);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_aud = false;
    let opened = jsonwebtoken::decode::<serde_json::Value>(jws, &key, &validation).ok()?;
    Some((kid, opened.claims))
}

/// A signing key and the retired public keys still published beside it.
#[derive(Debug, Clone)]
pub struct SigningSettings {
    pub key: KeySource,
    /// SPKI PEM files of keys that signed before the current one (rotation).
    pub retired: Vec<PathBuf>,
}

impl SigningSettings {
    /// `file`, the value of `names.variable` (required in production), else a key
    /// generated under `DATA_DIR` (default `.data/<service>`); `retired`, the public keys
    /// that signed before it.
    pub fn from_env(
        file: Option<PathBuf>,
        retired: Vec<String>,
        names: KeyNames,
        service: &str,
        environment: crate::config::Environment,
    ) -> Result<Self, crate::config::ConfigError> {
        use crate::config::{ConfigError, Environment, var_opt};
        let key = match file {
            Some(path) => KeySource::File(path),
            None if environment == Environment::Production => {
                return Err(ConfigError::Missing {
                    name: names.variable,
                });
            }
            None => KeySource::Generated {
                dir: var_opt::<PathBuf>("DATA_DIR")?
                    .unwrap_or_else(|| Path::new(".data").join(service)),
            },
        };
        Ok(Self {
            key,
            retired: retired.into_iter().map(PathBuf::from).collect(),
        })
    }

    /// A fresh key held in memory, for a test (a generated file, should the OS refuse
    /// randomness here: the service's start then reports it).
    pub fn for_tests() -> Self {
        let key = match generate_pem() {
            Ok(pem) => KeySource::Pem(crate::config::Secret::new(pem)),
            Err(_) => KeySource::Generated {
                dir: std::env::temp_dir().join(format!("signing-key-{}", uuid::Uuid::new_v4())),
            },
        };
        Self {
            key,
            retired: Vec::new(),
        }
    }

    /// The signer, making JWS of type `typ`.
    pub fn signer(&self, names: KeyNames, typ: &str) -> anyhow::Result<Signer> {
        Signer::load(&load(&self.key, names)?, &self.retired, typ)
    }
}
