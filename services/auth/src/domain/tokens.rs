//! Access tokens (short-lived EdDSA JWTs) and refresh tokens (opaque, random, stored only
//! as a hash).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::auth::{AccessClaims, Jwk};
use common::signing_key::{KeyNames, Signer};
use common::{ApiError, Role, UserId};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// auth-service's signing key: `JWT_PRIVATE_KEY_FILE`, or generated under `DATA_DIR`.
pub const KEY_NAMES: KeyNames = KeyNames {
    variable: "JWT_PRIVATE_KEY_FILE",
    generated_file: "jwt-signing-key.pem",
};

/// The `typ` of access tokens.
pub const ACCESS_TOKEN_TYPE: &str = "at+jwt";

pub struct TokenIssuer {
    /// The current key, and the retired ones whose tokens may still be alive.
    signer: Signer,
    issuer: String,
    audience: String,
    access_ttl: Duration,
}

/// Who an access token is for, and what it asserts about them.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub id: UserId,
    pub role: Role,
    pub given_name: &'a str,
    pub family_name: &'a str,
    pub approved: bool,
    /// The subject's tokens are refused when issued before this (a revocation in this
    /// very second): a token issued now is dated no earlier, so it is not refused.
    pub not_before: Option<chrono::DateTime<chrono::Utc>>,
    pub birth_date: Option<chrono::NaiveDate>,
    /// FHIR administrative gender, as OIDC's `gender` claim.
    pub sex: Option<&'a str>,
    pub email_verified: bool,
}

#[derive(Debug)]
pub struct AccessToken {
    pub token: String,
    pub expires_in: u64,
}

impl TokenIssuer {
    /// `signer` must make `at+jwt` (RFC 9068: an access token says so, so it cannot pass
    /// for an ID token elsewhere); see `ACCESS_TOKEN_TYPE`.
    pub fn new(signer: Signer, issuer: String, audience: String, access_ttl: Duration) -> Self {
        Self {
            signer,
            issuer,
            audience,
            access_ttl,
        }
    }

    pub fn published_keys(&self) -> &[Jwk] {
        self.signer.published_keys()
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// A token for `subject`, naming them (`given_name`, `family_name`) for the services
    /// that show who acted; a doctor's also says whether they are vetted.
    pub fn access_token(&self, subject: &Subject<'_>) -> Result<AccessToken, ApiError> {
        let now = chrono::Utc::now().timestamp();
        let ttl = self.access_ttl.as_secs();
        // At most a second ahead, within every verifier's allowance for clocks.
        let issued = subject.not_before.map_or(now, |nb| now.max(nb.timestamp()));
        let claims = AccessClaims {
            sub: subject.id,
            role: subject.role,
            iat: issued,
            exp: now + i64::try_from(ttl).unwrap_or(i64::MAX / 2),
            jti: uuid::Uuid::new_v4().to_string(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            client_id: Some(common::auth::FIRST_PARTY_CLIENT_ID.to_owned()),
            given_name: Some(subject.given_name.to_owned()),
            family_name: Some(subject.family_name.to_owned()),
            approved: (subject.role == Role::Doctor).then_some(subject.approved),
            birthdate: subject.birth_date.map(|d| d.format("%Y-%m-%d").to_string()),
            gender: subject.sex.map(str::to_owned),
            email_verified: Some(subject.email_verified),
        };
        let token = self.signer.sign(&claims)?;
        Ok(AccessToken {
            token,
            expires_in: ttl,
        })
    }
}

/// A refresh token as handed to the client, and the hash that is all we keep of it.
pub struct RefreshToken {
    pub token: String,
    pub hash: Vec<u8>,
}

/// 256 random bits, URL-safe.
pub fn new_refresh_token() -> Result<RefreshToken, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("no OS randomness: {e}")))?;
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_refresh_token(&token);
    Ok(RefreshToken { token, hash })
}

/// A plain SHA-256 suffices: the input has 256 bits of entropy, nothing to brute-force.
pub fn hash_refresh_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}
