use crate::UserId;
use crate::ids::AppointmentId;
use serde::{Deserialize, Serialize};

/// `GET /appointments/{id}` of appointment-service, as prescription-service reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentSummary {
    pub id: AppointmentId,
    pub patient_id: UserId,
    pub doctor_id: UserId,
    /// `booked`, `completed`, `cancelled` or `no_show`.
    pub status: String,
}

impl AppointmentSummary {
    /// Cancelled and missed visits cannot be prescribed for.
    pub fn took_place_or_will(&self) -> bool {
        !matches!(self.status.as_str(), "cancelled" | "no_show")
    }
}
