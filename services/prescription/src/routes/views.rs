//! What prescription-service sends: a prescription as of one of its versions.

use crate::db::models::{Prescription, Version};
use crate::domain::dispensing::Dispensed;
use crate::domain::lifecycle::PrescriptionStatus;
use crate::domain::medicine::Medicine;
use chrono::{DateTime, Utc};
use common::UserId;
use common::contracts::appointment::PersonName;
use common::ids::{AppointmentId, PrescriptionId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PrescriptionView {
    pub id: PrescriptionId,
    pub appointment_id: AppointmentId,
    pub doctor_id: UserId,
    pub patient_id: UserId,
    /// The patient's name, kept from the appointment at creation; null when it had none
    pub patient: Option<PersonName>,
    /// The prescribing doctor's name, from their token at creation; null when it had none
    pub doctor: Option<PersonName>,
    pub notes: Option<String>,
    pub medicines: Vec<Medicine>,
    /// The status as of this version (see the lifecycle)
    pub status: PrescriptionStatus,
    /// Why it moved to `status`, when the move said
    pub status_reason: Option<String>,
    /// Why a duplicate therapy was prescribed anyway, on the version that did it
    pub override_reason: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    /// When this version was written.
    pub updated_at: DateTime<Utc>,
    /// What pharmacies handed out, oldest first: everything on the prescription, and in
    /// `/versions` what was dispensed while that version was current
    #[serde(default)]
    pub dispenses: Vec<Dispensed>,
}

impl PrescriptionView {
    pub fn at(head: &Prescription, version: Version) -> Self {
        Self {
            id: head.id,
            appointment_id: head.appointment_id,
            doctor_id: head.doctor_id,
            patient_id: head.patient_id,
            patient: PersonName::from_parts(
                head.patient_first_name.clone(),
                head.patient_last_name.clone(),
            ),
            doctor: PersonName::from_parts(
                head.doctor_first_name.clone(),
                head.doctor_last_name.clone(),
            ),
            notes: version.notes,
            medicines: version.medicines.0,
            status: version.status.0,
            status_reason: version.status_reason,
            override_reason: version.override_reason,
            version: version.version,
            created_at: head.created_at,
            updated_at: version.created_at,
            dispenses: Vec::new(),
        }
    }

    /// The view with what was dispensed.
    pub fn dispensed(self, dispenses: Vec<Dispensed>) -> Self {
        Self { dispenses, ..self }
    }
}
