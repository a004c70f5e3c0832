//! Booking an appointment for the calling patient.

use crate::db::appointments::{self, overlap_conflict};
use crate::db::models::{Appointment, NewAppointment};
use crate::db::profiles;
use crate::domain::appointment::Booking;
use crate::domain::schedule::bookable_end;
use chrono::{Duration, Utc};
use common::ApiError;
use common::audit::{Action, AuditContext};
use common::auth::AuthenticatedUser;
use common::ids::AppointmentId;
use diesel::PgConnection;

/// The doctor must have a profile (404) and take bookings at that time (422); neither the
/// doctor's nor the patient's calendar may overlap (409, by the database's exclusion
/// constraints, under any concurrency). The appointment and its audit event are one
/// statement, so the booking is atomic without a transaction of its own.
pub fn book(
    conn: &mut PgConnection,
    patient: &AuthenticatedUser,
    audit: &AuditContext,
    booking: &Booking,
) -> Result<Appointment, ApiError> {
    // Either id the directory shows names the doctor; the appointment keeps the user id.
    let profile = profiles::find_by_any_id(conn, booking.doctor_id.as_uuid())?
        .ok_or(ApiError::NotFound("doctor"))?;
    let availability = profile.availability();
    let length = Duration::minutes(i64::from(profile.slot_minutes));
    let end = bookable_end(&availability, booking.start, length, Utc::now())
        .map_err(|why| ApiError::validation("appointment_time", why.message(&availability)))?;
    let id = AppointmentId::new();
    let event = audit
        .event(Action::AppointmentCreate)
        .by(patient)
        .on(id)
        .patient(patient.id)
        .succeeded();
    let appointment = NewAppointment {
        id,
        patient_id: patient.id,
        doctor_id: profile.user_id,
        appointment_time: booking.start,
        end_time: end,
        notes: booking.notes.clone(),
    };
    appointments::insert_audited(conn, &appointment, &event).map_err(overlap_conflict)
}
