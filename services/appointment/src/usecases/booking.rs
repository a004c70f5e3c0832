//! Booking an appointment for the calling patient.

use super::availability::ensure_bookable;
use crate::db::appointments::{self, overlap_conflict};
use crate::db::models::{Appointment, NewAppointment};
use crate::db::profiles;
use crate::domain::appointment::Booking;
use chrono::Duration;
use common::ApiError;
use common::audit::{Action, AuditContext};
use common::auth::AuthenticatedUser;
use common::ids::AppointmentId;
use diesel::{Connection, PgConnection};

/// The doctor must have a profile (404) and take bookings at that time (422, naming the
/// rule), and the patient's day with them must have room (409); neither the doctor's nor
/// the patient's calendar may overlap (409, by the database's exclusion constraints, under
/// any concurrency). The doctor's profile stays locked until the booking commits, so a
/// concurrent time off, change of hours or second booking of this patient waits for it.
pub fn book(
    conn: &mut PgConnection,
    patient: &AuthenticatedUser,
    audit: &AuditContext,
    booking: &Booking,
) -> Result<Appointment, ApiError> {
    conn.transaction(|conn| {
        // Either id the directory shows names the doctor; the appointment keeps the user id.
        let profile = profiles::lock_by_any_id(conn, booking.doctor_id.as_uuid())?
            .ok_or(ApiError::NotFound("doctor"))?;
        let length = Duration::minutes(i64::from(profile.slot_minutes));
        let end = ensure_bookable(conn, &profile, patient.id, booking.start, length, None)?;
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
    })
}
