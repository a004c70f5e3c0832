//! Booking an appointment, or holding its slot, for the calling patient.

use super::availability::ensure_bookable;
use super::events;
use super::holds::clear_lapsed;
use crate::config::HoldSettings;
use crate::db::appointments::{self, overlap_conflict};
use crate::db::models::{Appointment, NewAppointment};
use crate::db::{holds, profiles};
use crate::domain::appointment::Booking;
use crate::domain::schedule::Span;
use chrono::{Duration, Utc};
use common::ApiError;
use common::audit::{Action, AuditContext};
use common::auth::{AuthenticatedUser, TokenNames};
use common::client_address::client_key;
use common::events::EventType;
use common::ids::AppointmentId;
use diesel::{Connection, PgConnection};

/// The doctor must have a profile (404) and take bookings at that time (422, naming the
/// rule), and the patient's day with them must have room (409); neither the doctor's nor
/// the patient's calendar may overlap (409, by the database's exclusion constraints, under
/// any concurrency; holds count as booked). The doctor's profile stays locked until the
/// booking commits, so a concurrent time off, change of hours or second booking of this
/// patient waits for it. With `hold`, the slot is kept until `HOLD_TTL_SECONDS` from now,
/// at most `MAX_HOLDS_PER_PATIENT` unexpired holds a patient and
/// `MAX_HOLDS_PER_DOCTOR_PER_ADDRESS` on this doctor from the client's address, whatever
/// accounts asked (409). The patient's name is kept as their token states it.
pub fn book(
    conn: &mut PgConnection,
    patient: &AuthenticatedUser,
    name: &TokenNames,
    audit: &AuditContext,
    booking: &Booking,
    settings: &HoldSettings,
) -> Result<Appointment, ApiError> {
    conn.transaction(|conn| {
        // Either id the directory shows names the doctor; the appointment keeps the user id.
        let profile = profiles::lock_by_any_id(conn, booking.doctor_id.as_uuid())?
            .ok_or(ApiError::NotFound("doctor"))?;
        let length = Duration::minutes(i64::from(profile.slot_minutes));
        let end = ensure_bookable(conn, &profile, patient.id, booking.start, length, None)?;
        let held_from = booking
            .hold
            .then(|| client_key(audit.client_address.as_deref().unwrap_or("unknown")));
        let hold_expires_at = match &held_from {
            Some(address) => {
                ensure_may_hold(conn, patient, settings)?;
                ensure_address_may_hold(conn, profile.user_id, address, settings)?;
                Some(Utc::now() + Duration::from_std(settings.ttl).unwrap_or(Duration::minutes(5)))
            }
            None => None,
        };
        let span = Span {
            start: booking.start,
            end,
        };
        clear_lapsed(conn, profile.user_id, patient.id, span)?;
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
            hold_expires_at,
            patient_first_name: name.given_name.clone(),
            patient_last_name: name.family_name.clone(),
            patient_birth_date: name.birth_date(),
            patient_sex: name.gender.clone(),
            held_from,
        };
        let created =
            appointments::insert_audited(conn, &appointment, &event).map_err(overlap_conflict)?;
        let kind = if booking.hold {
            EventType::AppointmentHeld
        } else {
            EventType::AppointmentBooked
        };
        events::appointment(conn, kind, &created, None, Some(&profile))?;
        Ok(created)
    })
}

/// At most `max_per_doctor_per_address` unexpired holds on the doctor from one address:
/// fresh accounts cost nothing, so the patient's own limit alone would let a few of them
/// hold a doctor's whole day. Counted under the doctor's profile lock, which the caller
/// holds, so racing holds cannot pass together.
fn ensure_address_may_hold(
    conn: &mut PgConnection,
    doctor: common::UserId,
    address: &str,
    settings: &HoldSettings,
) -> Result<(), ApiError> {
    let limit = settings.max_per_doctor_per_address;
    if limit == 0 {
        return Ok(());
    }
    let held = holds::active_on_doctor_from(conn, doctor, address, Utc::now())?;
    if held >= i64::from(limit) {
        return Err(ApiError::Conflict(format!(
            "{held} slots of this doctor are already held from your network: confirm or cancel one first"
        )));
    }
    Ok(())
}

/// At most `max_per_patient` unexpired holds; the patient's holds are serialized for the
/// rest of the transaction, so racing ones cannot pass together.
fn ensure_may_hold(
    conn: &mut PgConnection,
    patient: &AuthenticatedUser,
    settings: &HoldSettings,
) -> Result<(), ApiError> {
    holds::lock_patient(conn, patient.id)?;
    let held = holds::active_for(conn, patient.id, Utc::now())?;
    if held >= i64::from(settings.max_per_patient) {
        return Err(ApiError::Conflict(format!(
            "the patient already holds {held} slots, the most at once: confirm or cancel one first"
        )));
    }
    Ok(())
}
