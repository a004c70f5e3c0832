//! auth-service, for the doctor's own name (`GET /users/profile`, with the doctor's token).

use common::ApiError;
use common::upstream::{Relay, Upstream};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct UserName {
    pub first_name: String,
    pub last_name: String,
}

pub struct AuthClient(pub Upstream);

impl AuthClient {
    /// The caller's name as auth-service knows it. auth-service down, refusing or too slow
    /// is a 503 for our client: nothing is written without the name.
    pub async fn own_name(&self, relay: &Relay) -> Result<UserName, ApiError> {
        self.0
            .get_json("/users/profile", relay)
            .await
            .map_err(|e| e.about("user"))
    }
}
