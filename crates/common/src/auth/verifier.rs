use super::{AccessClaims, Jwk, JwkSet};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Why a token was refused. All of them answer 401; the distinction is for logs and for
/// telling a client that merely needs to refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenRejection {
    #[error("the access token is malformed")]
    Malformed,
    #[error("the access token uses an algorithm other than EdDSA")]
    WrongAlgorithm,
    #[error("the access token has no key id")]
    MissingKeyId,
    #[error("the access token was signed by an unknown key")]
    UnknownKey,
    #[error("the access token has expired")]
    Expired,
    #[error("the access token was revoked")]
    Revoked,
    #[error("the access token is invalid")]
    Invalid,
}

/// Where verification keys come from: fixed at construction (tests, air-gapped deploys,
/// auth-service itself), or auth-service's JWKS URL, fetched at start, periodically (see
/// `VerifierSettings::start`) and when a token names a `kid` we do not know (key
/// rotation), at most once per `min_refetch`.
struct JwksSource {
    url: String,
    client: reqwest::Client,
    throttle: super::fetch_throttle::FetchThrottle,
    fetches: AtomicU64,
}

pub struct TokenVerifier {
    keys: RwLock<HashMap<String, DecodingKey>>,
    validation: Validation,
    jwks: Option<JwksSource>,
    /// Subjects whose earlier tokens are refused (see `revocations`).
    revocations: std::sync::Arc<super::revocations::Revocations>,
    issuers: super::issuers::Issuers,
}

/// Clocks of replicas drift a little; more would stretch a token's life.
const LEEWAY_SECONDS: u64 = 5;

/// How far ahead of our clock a token's `iat` may be: auth-service's clock may run a
/// little ahead of a replica's (NTP keeps hosts within well under this), but a token
/// "issued" hours from now was minted by a forged or broken clock.
const IAT_LEEWAY_SECONDS: i64 = 60;

/// The `typ` values of an access token (RFC 7519 and RFC 9068).
const ACCESS_TOKEN_TYPES: [&str; 2] = ["jwt", "at+jwt"];

impl TokenVerifier {
    /// `iss` is required here and checked against `issuers` after the signature.
    fn validation() -> Validation {
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_audience(&[super::DEFAULT_AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        validation
    }

    /// The revocation list this verifier consults (a poller or auth-service fills it).
    pub fn revocations(&self) -> std::sync::Arc<super::revocations::Revocations> {
        self.revocations.clone()
    }

    /// Accepts these issuers instead of the one given at construction.
    pub fn with_issuers(mut self, issuers: super::issuers::Issuers) -> Self {
        self.issuers = issuers;
        self
    }

    /// Asks auth-service for its current issuer (see `Issuers::discover`).
    pub async fn discover_issuer(&self) {
        self.issuers.discover().await;
    }

    /// Requires `audience` instead of the default one (`JWT_AUDIENCE`).
    pub fn with_audience(mut self, audience: &str) -> Self {
        self.validation.set_audience(&[audience]);
        self
    }

    fn key_map(keys: &[Jwk]) -> HashMap<String, DecodingKey> {
        keys.iter()
            .filter(|k| k.is_ed25519())
            .filter_map(|k| Some((k.kid.clone(), DecodingKey::from_ed_components(&k.x).ok()?)))
            .collect()
    }

    pub fn from_keys(issuer: &str, keys: &[Jwk]) -> Self {
        Self {
            keys: RwLock::new(Self::key_map(keys)),
            validation: Self::validation(),
            jwks: None,
            revocations: Default::default(),
            issuers: super::issuers::Issuers::fixed([issuer.to_owned()]),
        }
    }

    /// Fetches the set once now; if auth-service is not up yet, starts empty and fetches
    /// when the first token arrives.
    pub async fn from_jwks_url(
        issuer: &str,
        url: String,
        client: reqwest::Client,
        min_refetch: Duration,
    ) -> Self {
        let verifier = Self {
            keys: RwLock::new(HashMap::new()),
            validation: Self::validation(),
            jwks: Some(JwksSource {
                url,
                client,
                throttle: super::fetch_throttle::FetchThrottle::new(min_refetch),
                fetches: AtomicU64::new(0),
            }),
            revocations: Default::default(),
            issuers: super::issuers::Issuers::fixed([issuer.to_owned()]),
        };
        verifier.refetch().await;
        verifier
    }

    /// How many times the JWKS has been requested (0 for fixed keys): for metrics and tests.
    pub fn jwks_fetches(&self) -> u64 {
        self.jwks
            .as_ref()
            .map_or(0, |source| source.fetches.load(Ordering::Relaxed))
    }

    fn cached_key(&self, kid: &str) -> Option<DecodingKey> {
        self.keys.read().ok()?.get(kid).cloned()
    }

    /// Replaces the cached set with auth-service's current one, unless another request did
    /// so within `min_refetch` (then it waits for that fetch and uses its result).
    pub(crate) async fn refetch(&self) {
        let Some(source) = &self.jwks else {
            return;
        };
        let Some(turn) = source.throttle.turn().await else {
            return;
        };
        source.fetches.fetch_add(1, Ordering::Relaxed);
        let fetched = async {
            source
                .client
                .get(&source.url)
                .send()
                .await?
                .error_for_status()?
                .json::<JwkSet>()
                .await
        }
        .await;
        turn.done(fetched.is_ok());
        match fetched {
            Ok(set) => {
                let keys = Self::key_map(&set.ed25519_keys());
                if let Ok(mut cache) = self.keys.write() {
                    let changed = cache.len() != keys.len()
                        || keys.keys().any(|kid| !cache.contains_key(kid));
                    if changed {
                        tracing::info!(keys = keys.len(), "verification keys loaded from JWKS");
                    }
                    *cache = keys;
                }
            }
            Err(e) => tracing::warn!(url = %source.url, error = %e, "fetching JWKS failed"),
        }
    }

    pub async fn verify(&self, token: &str) -> Result<AccessClaims, TokenRejection> {
        let (header, critical) = protected_header(token).ok_or(TokenRejection::Malformed)?;
        if header.alg != Algorithm::EdDSA {
            return Err(TokenRejection::WrongAlgorithm);
        }
        let typed = header
            .typ
            .as_deref()
            .is_some_and(|typ| ACCESS_TOKEN_TYPES.contains(&typ.to_ascii_lowercase().as_str()));
        // `crit` names extensions a verifier must understand to accept the token; we
        // understand none (RFC 7515 section 4.1.11).
        if !typed || critical {
            return Err(TokenRejection::Invalid);
        }
        let kid = header.kid.ok_or(TokenRejection::MissingKeyId)?;
        let key = match self.cached_key(&kid) {
            Some(key) => key,
            None => {
                self.refetch().await;
                self.cached_key(&kid).ok_or(TokenRejection::UnknownKey)?
            }
        };
        let claims = jsonwebtoken::decode::<AccessClaims>(token, &key, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenRejection::Expired,
                _ => TokenRejection::Invalid,
            })?;
        if !self.issuers.accepts_after_discovery(&claims.iss).await {
            return Err(TokenRejection::Invalid);
        }
        // Issued in the future: a skewed or forged clock would stretch the token's life.
        if claims.iat > chrono::Utc::now().timestamp() + IAT_LEEWAY_SECONDS {
            return Err(TokenRejection::Invalid);
        }
        if self.revocations.refuses(claims.sub, claims.iat) {
            return Err(TokenRejection::Revoked);
        }
        Ok(claims)
    }
}

/// The token's protected header, read once, and whether it has a `crit` member (which
/// jsonwebtoken's `Header` does not keep).
fn protected_header(token: &str) -> Option<(jsonwebtoken::Header, bool)> {
    use base64::Engine;
    let encoded = token.split('.').next()?;
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(encoded)
        .ok()?;
    let value: serde_json::Value = serde_json::from_slice(&json).ok()?;
    let critical = value.get("crit").is_some();
    Some((serde_json::from_value(value).ok()?, critical))
}
