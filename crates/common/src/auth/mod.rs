//! Access tokens: the claims auth-service signs, the public-key set it publishes, and how
//! every service verifies a bearer token (EdDSA only, `kid` required, `exp` and `iss`
//! checked) and turns it into an `AuthenticatedUser`.

mod claims;
mod extractor;
mod fetch_throttle;
mod issuers;
mod jwk;
pub mod revocations;
mod settings;
mod verifier;
mod visibility;

pub use claims::AccessClaims;
pub use extractor::{
    AuthenticatedUser, BearerToken, EmailVerification, TokenNames, VerifiedCaller,
};
pub use issuers::Issuers;
pub use jwk::{Jwk, JwkSet};
pub use settings::{KeySource, VerifierSettings};
pub use verifier::{TokenRejection, TokenVerifier};
pub use visibility::Visibility;

/// The issuer auth-service signed with before it became a URL, when `JWT_ISSUER` was unset:
/// still accepted, so tokens alive at the upgrade keep working until they expire.
pub const DEFAULT_ISSUER: &str = "healthcare-auth";

/// The `client_id` of tokens from a login through our own API (RFC 9068 requires one).
pub const FIRST_PARTY_CLIENT_ID: &str = "healthcare-api";

/// The audience auth-service writes and every service requires unless `JWT_AUDIENCE` says
/// otherwise: a token minted for another system by the same issuer is refused.
pub const DEFAULT_AUDIENCE: &str = "healthcare";
