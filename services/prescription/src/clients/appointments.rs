//! appointment-service, read with the caller's own token: it decides whether this doctor
//! may see the appointment, exactly as it would for the doctor's own app.

use common::ApiError;
use common::contracts::appointment::AppointmentSummary;
use common::ids::AppointmentId;
use common::upstream::{Relay, Upstream};

pub struct AppointmentClient(pub Upstream);

impl AppointmentClient {
    /// The appointment as the caller sees it. Not visible or missing -> 404; down, refusing,
    /// failing or slower than the timeout -> 503.
    pub async fn fetch(
        &self,
        id: AppointmentId,
        relay: &Relay,
    ) -> Result<AppointmentSummary, ApiError> {
        self.0
            .get_json(&format!("/appointments/{id}"), relay)
            .await
            .map_err(|e| e.about("appointment"))
    }
}
