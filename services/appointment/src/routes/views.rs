//! What appointment-service sends: profiles, appointments, slots.

use crate::db::models::{Appointment, DoctorProfile};
use crate::domain::appointment::Status;
use crate::domain::profile::format_time;
use chrono::{DateTime, Utc};
use common::UserId;
use common::ids::{AppointmentId, DoctorProfileId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProfileView {
    /// The profile's own id. Either this or `doctor_id` names the doctor anywhere.
    pub id: DoctorProfileId,
    /// The doctor's user id: what appointments and prescriptions carry as `doctor_id`.
    pub doctor_id: UserId,
    /// The same as `doctor_id` (kept for clients written before it).
    pub user_id: UserId,
    pub first_name: String,
    pub last_name: String,
    pub specialization: String,
    pub available_from: String,
    pub available_to: String,
    pub location: Option<String>,
    pub timezone: String,
    pub working_days: Vec<i16>,
    pub slot_minutes: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<DoctorProfile> for ProfileView {
    fn from(p: DoctorProfile) -> Self {
        Self {
            id: p.id,
            doctor_id: p.user_id,
            user_id: p.user_id,
            first_name: p.first_name,
            last_name: p.last_name,
            specialization: p.specialization,
            available_from: format_time(p.available_from),
            available_to: format_time(p.available_to),
            location: p.location,
            timezone: p.timezone,
            working_days: p.working_days,
            slot_minutes: p.slot_minutes,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AppointmentView {
    pub id: AppointmentId,
    pub patient_id: UserId,
    pub doctor_id: UserId,
    pub appointment_time: DateTime<Utc>,
    pub end_time: DateTime<Utc>,
    pub status: Status,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Appointment> for AppointmentView {
    fn from(a: Appointment) -> Self {
        Self {
            id: a.id,
            patient_id: a.patient_id,
            doctor_id: a.doctor_id,
            appointment_time: a.appointment_time,
            end_time: a.end_time,
            status: a.status.0,
            notes: a.notes,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SlotView {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}
