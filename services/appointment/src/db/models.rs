use super::schema::{appointments, doctor_profiles};
use crate::domain::appointment::Status;
use crate::domain::profile::{Availability, ProfileFields};
use chrono::{DateTime, NaiveTime, Utc};
use common::UserId;
use common::ids::{AppointmentId, DoctorProfileId};
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
        }
    }

    pub fn fields(&self) -> ProfileFields {
        ProfileFields {
            specialization: self.specialization.clone(),
            location: self.location.clone(),
            availability: self.availability(),
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
    pub updated_at: DateTime<Utc>,
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
}

/// A booking to insert (always `booked`: see `appointments::insert_audited`).
#[derive(Debug)]
pub struct NewAppointment {
    pub id: AppointmentId,
    pub patient_id: UserId,
    pub doctor_id: UserId,
    pub appointment_time: DateTime<Utc>,
    pub end_time: DateTime<Utc>,
    pub notes: Option<String>,
}

common::text_column!(
    /// `Status` as stored: text, checked by the table's constraint.
    StatusColumn,
    Status
);
