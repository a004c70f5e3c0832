//! Changing and cancelling an appointment. The row is locked while the change is decided,
//! so concurrent changes of one appointment apply one at a time.

use crate::db::appointments::{self, AppointmentChanges, overlap_conflict};
use crate::db::models::{Appointment, StatusColumn};
use crate::db::profiles;
use crate::domain::appointment::{self as rules, Change, transition};
use crate::domain::schedule::bookable_end;
use chrono::Utc;
use common::ApiError;
use common::audit::{Action, AuditContext, store as audit_store};
use common::auth::AuthenticatedUser;
use common::ids::AppointmentId;
use diesel::{Connection, PgConnection};

/// A new time follows the booking rules (422/409) and keeps the appointment's length; a
/// status follows the state machine. Not visible to the caller: 404.
pub fn change(
    conn: &mut PgConnection,
    caller: &AuthenticatedUser,
    audit: &AuditContext,
    id: AppointmentId,
    change: &Change,
) -> Result<Appointment, ApiError> {
    conn.transaction(|conn| {
        let current = find_locked(conn, caller, id)?;
        let now = Utc::now();
        let mut changes = AppointmentChanges {
            notes: change.notes.clone(),
            ..AppointmentChanges::default()
        };
        if let Some(target) = change.status {
            let next = transition(
                current.status.0,
                target,
                caller.role,
                current.appointment_time,
                now,
            )?;
            changes.status = Some(StatusColumn(next));
        }
        if let Some(new_start) = change.new_start {
            rules::ensure_reschedulable(current.status.0, current.appointment_time, now)?;
            let profile = profiles::find_by_user(conn, current.doctor_id)?
                .ok_or(ApiError::NotFound("doctor"))?;
            let availability = profile.availability();
            let length = current.end_time - current.appointment_time;
            let end = bookable_end(&availability, new_start, length, now).map_err(|why| {
                ApiError::validation("appointment_time", why.message(&availability))
            })?;
            changes.appointment_time = Some(new_start);
            changes.end_time = Some(end);
        }
        let action =
            rules::change_action(changes.appointment_time.is_some(), changes.status.is_some());
        let event = audit
            .event(action)
            .by(caller)
            .on(id)
            .patient(current.patient_id)
            .succeeded();
        audit_store::append(conn, &[event])?;
        appointments::update(conn, id, changes).map_err(overlap_conflict)
    })
}

/// Cancels a booked appointment; the record is kept. Not booked: 409.
pub fn cancel(
    conn: &mut PgConnection,
    caller: &AuthenticatedUser,
    audit: &AuditContext,
    id: AppointmentId,
) -> Result<Appointment, ApiError> {
    conn.transaction(|conn| {
        let current = find_locked(conn, caller, id)?;
        let cancelled = rules::cancel(current.status.0, current.appointment_time, Utc::now())?;
        let event = audit
            .event(Action::AppointmentCancel)
            .by(caller)
            .on(id)
            .patient(current.patient_id)
            .succeeded();
        audit_store::append(conn, &[event])?;
        let changes = AppointmentChanges {
            status: Some(StatusColumn(cancelled)),
            ..AppointmentChanges::default()
        };
        Ok(appointments::update(conn, id, changes)?)
    })
}

/// The appointment, locked for the change, if the caller may see it (else 404).
fn find_locked(
    conn: &mut PgConnection,
    caller: &AuthenticatedUser,
    id: AppointmentId,
) -> Result<Appointment, ApiError> {
    appointments::find_visible(conn, id, caller.visibility(), true)?
        .ok_or(ApiError::NotFound("appointment"))
}
