//! What prescription-service sends: a prescription as of one of its versions.

use crate::db::models::{Prescription, Version};
use crate::domain::prescription::{Medicine, PrescriptionStatus};
use chrono::{DateTime, Utc};
use common::UserId;
use common::ids::{AppointmentId, PrescriptionId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PrescriptionView {
    pub id: PrescriptionId,
    pub appointment_id: AppointmentId,
    pub doctor_id: UserId,
    pub patient_id: UserId,
    pub notes: Option<String>,
    pub medicines: Vec<Medicine>,
    /// Always `active`
    pub status: PrescriptionStatus,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    /// When this version was written.
    pub updated_at: DateTime<Utc>,
}

impl PrescriptionView {
    pub fn at(head: &Prescription, version: Version) -> Self {
        Self {
            id: head.id,
            appointment_id: head.appointment_id,
            doctor_id: head.doctor_id,
            patient_id: head.patient_id,
            notes: version.notes,
            medicines: version.medicines.0,
            status: head.status.0,
            version: version.version,
            created_at: head.created_at,
            updated_at: version.created_at,
        }
    }
}
