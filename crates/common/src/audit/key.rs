//! The secret that keys the audit chain and signs its checkpoints. It lives outside the
//! database (`AUDIT_KEY_FILE`), so whoever can write the tables still cannot recompute a
//! chain that verifies after an edit.

use crate::config::{ConfigError, Environment, Secret, var_opt};
use anyhow::Context;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Shorter keys are refused: HMAC-SHA256 is as strong as its key up to 32 bytes.
const MIN_KEY_BYTES: usize = 32;
const GENERATED_KEY_FILE: &str = "audit-key";

#[derive(Debug, Clone)]
pub enum AuditKeySource {
    /// `AUDIT_KEY_FILE`: the file's content (surrounding whitespace trimmed) is the key.
    File(PathBuf),
    /// Development: a key generated once under `dir` (`DATA_DIR`) and kept there, so the
    /// trail still verifies after a restart.
    Generated { dir: PathBuf },
    /// Tests: the key itself.
    Inline(Secret),
}

#[derive(Debug, Clone)]
pub struct AuditSettings {
    pub key: AuditKeySource,
}

impl AuditSettings {
    /// `AUDIT_KEY_FILE` (required in production), else a key under `DATA_DIR`
    /// (default `.data/<service>`).
    pub fn from_env(service: &str, environment: Environment) -> Result<Self, ConfigError> {
        let key = match var_opt::<PathBuf>("AUDIT_KEY_FILE")? {
            Some(path) => AuditKeySource::File(path),
            None if environment == Environment::Production => {
                return Err(ConfigError::Missing {
                    name: "AUDIT_KEY_FILE",
                });
            }
            None => AuditKeySource::Generated {
                dir: var_opt::<PathBuf>("DATA_DIR")?
                    .unwrap_or_else(|| Path::new(".data").join(service)),
            },
        };
        Ok(Self { key })
    }

    /// One key for every service and replica a test starts, so replicas on one database
    /// verify each other's links.
    pub fn for_tests() -> Self {
        Self {
            key: AuditKeySource::Inline(Secret::new("audit key of the test suite, not a secret")),
        }
    }
}

/// The loaded key. `id` names it in every checkpoint (a prefix of its SHA-256), so a
/// verification under another key says so instead of reporting tampering.
pub struct AuditKey {
    secret: Vec<u8>,
    id: String,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl AuditKey {
    pub fn load(source: &AuditKeySource) -> anyhow::Result<Self> {
        let secret = match source {
            AuditKeySource::Inline(secret) => secret.expose().as_bytes().to_vec(),
            AuditKeySource::File(path) => std::fs::read(path)
                .with_context(|| format!("reading AUDIT_KEY_FILE {}", path.display()))?,
            AuditKeySource::Generated { dir } => read_or_generate(&dir.join(GENERATED_KEY_FILE))?,
        };
        Self::from_bytes(trim(&secret))
    }

    fn from_bytes(secret: &[u8]) -> anyhow::Result<Self> {
        anyhow::ensure!(
            secret.len() >= MIN_KEY_BYTES,
            "the audit key must be at least {MIN_KEY_BYTES} bytes (e.g. `openssl rand -base64 32`)"
        );
        let digest = Sha256::digest(secret);
        let id = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        Ok(Self {
            secret: secret.to_vec(),
            id,
        })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// HMAC-SHA256 over `parts`.
    pub fn mac(&self, parts: &[&[u8]]) -> Vec<u8> {
        self.keyed(parts).finalize().into_bytes().to_vec()
    }

    /// Whether `tag` is the MAC of `parts`, compared in constant time.
    pub fn verifies(&self, parts: &[&[u8]], tag: &[u8]) -> bool {
        self.keyed(parts).verify_slice(tag).is_ok()
    }

    /// Each part length-prefixed, so no two splits of the same bytes share a MAC.
    fn keyed(&self, parts: &[&[u8]]) -> Hmac<Sha256> {
        #[expect(
            clippy::expect_used,
            reason = "HMAC takes keys of any length; new_from_slice cannot fail"
        )]
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret).expect("any key length");
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac
    }
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace());
    let end = bytes.iter().rposition(|b| !b.is_ascii_whitespace());
    match (start, end) {
        (Some(start), Some(end)) => &bytes[start..=end],
        _ => &[],
    }
}

/// The development key at `path`, generated on first use. Replicas starting together
/// race here: the key is written to a private temporary file and hard-linked into place,
/// which fails if another replica got there first, so every replica ends up reading the
/// one complete key.
fn read_or_generate(path: &Path) -> anyhow::Result<Vec<u8>> {
    match std::fs::read(path) {
        Ok(key) => return Ok(key),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut random = [0u8; 32];
    getrandom::fill(&mut random).map_err(|e| anyhow::anyhow!("no OS randomness: {e}"))?;
    use base64::Engine;
    let key = base64::engine::general_purpose::STANDARD.encode(random);
    let temporary = dir.join(format!(".{GENERATED_KEY_FILE}.{}", uuid::Uuid::new_v4()));
    crate::secret_file::write_private(&temporary, key.as_bytes())?;
    let linked = std::fs::hard_link(&temporary, path);
    let _ = std::fs::remove_file(&temporary);
    match linked {
        Ok(()) => {
            tracing::warn!(path = %path.display(), "generated a development audit key; set AUDIT_KEY_FILE in production and keep a copy: without it the trail cannot be verified");
            Ok(key.into_bytes())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::read(path).with_context(|| format!("reading {}", path.display()))
        }
        Err(e) => Err(e).with_context(|| format!("creating {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_key_is_refused() {
        assert!(AuditKey::from_bytes(b"too short").is_err());
    }

    #[test]
    fn a_mac_depends_on_how_the_parts_split() {
        let key = AuditKey::from_bytes(&[7u8; 32]).unwrap();
        let joined = key.mac(&[b"ab", b"c"]);
        assert_ne!(joined, key.mac(&[b"a", b"bc"]));
        assert!(key.verifies(&[b"ab", b"c"], &joined));
        let other = AuditKey::from_bytes(&[8u8; 32]).unwrap();
        assert!(!other.verifies(&[b"ab", b"c"], &joined));
        assert_ne!(key.id(), other.id());
    }

    #[test]
    fn the_generated_key_is_made_once_and_read_back() {
        let dir = std::env::temp_dir().join(format!("audit-key-{}", uuid::Uuid::new_v4()));
        let source = AuditKeySource::Generated { dir: dir.clone() };
        let first = AuditKey::load(&source).unwrap();
        let again = AuditKey::load(&source).unwrap();
        assert_eq!(first.id(), again.id());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
