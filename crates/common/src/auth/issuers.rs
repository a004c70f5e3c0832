//! Which `iss` a verifier accepts. auth-service's issuer is its public URL (contract part 3,
//! section 15), which only auth-service knows for sure (its `PUBLIC_BASE_URL`), so the other
//! services learn it from auth-service's RFC 8414 metadata, as any resource server would,
//! instead of a second copy of the value that could drift. The issuer auth-service signed
//! with before (`JWT_ISSUER`, else the old default) stays accepted: auth-service no longer
//! mints such tokens, so the ones alive at an upgrade keep working until they expire.

use std::sync::RwLock;
use std::time::Duration;

pub struct Issuers {
    accepted: RwLock<Vec<String>>,
    discovery: Option<Discovery>,
}

/// auth-service's `/.well-known/oauth-authorization-server`.
struct Discovery {
    url: String,
    client: reqwest::Client,
    throttle: super::fetch_throttle::FetchThrottle,
}

#[derive(serde::Deserialize)]
struct Metadata {
    issuer: String,
}

impl Issuers {
    /// Exactly these issuers, learnt from nowhere (auth-service itself, tests).
    pub fn fixed(accepted: impl IntoIterator<Item = String>) -> Self {
        Self {
            accepted: RwLock::new(dedup(accepted)),
            discovery: None,
        }
    }

    /// `accepted`, plus the issuer named by the metadata at `metadata_url`, fetched by
    /// `discover` (at most once per `min_refetch`).
    pub fn discovered(
        accepted: impl IntoIterator<Item = String>,
        metadata_url: String,
        client: reqwest::Client,
        min_refetch: Duration,
    ) -> Self {
        Self {
            accepted: RwLock::new(dedup(accepted)),
            discovery: Some(Discovery {
                url: metadata_url,
                client,
                throttle: super::fetch_throttle::FetchThrottle::new(min_refetch),
            }),
        }
    }

    pub fn accepts(&self, issuer: &str) -> bool {
        self.accepted
            .read()
            .is_ok_and(|accepted| accepted.iter().any(|known| known == issuer))
    }

    /// Whether `issuer` is accepted, asking auth-service once more when it is not: a token
    /// that names an issuer we have not heard of yet was signed by our keys, so it is the
    /// new issuer of an auth-service that changed its public URL, or a forgery that fails
    /// here after one throttled fetch.
    pub async fn accepts_after_discovery(&self, issuer: &str) -> bool {
        if self.accepts(issuer) {
            return true;
        }
        self.discover().await;
        self.accepts(issuer)
    }

    /// Adds auth-service's current issuer to the accepted ones; a failure keeps them.
    pub async fn discover(&self) {
        let Some(source) = &self.discovery else {
            return;
        };
        let Some(turn) = source.throttle.turn().await else {
            return;
        };
        let fetched = async {
            source
                .client
                .get(&source.url)
                .send()
                .await?
                .error_for_status()?
                .json::<Metadata>()
                .await
        }
        .await;
        turn.done(fetched.is_ok());
        match fetched {
            Ok(metadata) if !self.accepts(&metadata.issuer) => {
                tracing::info!(issuer = %metadata.issuer, "token issuer learnt from auth-service");
                if let Ok(mut accepted) = self.accepted.write() {
                    accepted.push(metadata.issuer);
                }
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(url = %source.url, error = %e, "fetching the issuer's metadata failed")
            }
        }
    }
}

fn dedup(issuers: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut unique: Vec<String> = Vec::new();
    for issuer in issuers {
        if !unique.contains(&issuer) {
            unique.push(issuer);
        }
    }
    unique
}
