//! Access tokens: the claims auth-service signs, the public-key set it publishes, and how
//! every service verifies a bearer token (EdDSA only, `kid` required, `exp` and `iss`
//! checked) and turns it into an `AuthenticatedUser`.

mod claims;
mod extractor;
mod jwk;
pub mod revocations;
mod settings;
mod verifier;
mod visibility;

pub use claims::AccessClaims;
pub use extractor::{AuthenticatedUser, BearerToken, TokenNames};
pub use jwk::{Jwk, JwkSet};
pub use settings::{KeySource, VerifierSettings};
pub use verifier::{TokenRejection, TokenVerifier};
pub use visibility::Visibility;

/// The issuer every service expects unless `JWT_ISSUER` says otherwise.
pub const DEFAULT_ISSUER: &str = "healthcare-auth";

/// The audience auth-service writes and every service requires unless `JWT_AUDIENCE` says
/// otherwise: a token minted for another system by the same issuer is refused.
pub const DEFAULT_AUDIENCE: &str = "healthcare";
