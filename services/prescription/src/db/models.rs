use super::schema::{prescription_versions, prescriptions};
use chrono::{DateTime, Utc};
use common::UserId;
use common::ids::{AppointmentId, PrescriptionId};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = prescriptions, check_for_backend(diesel::pg::Pg))]
pub struct Prescription {
    pub id: PrescriptionId,
    pub appointment_id: AppointmentId,
    pub doctor_id: UserId,
    pub patient_id: UserId,
    pub status: String,
    pub current_version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = prescription_versions, check_for_backend(diesel::pg::Pg))]
pub struct Version {
    pub prescription_id: PrescriptionId,
    pub version: i32,
    pub notes: Option<String>,
    pub medicines: serde_json::Value,
    pub created_at: DateTime<Utc>,
}
