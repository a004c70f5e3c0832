//! The events appointment-service publishes, written to the outbox in the transaction of
//! the change (`common::events::record`). Their data is what an EHR, an SMS gateway or a
//! reminder needs to act: ids, times, status, the doctor's zone and location; never notes.

use crate::db::models::{Appointment, DoctorProfile, WaitlistEntry};
use crate::db::profiles;
use chrono::{DateTime, Utc};
use common::contracts::events::{AppointmentEventData, OfferEventData};
use common::events::{EventType, record};
use common::{ApiError, UserId};
use diesel::PgConnection;

/// The host in the calendar `UID` every appointment event carries: a property of the
/// deployment, set once at start (`set_calendar_host`) rather than passed down the dozen
/// paths that change a visit.
static CALENDAR_HOST: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Sets the calendar host (`CalendarSettings::uid_host`); a second call keeps the first
/// value (several instances in one test process share one deployment).
pub fn set_calendar_host(host: &str) {
    let _ = CALENDAR_HOST.set(host.to_owned());
}

fn calendar_host() -> &'static str {
    CALENDAR_HOST.get().map_or("localhost", String::as_str)
}

/// The doctor's zone and location, as the event shows them.
fn practice(conn: &mut PgConnection, doctor: UserId) -> Result<(String, Option<String>), ApiError> {
    Ok(match profiles::find_by_user(conn, doctor)? {
        Some(profile) => (profile.timezone, profile.location),
        None => ("UTC".to_owned(), None),
    })
}

/// `kind` about `appointment` as it now is (`previous_start` for a reschedule). The
/// doctor's zone and location come from `known` when the caller holds the profile
/// already, else from one read.
pub fn appointment(
    conn: &mut PgConnection,
    kind: EventType,
    appointment: &Appointment,
    previous_start: Option<DateTime<Utc>>,
    known: Option<&DoctorProfile>,
) -> Result<(), ApiError> {
    let practice = match known {
        Some(profile) => (profile.timezone.clone(), profile.location.clone()),
        None => practice(conn, appointment.doctor_id)?,
    };
    write_appointment(conn, kind, appointment, previous_start, practice)
}

fn write_appointment(
    conn: &mut PgConnection,
    kind: EventType,
    appointment: &Appointment,
    previous_start: Option<DateTime<Utc>>,
    (timezone, location): (String, Option<String>),
) -> Result<(), ApiError> {
    let data = AppointmentEventData {
        appointment_id: appointment.id,
        patient_id: appointment.patient_id,
        doctor_id: appointment.doctor_id,
        start: appointment.appointment_time,
        end: appointment.end_time,
        status: appointment.status.0.as_str().to_owned(),
        hold_expires_at: appointment.hold_expires_at,
        previous_start,
        cancelled_by: appointment.cancelled_by.map(|c| c.0.as_str().to_owned()),
        timezone,
        location,
        calendar_uid: Some(common::calendar::uid(appointment.id, calendar_host())),
        calendar_sequence: u32::try_from(appointment.calendar_sequence).unwrap_or_default(),
    };
    record(conn, kind, appointment.id.as_uuid(), &data)
}

/// `waitlist.offered`: `entry` was offered `hold`.
pub fn offered(
    conn: &mut PgConnection,
    entry: &WaitlistEntry,
    hold: &Appointment,
) -> Result<(), ApiError> {
    let (timezone, location) = practice(conn, hold.doctor_id)?;
    let data = OfferEventData {
        waitlist_entry_id: entry.id,
        appointment_id: hold.id,
        patient_id: entry.patient_id,
        doctor_id: hold.doctor_id,
        start: hold.appointment_time,
        end: hold.end_time,
        hold_expires_at: hold.hold_expires_at,
        timezone,
        location,
    };
    record(conn, EventType::WaitlistOffered, entry.id.as_uuid(), &data)
}
