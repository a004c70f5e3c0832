//! appointment-service, read with the caller's own token: it decides whether this doctor
//! may see the appointment, exactly as it would for the doctor's own app.

use common::ApiError;
use common::auth::BearerToken;
use common::contracts::appointment::AppointmentSummary;
use common::ids::AppointmentId;
use common::metrics::Metrics;
use common::middleware::RequestId;

pub struct AppointmentClient {
    http: reqwest::Client,
    metrics: actix_web::web::Data<Metrics>,
    base_url: String,
}

impl AppointmentClient {
    /// `http` carries the timeout; one client serves every request.
    pub fn new(
        http: reqwest::Client,
        metrics: actix_web::web::Data<Metrics>,
        base_url: &str,
    ) -> Self {
        Self {
            http,
            metrics,
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
        let started = std::time::Instant::now();
        let sent = request_id
            .forward(
                self.http
                    .get(format!("{}/appointments/{id}", self.base_url)),
            )
            .bearer_auth(&token.0)
            .send()
            .await;
        let answered = sent.as_ref().is_ok_and(|r| !r.status().is_server_error());
        self.metrics
            .observe_upstream("appointment-service", started.elapsed(), answered);
        let response = sent.map_err(|e| unavailable(e.into()))?;
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
