//! `GET /admin/stats` of appointment-service and prescription-service: what each sends and
//! auth-service's analytics reads, one type per answer on both sides of the wire.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AppointmentStats {
    pub total_appointments: i64,
    pub booked: i64,
    pub completed: i64,
    pub cancelled: i64,
    pub no_show: i64,
    /// Cancelled inside the doctor's cancellation notice (by the doctor or an admin:
    /// a patient cannot cancel that late).
    pub late_cancellations: i64,
    /// no_show / (completed + no_show): of the visits that were due, the share nobody
    /// came to; 0 before any was.
    pub no_show_rate: f64,
}

impl AppointmentStats {
    pub fn no_show_rate(completed: i64, no_show: i64) -> f64 {
        let due = completed + no_show;
        if due == 0 {
            0.0
        } else {
            // Counts of appointments are far below 2^52: the conversion is exact.
            no_show as f64 / due as f64
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PrescriptionStats {
    pub total_prescriptions: i64,
}
