//! What appointment-service sends: profiles, appointments, slots.

use crate::db::models::{Appointment, DoctorProfile, HoursOverride, TimeOff, WaitlistEntry};
use crate::domain::appointment::{CancelledBy, Status};
use crate::domain::profile::{Break, format_time};
use crate::domain::schedule::{DayOverride, Slot};
use crate::domain::waitlist::WaitlistStatus;
use chrono::{DateTime, NaiveDate, Utc};
use common::UserId;
use common::contracts::appointment::PersonName;
use common::ids::{AppointmentId, DoctorProfileId, TimeOffId, WaitlistEntryId};
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
    /// Daily pauses, local times inside the hours
    pub breaks: Vec<Break>,
    /// No booking or reschedule starts sooner than this after now
    pub min_notice_minutes: i32,
    /// No booking starts later than this many days after now
    pub booking_horizon_days: i32,
    /// Patients may not cancel or reschedule an appointment starting sooner
    pub cancellation_notice_hours: i32,
    /// Booked appointments one patient may have with this doctor on one local day
    pub max_daily_bookings_per_patient: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<DoctorProfile> for ProfileView {
    fn from(p: DoctorProfile) -> Self {
        Self {
            breaks: p.breaks(),
            min_notice_minutes: p.min_notice_minutes,
            booking_horizon_days: p.booking_horizon_days,
            cancellation_notice_hours: p.cancellation_notice_hours,
            max_daily_bookings_per_patient: p.max_daily_bookings_per_patient,
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
    /// Why it was cancelled, when it was and a reason was given (a time off gives
    /// "doctor unavailable")
    pub cancellation_reason: Option<String>,
    pub cancelled_by: Option<CancelledBy>,
    /// Until when a hold keeps the slot (held or expired; kept once confirmed)
    pub hold_expires_at: Option<DateTime<Utc>>,
    /// The patient's name as their booking token stated it, shown to all who may see
    /// the appointment (its doctor, admins, and the patient, whose own name it is); null
    /// for bookings made before names were kept or with a token without them
    pub patient: Option<PersonName>,
    /// The patient's birth date and sex as their booking token stated them, next to the
    /// name (null when they gave none, or for bookings made before)
    #[schema(value_type = Option<String>, format = Date)]
    pub patient_birth_date: Option<chrono::NaiveDate>,
    /// FHIR administrative gender: female, male, other or unknown
    pub patient_sex: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Appointment> for AppointmentView {
    fn from(a: Appointment) -> Self {
        Self {
            status: a.status_now(),
            patient: PersonName::from_parts(
                a.patient_first_name.clone(),
                a.patient_last_name.clone(),
            ),
            hold_expires_at: a.hold_expires_at,
            patient_birth_date: a.patient_birth_date,
            patient_sex: a.patient_sex.clone(),
            id: a.id,
            patient_id: a.patient_id,
            doctor_id: a.doctor_id,
            appointment_time: a.appointment_time,
            end_time: a.end_time,
            notes: a.notes,
            cancellation_reason: a.cancellation_reason,
            cancelled_by: a.cancelled_by.map(|c| c.0),
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

impl From<Slot> for SlotView {
    fn from(slot: Slot) -> Self {
        Self {
            start: slot.start,
            end: slot.end,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TimeOffView {
    pub id: TimeOffId,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<TimeOff> for TimeOffView {
    fn from(t: TimeOff) -> Self {
        Self {
            id: t.id,
            start: t.starts_at,
            end: t.ends_at,
            reason: t.reason,
            created_at: t.created_at,
        }
    }
}

/// `POST /doctors/profile/time-off`'s answer: the time off, and the appointments it
/// cancelled (with `cancel_appointments: true`; else always empty).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedTimeOffView {
    #[serde(flatten)]
    pub time_off: TimeOffView,
    pub cancelled: Vec<AppointmentId>,
}

/// One date's hours instead of the weekly rule; `closed` with null hours.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HoursOverrideView {
    pub date: NaiveDate,
    pub available_from: Option<String>,
    pub available_to: Option<String>,
    pub closed: bool,
    pub updated_at: DateTime<Utc>,
}

impl From<HoursOverride> for HoursOverrideView {
    fn from(o: HoursOverride) -> Self {
        let (available_from, available_to, closed) = match o.hours() {
            DayOverride::Open(hours) => (
                Some(format_time(hours.from)),
                Some(format_time(hours.to)),
                false,
            ),
            DayOverride::Closed => (None, None, true),
        };
        Self {
            date: o.on_date,
            available_from,
            available_to,
            closed,
            updated_at: o.updated_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WaitlistView {
    pub id: WaitlistEntryId,
    pub doctor_id: UserId,
    pub patient_id: UserId,
    pub earliest: DateTime<Utc>,
    pub latest: DateTime<Utc>,
    pub status: WaitlistStatus,
    /// The offered hold (offered) or the booked appointment (fulfilled)
    pub appointment_id: Option<AppointmentId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<WaitlistEntry> for WaitlistView {
    fn from(w: WaitlistEntry) -> Self {
        Self {
            id: w.id,
            doctor_id: w.doctor_id,
            patient_id: w.patient_id,
            earliest: w.earliest,
            latest: w.latest,
            status: w.status.0,
            appointment_id: w.appointment_id,
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}
