//! Holds: confirming one, and what a lapsed one leaves behind (its time queued for the
//! waitlist, the waitlist entry it was offered to waiting again).

use super::events;
use crate::db::models::{Appointment, StatusColumn};
use crate::db::{appointments, freed, holds, waitlist};
use crate::domain::appointment as rules;
use crate::domain::schedule::Span;
use crate::domain::waitlist::WaitlistStatus;
use chrono::Utc;
use common::audit::{Action, AuditContext, store as audit_store};
use common::auth::AuthenticatedUser;
use common::events::EventType;
use common::ids::AppointmentId;
use common::{ApiError, Role, UserId};
use diesel::{Connection, PgConnection, QueryResult};

/// After holds were marked expired: their time goes back to the waitlist's queue, and an
/// entry they were offered to waits again (the slot goes to the next entry).
pub fn lapse(conn: &mut PgConnection, expired: &[Appointment]) -> Result<(), ApiError> {
    for hold in expired {
        freed::queue(conn, hold.doctor_id, hold.span())?;
        reopen_offer(conn, hold.id)?;
        events::appointment(conn, EventType::AppointmentExpired, hold, None, None)?;
    }
    Ok(())
}

/// A waitlist offer that lapsed or was declined: its entry waits again (the slot goes to
/// the next entry; this one is not offered it twice).
pub fn reopen_offer(conn: &mut PgConnection, appointment: AppointmentId) -> QueryResult<()> {
    if let Some(entry) = waitlist::find_by_appointment(conn, appointment)?
        && entry.status.0 == WaitlistStatus::Offered
    {
        waitlist::set_status(conn, entry.id, WaitlistStatus::Waiting, None)?;
    }
    Ok(())
}

/// Lapsed holds in the way of `span` in the doctor's or the patient's calendar, marked
/// expired before a booking takes that time (in the booking's transaction).
pub fn clear_lapsed(
    conn: &mut PgConnection,
    doctor: UserId,
    patient: UserId,
    span: Span,
) -> Result<(), ApiError> {
    let expired = holds::expire_in(conn, doctor, patient, span, Utc::now())?;
    lapse(conn, &expired)
}

/// The periodic pass: marks lapsed holds expired, a batch per transaction; any replica
/// may run it (rows another is writing are skipped). Returns how many it marked.
pub fn expire_due(conn: &mut PgConnection) -> Result<usize, ApiError> {
    const BATCH: i64 = 200;
    let mut marked = 0;
    loop {
        let batch = conn.transaction(|conn| {
            let expired = holds::expire_due(conn, Utc::now(), BATCH)?;
            lapse(conn, &expired)?;
            Ok::<_, ApiError>(expired.len())
        })?;
        marked += batch;
        if i64::try_from(batch).unwrap_or(BATCH) < BATCH {
            return Ok(marked);
        }
    }
}

/// `held -> booked` by its patient (anyone else who may see it: 403; expired or not held:
/// 409). A confirmed waitlist offer fulfils its entry.
pub fn confirm(
    conn: &mut PgConnection,
    caller: &AuthenticatedUser,
    audit: &AuditContext,
    id: AppointmentId,
) -> Result<Appointment, ApiError> {
    conn.transaction(|conn| {
        let current = appointments::find_visible(conn, id, caller.visibility(), true)?
            .ok_or(ApiError::NotFound("appointment"))?;
        if caller.role != Role::Patient {
            return Err(ApiError::Forbidden("only its patient confirms a hold"));
        }
        let booked = rules::confirm(current.status_now())?;
        let event = audit
            .event(Action::AppointmentConfirm)
            .by(caller)
            .on(id)
            .patient(current.patient_id)
            .succeeded();
        audit_store::append(conn, &[event])?;
        if let Some(entry) = waitlist::find_by_appointment(conn, id)? {
            waitlist::set_status(conn, entry.id, WaitlistStatus::Fulfilled, Some(id))?;
        }
        let changes = appointments::AppointmentChanges {
            status: Some(StatusColumn(booked)),
            ..Default::default()
        };
        let confirmed = appointments::update(conn, id, changes)?;
        events::appointment(
            conn,
            EventType::AppointmentConfirmed,
            &confirmed,
            None,
            None,
        )?;
        Ok(confirmed)
    })
}
