use super::{DEFAULT_AUDIENCE, DEFAULT_ISSUER, Jwk, TokenVerifier};
use crate::config::{ConfigError, var_opt, var_or};
use crate::lifecycle::{Lifecycle, every};
use std::sync::Arc;
use std::time::Duration;

/// Where a service that does not sign tokens gets the keys to verify them.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// auth-service's JWKS URL, fetched at start, every `refresh_every` (so a key that
    /// auth-service stopped publishing is dropped) and on an unknown `kid`.
    Jwks {
        url: String,
        min_refetch: Duration,
        refresh_every: Duration,
    },
    /// Fixed public keys: tests, or air-gapped deployments that ship the key.
    Static(Vec<Jwk>),
}

/// `JWT_ISSUER` (the issuer auth-service signed with before its URL; healthcare-auth),
/// `JWT_AUDIENCE` (healthcare), `AUTH_JWKS_URL` (default `<AUTH_SERVICE_URL>/.well-known/jwks.json`),
/// `JWT_PUBLIC_KEY_FILE` (a static SPKI PEM key instead of the JWKS) and
/// `JWKS_REFETCH_INTERVAL_SECONDS` (5) and `JWKS_REFRESH_SECONDS` (60).
#[derive(Debug, Clone)]
pub struct VerifierSettings {
    /// Issuers accepted without asking auth-service: its previous one (see `Issuers`).
    pub issuers: Vec<String>,
    /// auth-service's RFC 8414 metadata, which names its current issuer; `None` accepts
    /// `issuers` alone (tests).
    pub issuer_metadata_url: Option<String>,
    /// `JWT_AUDIENCE`: the `aud` a token must carry.
    pub audience: String,
    pub keys: KeySource,
    /// auth-service's revocation list, polled; `None` consults none (tests).
    pub revocations: Option<super::revocations::RevocationSource>,
}

impl VerifierSettings {
    /// Trusts exactly `keys`, signed by the default issuer (tests, fixed deployments).
    pub fn trusting(keys: Vec<Jwk>) -> Self {
        Self {
            issuers: vec![DEFAULT_ISSUER.to_owned()],
            issuer_metadata_url: None,
            audience: DEFAULT_AUDIENCE.to_owned(),
            keys: KeySource::Static(keys),
            revocations: None,
        }
    }

    /// In production the revocation list must be read with `REVOCATIONS_TOKEN`: without
    /// it the service refuses to start.
    pub fn from_env(
        auth_service_url: &str,
        environment: crate::config::Environment,
    ) -> Result<Self, ConfigError> {
        let previous_issuer = var_or("JWT_ISSUER", DEFAULT_ISSUER.to_owned())?;
        let audience = var_or("JWT_AUDIENCE", DEFAULT_AUDIENCE.to_owned())?;
        let keys = match var_opt::<std::path::PathBuf>("JWT_PUBLIC_KEY_FILE")? {
            Some(path) => KeySource::Static(vec![jwk_from_public_pem_file(&path)?]),
            None => KeySource::Jwks {
                url: var_or(
                    "AUTH_JWKS_URL",
                    format!(
                        "{}/.well-known/jwks.json",
                        auth_service_url.trim_end_matches('/')
                    ),
                )?,
                min_refetch: Duration::from_secs(var_or("JWKS_REFETCH_INTERVAL_SECONDS", 5)?),
                refresh_every: Duration::from_secs(
                    var_or::<u64>("JWKS_REFRESH_SECONDS", 60)?.max(1),
                ),
            },
        };
        let revocations = Some(super::revocations::RevocationSource {
            url: var_or(
                "AUTH_REVOCATIONS_URL",
                format!(
                    "{}/auth/revocations",
                    auth_service_url.trim_end_matches('/')
                ),
            )?,
            token: match var_opt("REVOCATIONS_TOKEN")? {
                None if environment == crate::config::Environment::Production => {
                    return Err(ConfigError::Missing {
                        name: "REVOCATIONS_TOKEN",
                    });
                }
                token => token,
            },
            refresh_every: Duration::from_secs(
                var_or::<u64>("REVOCATION_REFRESH_SECONDS", 10)?.max(1),
            ),
        });
        Ok(Self {
            issuers: vec![previous_issuer],
            issuer_metadata_url: Some(format!(
                "{}/.well-known/oauth-authorization-server",
                auth_service_url.trim_end_matches('/')
            )),
            audience,
            keys,
            revocations,
        })
    }

    /// The verifier, with its keys loaded; for a JWKS source, also the task that reloads
    /// them every `refresh_every` until shutdown. A reload that fails keeps the keys it
    /// has: tokens keep working while auth-service is down, and a key auth-service has
    /// rotated out stops working within one period of it coming back.
    pub async fn start(
        &self,
        http: reqwest::Client,
        lifecycle: Arc<Lifecycle>,
    ) -> Arc<TokenVerifier> {
        let verifier = self.start_keys(http.clone(), lifecycle.clone()).await;
        verifier.discover_issuer().await;
        if let Some(source) = self.revocations.clone() {
            let list = verifier.revocations();
            source.poll(&http, &list).await;
            every(source.refresh_every, lifecycle, move || {
                let (source, list, http) = (source.clone(), list.clone(), http.clone());
                async move { source.poll(&http, &list).await }
            });
        }
        verifier
    }

    async fn start_keys(
        &self,
        http: reqwest::Client,
        lifecycle: Arc<Lifecycle>,
    ) -> Arc<TokenVerifier> {
        match &self.keys {
            KeySource::Static(keys) => Arc::new(
                TokenVerifier::from_keys(DEFAULT_ISSUER, keys)
                    .with_issuers(self.issuers(http, Duration::from_secs(5)))
                    .with_audience(&self.audience),
            ),
            KeySource::Jwks {
                url,
                min_refetch,
                refresh_every,
            } => {
                let verifier = Arc::new(
                    TokenVerifier::from_jwks_url(
                        DEFAULT_ISSUER,
                        url.clone(),
                        http.clone(),
                        *min_refetch,
                    )
                    .await
                    .with_issuers(self.issuers(http, *min_refetch))
                    .with_audience(&self.audience),
                );
                let refreshed = verifier.clone();
                every(*refresh_every, lifecycle, move || {
                    let verifier = refreshed.clone();
                    async move { verifier.refetch().await }
                });
                verifier
            }
        }
    }
}

impl VerifierSettings {
    fn issuers(&self, http: reqwest::Client, min_refetch: Duration) -> super::Issuers {
        match &self.issuer_metadata_url {
            Some(url) => {
                super::Issuers::discovered(self.issuers.clone(), url.clone(), http, min_refetch)
            }
            None => super::Issuers::fixed(self.issuers.clone()),
        }
    }
}

/// Reads an Ed25519 public key in SPKI PEM (`openssl pkey -pubout`): the DER is a fixed
/// 12-byte prefix followed by the 32-byte key.
fn jwk_from_public_pem_file(path: &std::path::Path) -> Result<Jwk, ConfigError> {
    use base64::Engine;
    const ED25519_SPKI_PREFIX: [u8; 12] = [
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    ];
    let invalid = |reason: String| ConfigError::Invalid {
        name: "JWT_PUBLIC_KEY_FILE",
        reason,
    };
    let pem =
        std::fs::read_to_string(path).map_err(|e| invalid(format!("{}: {e}", path.display())))?;
    let body: String = pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body.trim())
        .map_err(|e| invalid(e.to_string()))?;
    match der.strip_prefix(&ED25519_SPKI_PREFIX) {
        Some(key) if key.len() == 32 => {
            let mut bytes = [0u8; 32];
            bytes.copy_from_slice(key);
            Ok(Jwk::ed25519(&bytes))
        }
        _ => Err(invalid("not an Ed25519 public key in SPKI PEM".into())),
    }
}
