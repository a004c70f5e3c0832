//! appointment-service, read with the caller's own token: it decides whether this doctor
//! may see the appointment, exactly as it would for the doctor's own app.

use common::ApiError;
use common::auth::BearerToken;
use common::contracts::appointment::AppointmentSummary;
use common::ids::AppointmentId;
use common::middleware::{REQUEST_ID_HEADER, RequestId};

pub struct AppointmentClient {
    http: reqwest::Client,
    base_url: String,
}

impl AppointmentClient {
    /// `http` carries the timeout; one client serves every request.
    pub fn new(http: reqwest::Client, base_url: &str) -> Self {
        Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
        }
    }

    /// The appointment as the caller sees it. Not visible or missing -> 404; down, refusing,
    /// failing or slower than the timeout -> 503.
    pub async fn fetch(
        &self,
        id: AppointmentId,
        token: &BearerToken,
        request_id: &RequestId,
    ) -> Result<AppointmentSummary, ApiError> {
        let unavailable = |e: anyhow::Error| ApiError::unavailable("appointment-service", e);
        let response = self
            .http
            .get(format!("{}/appointments/{id}", self.base_url))
            .bearer_auth(&token.0)
            .header(REQUEST_ID_HEADER, request_id.as_str())
            .send()
            .await
            .map_err(|e| unavailable(e.into()))?;
        match response.status().as_u16() {
            200 => response
                .json::<AppointmentSummary>()
                .await
                .map_err(|e| unavailable(e.into())),
            404 | 403 => Err(ApiError::NotFound("appointment")),
            401 => Err(ApiError::Unauthenticated("the access token is invalid")),
            status => Err(unavailable(anyhow::anyhow!(
                "GET /appointments/{{id}} answered {status}"
            ))),
        }
    }
}
