//! Admin figures from appointment-service and prescription-service (`GET /admin/stats`),
//! fetched with the admin's own token, so those services authorize the call themselves.

use common::auth::BearerToken;
use common::metrics::Metrics;
use common::middleware::RequestId;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppointmentStats {
    pub total_appointments: i64,
    pub booked: i64,
    pub completed: i64,
    pub cancelled: i64,
    pub no_show: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PrescriptionStats {
    pub total_prescriptions: i64,
}

pub struct StatsClient {
    http: reqwest::Client,
    metrics: actix_web::web::Data<Metrics>,
    appointment_url: String,
    prescription_url: String,
}

impl StatsClient {
    /// `http` carries the timeout; one client is shared by all requests.
    pub fn new(
        http: reqwest::Client,
        metrics: actix_web::web::Data<Metrics>,
        appointment_url: String,
        prescription_url: String,
    ) -> Self {
        Self {
            http,
            metrics,
            appointment_url: appointment_url.trim_end_matches('/').to_owned(),
            prescription_url: prescription_url.trim_end_matches('/').to_owned(),
        }
    }

    async fn fetch<T: serde::de::DeserializeOwned>(
        &self,
        upstream: &'static str,
        base: &str,
        token: &BearerToken,
        request_id: &RequestId,
    ) -> Option<T> {
        let started = std::time::Instant::now();
        let result = async {
            request_id
                .forward(self.http.get(format!("{base}/admin/stats")))
                .bearer_auth(&token.0)
                .send()
                .await?
                .error_for_status()?
                .json::<T>()
                .await
        }
        .await;
        self.metrics
            .observe_upstream(upstream, started.elapsed(), result.is_ok());
        match result {
            Ok(stats) => Some(stats),
            Err(e) => {
                tracing::warn!(upstream, error = %e, "stats unavailable");
                None
            }
        }
    }

    /// Both at once; each is `None` when its service did not answer in time.
    pub async fn fetch_all(
        &self,
        token: &BearerToken,
        request_id: &RequestId,
    ) -> (Option<AppointmentStats>, Option<PrescriptionStats>) {
        tokio::join!(
            self.fetch(
                "appointment-service",
                &self.appointment_url,
                token,
                request_id
            ),
            self.fetch(
                "prescription-service",
                &self.prescription_url,
                token,
                request_id
            ),
        )
    }
}
