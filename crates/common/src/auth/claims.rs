use crate::{Role, UserId};
use serde::{Deserialize, Serialize};

/// What an access token asserts. `role` is the enum, so a token naming any other role
/// fails to decode and is rejected like a forged one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub sub: UserId,
    pub role: Role,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    pub iss: String,
    /// The services the token is for (`JWT_AUDIENCE`); every verifier requires it.
    pub aud: String,
    /// RFC 9068: the client the token was issued to (`FIRST_PARTY_CLIENT_ID` for logins
    /// through our own API); absent in tokens issued before it was added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// OIDC names, so a service can show who acted without a call; absent in tokens
    /// issued before they were added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Doctors only: whether an admin vetted them. A doctor's token without it (issued
    /// before vetting existed) counts as not approved: failing closed costs a re-login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved: Option<bool>,
    /// OIDC `birthdate` (`YYYY-MM-DD`) and `gender` (FHIR administrative gender) when the
    /// person gave them: what a doctor sees beside a booking patient's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthdate: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    /// OIDC `email_verified`: what `EMAIL_VERIFICATION_REQUIRED` checks without a call to
    /// auth-service; absent in tokens issued before it (read as not verified).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
}

impl AccessClaims {
    /// Whether the subject may act in their role: every role but an unvetted doctor.
    pub fn approved(&self) -> bool {
        self.role != Role::Doctor || self.approved == Some(true)
    }
}
