//! The `data` of appointment-service's events, as it writes them and as auth-service's
//! notifications read them (one type on both sides of the wire).

use crate::UserId;
use crate::ids::{AppointmentId, WaitlistEntryId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// `appointment.*`: the appointment as it is after the change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentEventData {
    pub appointment_id: AppointmentId,
    pub patient_id: UserId,
    pub doctor_id: UserId,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_expires_at: Option<DateTime<Utc>>,
    /// On `appointment.rescheduled`: the start it had.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_start: Option<DateTime<Utc>>,
    /// On `appointment.cancelled`: `patient`, `doctor` or `admin` (absent when the system
    /// cancelled it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_by: Option<String>,
    /// The doctor's IANA zone: times in mail are shown in it.
    pub timezone: String,
    pub location: Option<String>,
    /// The `UID` of the appointment's calendar event (`<id>@<host>`) and its `SEQUENCE`,
    /// so a mail's calendar part updates the event a calendar already holds; absent from
    /// an older appointment-service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar_uid: Option<String>,
    #[serde(default)]
    pub calendar_sequence: u32,
}

/// `waitlist.offered`: a hold on a freed slot for a waiting patient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfferEventData {
    pub waitlist_entry_id: WaitlistEntryId,
    pub appointment_id: AppointmentId,
    pub patient_id: UserId,
    pub doctor_id: UserId,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub hold_expires_at: Option<DateTime<Utc>>,
    pub timezone: String,
    pub location: Option<String>,
}
