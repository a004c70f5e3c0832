use super::schema::{
    appointments, doctor_hours_overrides, doctor_profiles, doctor_time_off, waitlist_entries,
};
use crate::domain::appointment::{CancelledBy, Status};
use crate::domain::profile::{Availability, BookingPolicy, Break, ProfileFields};
use crate::domain::schedule::{DayOverride, Hours, Span};
use crate::domain::waitlist::WaitlistStatus;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use common::UserId;
use common::ids::{AppointmentId, DoctorProfileId, TimeOffId, WaitlistEntryId};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = doctor_profiles, check_for_backend(diesel::pg::Pg))]
pub struct DoctorProfile {
    pub id: DoctorProfileId,
    pub user_id: UserId,
    pub first_name: String,
    pub last_name: String,
    pub specialization: String,
    pub available_from: NaiveTime,
    pub available_to: NaiveTime,
    pub location: Option<String>,
    pub timezone: String,
    pub working_days: Vec<i16>,
    pub slot_minutes: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub breaks: serde_json::Value,
    pub min_notice_minutes: i32,
    pub booking_horizon_days: i32,
    pub cancellation_notice_hours: i32,
    pub max_daily_bookings_per_patient: i32,
    /// Since when the doctor may not be booked (approval withdrawn, account disabled).
    pub suspended_at: Option<DateTime<Utc>>,
}

/// A stored count the table's CHECK keeps in range; the default only guards manual edits.
fn count(stored: i32, default: u32) -> u32 {
    u32::try_from(stored).unwrap_or(default)
}

impl DoctorProfile {
    /// The stored zone was validated on write; UTC is only a guard against manual edits.
    pub fn availability(&self) -> Availability {
        Availability {
            available_from: self.available_from,
            available_to: self.available_to,
            timezone: self.timezone.parse().unwrap_or(chrono_tz::Tz::UTC),
            working_days: self
                .working_days
                .iter()
                .filter_map(|d| u8::try_from(*d).ok())
                .collect(),
            slot_minutes: u32::try_from(self.slot_minutes).unwrap_or(30),
            breaks: self.breaks(),
        }
    }

    /// Validated on write; a manual edit that breaks the shape reads as no breaks.
    pub fn breaks(&self) -> Vec<Break> {
        serde_json::from_value(self.breaks.clone()).unwrap_or_default()
    }

    pub fn policy(&self) -> BookingPolicy {
        let defaults = BookingPolicy::default();
        BookingPolicy {
            min_notice_minutes: count(self.min_notice_minutes, defaults.min_notice_minutes),
            booking_horizon_days: count(self.booking_horizon_days, defaults.booking_horizon_days),
            cancellation_notice_hours: count(
                self.cancellation_notice_hours,
                defaults.cancellation_notice_hours,
            ),
            max_daily_bookings_per_patient: count(
                self.max_daily_bookings_per_patient,
                defaults.max_daily_bookings_per_patient,
            ),
        }
    }

    pub fn fields(&self) -> ProfileFields {
        ProfileFields {
            specialization: self.specialization.clone(),
            location: self.location.clone(),
            availability: self.availability(),
            policy: self.policy(),
        }
    }
}

/// The columns a create or update writes.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = doctor_profiles, treat_none_as_null = true)]
pub struct ProfileRow {
    pub first_name: String,
    pub last_name: String,
    pub specialization: String,
    pub available_from: NaiveTime,
    pub available_to: NaiveTime,
    pub location: Option<String>,
    pub timezone: String,
    pub working_days: Vec<i16>,
    pub slot_minutes: i32,
    pub breaks: serde_json::Value,
    pub min_notice_minutes: i32,
    pub booking_horizon_days: i32,
    pub cancellation_notice_hours: i32,
    pub max_daily_bookings_per_patient: i32,
    pub updated_at: DateTime<Utc>,
}

/// The profile's bounds (at most 10080) keep every count far inside an `i32`.
fn column(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl ProfileRow {
    pub fn new(fields: &ProfileFields, first_name: String, last_name: String) -> Self {
        let hours = &fields.availability;
        Self {
            first_name,
            last_name,
            specialization: fields.specialization.clone(),
            available_from: hours.available_from,
            available_to: hours.available_to,
            location: fields.location.clone(),
            timezone: hours.timezone.name().to_owned(),
            working_days: hours.working_days.iter().map(|d| i16::from(*d)).collect(),
            slot_minutes: i32::try_from(hours.slot_minutes).unwrap_or(30),
            breaks: serde_json::to_value(&hours.breaks).unwrap_or_default(),
            min_notice_minutes: column(fields.policy.min_notice_minutes),
            booking_horizon_days: column(fields.policy.booking_horizon_days),
            cancellation_notice_hours: column(fields.policy.cancellation_notice_hours),
            max_daily_bookings_per_patient: column(fields.policy.max_daily_bookings_per_patient),
            updated_at: Utc::now(),
        }
    }
}

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = appointments, check_for_backend(diesel::pg::Pg))]
pub struct Appointment {
    pub id: AppointmentId,
    pub patient_id: UserId,
    pub doctor_id: UserId,
    pub appointment_time: DateTime<Utc>,
    pub end_time: DateTime<Utc>,
    pub status: StatusColumn,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub cancellation_reason: Option<String>,
    pub cancelled_by: Option<CancelledByColumn>,
    pub cancelled_late: bool,
    pub hold_expires_at: Option<DateTime<Utc>>,
    pub patient_first_name: Option<String>,
    pub patient_last_name: Option<String>,
    /// Its calendar event's `SEQUENCE` (kept by a trigger).
    pub calendar_sequence: i32,
    pub patient_birth_date: Option<NaiveDate>,
    pub patient_sex: Option<String>,
}

impl Appointment {
    /// The patient's name as kept at booking (none for bookings made before names were).
    pub fn patient_name(&self) -> Option<String> {
        common::contracts::appointment::PersonName::from_parts(
            self.patient_first_name.clone(),
            self.patient_last_name.clone(),
        )
        .map(|name| name.full())
        .filter(|name| !name.is_empty())
    }

    /// The status as of now (a lapsed hold reads `expired` at once).
    pub fn status_now(&self) -> Status {
        self.status.0.as_of(self.hold_expires_at, Utc::now())
    }

    pub fn span(&self) -> Span {
        Span {
            start: self.appointment_time,
            end: self.end_time,
        }
    }
}

/// A booking or a hold to insert (see `appointments::insert_audited`).
#[derive(Debug)]
pub struct NewAppointment {
    pub id: AppointmentId,
    pub patient_id: UserId,
    pub doctor_id: UserId,
    pub appointment_time: DateTime<Utc>,
    pub end_time: DateTime<Utc>,
    pub notes: Option<String>,
    /// `Some` makes it a hold until then; `None` books it.
    pub hold_expires_at: Option<DateTime<Utc>>,
    /// From the booking token (or the waitlist entry an offer comes from).
    pub patient_first_name: Option<String>,
    pub patient_last_name: Option<String>,
    pub patient_birth_date: Option<NaiveDate>,
    pub patient_sex: Option<String>,
    /// A patient's own hold: the client address it was asked from (see `client_key`).
    pub held_from: Option<String>,
}

common::text_column!(
    /// `Status` as stored: text, checked by the table's constraint.
    StatusColumn,
    Status
);

common::text_column!(
    /// `CancelledBy` as stored: text, checked by the table's constraint.
    CancelledByColumn,
    CancelledBy
);

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = doctor_time_off, check_for_backend(diesel::pg::Pg))]
pub struct TimeOff {
    pub id: TimeOffId,
    pub doctor_id: UserId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl TimeOff {
    pub fn span(&self) -> Span {
        Span {
            start: self.starts_at,
            end: self.ends_at,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = doctor_hours_overrides, check_for_backend(diesel::pg::Pg))]
pub struct HoursOverride {
    pub doctor_id: UserId,
    pub on_date: NaiveDate,
    pub available_from: Option<NaiveTime>,
    pub available_to: Option<NaiveTime>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl HoursOverride {
    pub fn new(doctor_id: UserId, on_date: NaiveDate, hours: DayOverride) -> Self {
        let (available_from, available_to) = match hours {
            DayOverride::Open(hours) => (Some(hours.from), Some(hours.to)),
            DayOverride::Closed => (None, None),
        };
        let now = Utc::now();
        Self {
            doctor_id,
            on_date,
            available_from,
            available_to,
            created_at: now,
            updated_at: now,
        }
    }

    /// Both times or neither, by the table's constraint.
    pub fn hours(&self) -> DayOverride {
        match (self.available_from, self.available_to) {
            (Some(from), Some(to)) => DayOverride::Open(Hours { from, to }),
            _ => DayOverride::Closed,
        }
    }
}

common::text_column!(
    /// `WaitlistStatus` as stored: text, checked by the table's constraint.
    WaitlistStatusColumn,
    WaitlistStatus
);

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = waitlist_entries, check_for_backend(diesel::pg::Pg))]
pub struct WaitlistEntry {
    pub id: WaitlistEntryId,
    pub doctor_id: UserId,
    pub patient_id: UserId,
    pub earliest: DateTime<Utc>,
    pub latest: DateTime<Utc>,
    pub status: WaitlistStatusColumn,
    pub appointment_id: Option<AppointmentId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub patient_first_name: Option<String>,
    pub patient_last_name: Option<String>,
    pub patient_birth_date: Option<NaiveDate>,
    pub patient_sex: Option<String>,
}
