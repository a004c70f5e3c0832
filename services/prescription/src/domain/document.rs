//! What a signature covers: one version of a prescription as a pharmacy reads it. The
//! shape is frozen under its `schema` name: a field added later would make every earlier
//! signature fail, so a new shape gets a new name and verification picks by it.

use super::lifecycle::PrescriptionStatus;
use super::medicine::Medicine;
use chrono::{DateTime, Utc};
use common::UserId;
use common::ids::{AppointmentId, PrescriptionId};
use serde::{Deserialize, Serialize};

pub const SCHEMA: &str = "healthcare.prescription.v1";

/// A person as printed: first and last name, null where the token that created the
/// prescription did not carry them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Person {
    pub id: UserId,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignedVersion {
    pub schema: String,
    pub prescription_id: PrescriptionId,
    pub appointment_id: AppointmentId,
    pub version: i32,
    pub status: PrescriptionStatus,
    pub status_reason: Option<String>,
    pub override_reason: Option<String>,
    pub patient: Person,
    pub doctor: Person,
    pub notes: Option<String>,
    pub medicines: Vec<Medicine>,
    pub created_at: DateTime<Utc>,
    /// When this version was written.
    pub written_at: DateTime<Utc>,
}
