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
}
