//! auth-service, for the doctor's own name (`GET /users/profile`, with the doctor's token).

use common::ApiError;
use common::auth::BearerToken;
use common::metrics::Metrics;
use common::middleware::RequestId;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct UserName {
    pub first_name: String,
    pub last_name: String,
}

pub struct AuthClient {
    http: reqwest::Client,
    metrics: actix_web::web::Data<Metrics>,
    profile_url: String,
}

impl AuthClient {
    /// `http` carries the timeout; one client serves every request.
    pub fn new(
        http: reqwest::Client,
        metrics: actix_web::web::Data<Metrics>,
        base_url: &str,
    ) -> Self {
        Self {
            http,
            metrics,
            profile_url: format!("{}/users/profile", base_url.trim_end_matches('/')),
        }
    }

    /// The caller's name as auth-service knows it. auth-service down, refusing or too slow
    /// is a 503 for our client: nothing is written without the name.
    pub async fn own_name(
        &self,
        token: &BearerToken,
        request_id: &RequestId,
    ) -> Result<UserName, ApiError> {
        let started = std::time::Instant::now();
        let sent = request_id
            .forward(self.http.get(&self.profile_url))
            .bearer_auth(&token.0)
            .send()
            .await;
        let answered = sent.as_ref().is_ok_and(|r| !r.status().is_server_error());
        self.metrics
            .observe_upstream("auth-service", started.elapsed(), answered);
        let response = sent.map_err(|e| ApiError::unavailable("auth-service", e))?;
        match response.status().as_u16() {
            200 => response
                .json::<UserName>()
                .await
                .map_err(|e| ApiError::unavailable("auth-service", e)),
            401 => Err(ApiError::Unauthenticated("the access token is invalid")),
            404 => Err(ApiError::NotFound("user")),
            status => Err(ApiError::unavailable(
                "auth-service",
                anyhow::anyhow!("GET /users/profile answered {status}"),
            )),
        }
    }
}
