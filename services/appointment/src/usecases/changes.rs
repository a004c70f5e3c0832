//! Changing and cancelling an appointment. The row is locked while the change is decided,
//! so concurrent changes of one appointment apply one at a time; a new time also locks the
//! doctor's calendar (profile first, then appointment: the order time off takes them in).

use super::availability::ensure_bookable;
use super::events;
use super::holds::{clear_lapsed, reopen_offer};
use crate::db::appointments::{self, AppointmentChanges, overlap_conflict};
use crate::db::models::{Appointment, CancelledByColumn, StatusColumn};
use crate::db::{freed, profiles};
use crate::domain::appointment::{
    self as rules, CancellationGrace, CancelledBy, Change, Status, transition,
};
use crate::domain::profile::BookingPolicy;
use crate::domain::schedule::Span;
use chrono::{DateTime, Utc};
use common::ApiError;
use common::audit::{Action, AuditContext, store as audit_store};
use common::auth::AuthenticatedUser;
use common::events::EventType;
use common::ids::AppointmentId;
use diesel::{Connection, PgConnection};

/// A new time follows the booking rules (422/409) and keeps the appointment's length; a
/// patient may not move it inside the cancellation notice (409); a status follows the
/// state machine. Not visible to the caller: 404.
pub fn change(
    conn: &mut PgConnection,
    caller: &AuthenticatedUser,
    audit: &AuditContext,
    id: AppointmentId,
    change: &Change,
    grace: CancellationGrace,
) -> Result<Appointment, ApiError> {
    conn.transaction(|conn| {
        let doctor = find(conn, caller, id, false)?.doctor_id;
        let profile = profiles::lock_by_any_id(conn, doctor.as_uuid())?;
        let current = find(conn, caller, id, true)?;
        let policy = profile.as_ref().map(|p| p.policy()).unwrap_or_default();
        let now = Utc::now();
        let mut changes = AppointmentChanges {
            notes: change.notes.clone(),
            ..AppointmentChanges::default()
        };
        if let Some(target) = change.status {
            let next = transition(
                current.status_now(),
                target,
                caller.role,
                current.appointment_time,
                now,
            )?;
            if next == Status::Cancelled && current.status_now() != Status::Cancelled {
                changes = AppointmentChanges {
                    notes: changes.notes,
                    ..cancellation(caller, None, current.appointment_time, &policy, now)
                };
            }
            changes.status = Some(StatusColumn(next));
        }
        if changes.status.is_some_and(|s| s.0 == Status::Cancelled) {
            give_back(conn, &current)?;
        }
        if let Some(new_start) = change.new_start {
            rules::ensure_reschedulable(current.status_now(), current.appointment_time, now)?;
            rules::ensure_not_late(
                caller.role,
                (current.appointment_time, current.created_at),
                now,
                policy.cancellation_notice_hours,
                grace,
            )?;
            let doctor = profile.as_ref().ok_or(ApiError::NotFound("doctor"))?;
            let length = current.end_time - current.appointment_time;
            let end = ensure_bookable(
                conn,
                doctor,
                current.patient_id,
                new_start,
                length,
                Some(id),
            )?;
            let span = Span {
                start: new_start,
                end,
            };
            clear_lapsed(conn, current.doctor_id, current.patient_id, span)?;
            freed::queue(conn, current.doctor_id, current.span())?;
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
        let rescheduled = changes.appointment_time.is_some();
        let changed = appointments::update(conn, id, changes).map_err(overlap_conflict)?;
        if rescheduled {
            let previous = Some(current.appointment_time);
            let kind = EventType::AppointmentRescheduled;
            events::appointment(conn, kind, &changed, previous, profile.as_ref())?;
        }
        if changed.status.0 != current.status_now()
            && let Some(kind) = status_event(changed.status.0)
        {
            events::appointment(conn, kind, &changed, None, profile.as_ref())?;
        }
        Ok(changed)
    })
}

/// The event a status change publishes.
fn status_event(status: Status) -> Option<EventType> {
    match status {
        Status::Cancelled => Some(EventType::AppointmentCancelled),
        Status::Completed => Some(EventType::AppointmentCompleted),
        Status::NoShow => Some(EventType::AppointmentNoShow),
        Status::Booked => Some(EventType::AppointmentConfirmed),
        Status::Expired => Some(EventType::AppointmentExpired),
        Status::Held => None,
    }
}

/// Cancels a booked appointment with an optional reason; the record is kept. Not booked:
/// 409; a patient inside the doctor's cancellation notice: 409 `late-cancellation`.
pub fn cancel(
    conn: &mut PgConnection,
    caller: &AuthenticatedUser,
    audit: &AuditContext,
    id: AppointmentId,
    reason: Option<String>,
    grace: CancellationGrace,
) -> Result<Appointment, ApiError> {
    conn.transaction(|conn| {
        let current = find(conn, caller, id, true)?;
        let now = Utc::now();
        let cancelled = rules::cancel(current.status_now(), current.appointment_time, now)?;
        let profile = profiles::find_by_user(conn, current.doctor_id)?;
        let policy = profile.as_ref().map(|p| p.policy()).unwrap_or_default();
        // A hold is not a visit yet: giving it up is never late.
        if current.status.0 == Status::Booked {
            rules::ensure_not_late(
                caller.role,
                (current.appointment_time, current.created_at),
                now,
                policy.cancellation_notice_hours,
                grace,
            )?;
        }
        give_back(conn, &current)?;
        let event = audit
            .event(Action::AppointmentCancel)
            .by(caller)
            .on(id)
            .patient(current.patient_id)
            .succeeded();
        audit_store::append(conn, &[event])?;
        let changes = AppointmentChanges {
            status: Some(StatusColumn(cancelled)),
            ..cancellation(caller, reason, current.appointment_time, &policy, now)
        };
        let cancelled = appointments::update(conn, id, changes)?;
        let kind = EventType::AppointmentCancelled;
        events::appointment(conn, kind, &cancelled, None, profile.as_ref())?;
        Ok(cancelled)
    })
}

/// What a cancellation by `caller` records besides the status: the reason, who, and
/// whether it came inside the doctor's cancellation notice.
pub fn cancellation(
    caller: &AuthenticatedUser,
    reason: Option<String>,
    start: DateTime<Utc>,
    policy: &BookingPolicy,
    now: DateTime<Utc>,
) -> AppointmentChanges {
    AppointmentChanges {
        status: Some(StatusColumn(Status::Cancelled)),
        cancellation_reason: reason,
        cancelled_by: Some(CancelledByColumn(CancelledBy::from(caller.role))),
        cancelled_late: Some(rules::is_late(start, now, policy.cancellation_notice_hours)),
        ..AppointmentChanges::default()
    }
}

/// A cancelled appointment's time goes to the waitlist's queue; a declined waitlist offer
/// puts its entry back in the queue (the slot goes to the next entry).
fn give_back(conn: &mut PgConnection, cancelled: &Appointment) -> Result<(), ApiError> {
    if cancelled.status_now().takes_time() {
        freed::queue(conn, cancelled.doctor_id, cancelled.span())?;
    }
    reopen_offer(conn, cancelled.id)?;
    Ok(())
}

/// The appointment if the caller may see it (else 404); `locked` for the change.
fn find(
    conn: &mut PgConnection,
    caller: &AuthenticatedUser,
    id: AppointmentId,
    locked: bool,
) -> Result<Appointment, ApiError> {
    appointments::find_visible(conn, id, caller.visibility(), locked)?
        .ok_or(ApiError::NotFound("appointment"))
}
