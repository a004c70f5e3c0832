//! `GET /admin/stats` of appointment-service and prescription-service: what each sends and
//! auth-service's analytics reads, one type per answer on both sides of the wire.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AppointmentStats {
    pub total_appointments: i64,
    pub booked: i64,
    pub completed: i64,
    pub cancelled: i64,
    pub no_show: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PrescriptionStats {
    pub total_prescriptions: i64,
}
