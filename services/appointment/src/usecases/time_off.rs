//! A doctor's time off: adding it (refused while it would strand booked appointments,
//! unless asked to cancel them, all in one transaction) and removing it.

use super::changes::cancellation;
use super::events;
use super::holds::reopen_offer;
use crate::db::models::{Appointment, TimeOff};
use crate::db::{appointments, freed, profiles, time_off};
use crate::domain::schedule::Span;
use crate::domain::time_off::{DOCTOR_UNAVAILABLE, TimeOffRequest};
use chrono::Utc;
use common::ApiError;
use common::audit::{Action, AuditContext, store as audit_store};
use common::auth::AuthenticatedUser;
use common::error::ConflictRule;
use common::events::EventType;
use common::ids::{AppointmentId, TimeOffId};
use diesel::{Connection, PgConnection};

/// The time off and the appointments it cancelled. Booked appointments inside it that have
/// not ended: 409 with their ids and nothing written, or with `cancel_appointments` each
/// cancelled ("doctor unavailable", by the doctor) in the same transaction. The doctor's
/// profile is locked first, as bookings lock it, so no booking lands inside meanwhile.
pub fn create(
    conn: &mut PgConnection,
    doctor: &AuthenticatedUser,
    audit: &AuditContext,
    request: &TimeOffRequest,
) -> Result<(TimeOff, Vec<AppointmentId>), ApiError> {
    conn.transaction(|conn| {
        let profile = profiles::lock_by_any_id(conn, doctor.id.as_uuid())?
            .ok_or(ApiError::NotFound("doctor profile"))?;
        let now = Utc::now();
        let span = Span {
            start: request.start,
            end: request.end,
        };
        let stranded: Vec<Appointment> = appointments::booked_within(conn, doctor.id, span)?
            .into_iter()
            .filter(|a| a.end_time > now)
            .collect();
        let ids: Vec<AppointmentId> = stranded.iter().map(|a| a.id).collect();
        if !stranded.is_empty() && !request.cancel_appointments {
            return Err(ApiError::ConflictBy {
                rule: ConflictRule::StrandedAppointments,
                detail: format!(
                    "{} booked appointments fall in this time off: cancel or move them first, \
                     or send cancel_appointments: true",
                    stranded.len()
                ),
                conflicts: ids.iter().map(AppointmentId::as_uuid).collect(),
            });
        }
        let policy = profile.policy();
        let mut events = Vec::with_capacity(stranded.len() + 1);
        for appointment in &stranded {
            let reason = Some(DOCTOR_UNAVAILABLE.to_owned());
            let changes = cancellation(doctor, reason, appointment.appointment_time, &policy, now);
            let cancelled = appointments::update(conn, appointment.id, changes)?;
            // A waitlist offer inside the time off is gone with it: its entry waits again.
            reopen_offer(conn, appointment.id)?;
            events::appointment(
                conn,
                EventType::AppointmentCancelled,
                &cancelled,
                None,
                Some(&profile),
            )?;
            events.push(
                audit
                    .event(Action::AppointmentCancel)
                    .by(doctor)
                    .on(appointment.id)
                    .patient(appointment.patient_id)
                    .succeeded(),
            );
        }
        let created = time_off::insert(
            conn,
            &TimeOff {
                id: TimeOffId::new(),
                doctor_id: doctor.id,
                starts_at: request.start,
                ends_at: request.end,
                reason: request.reason.clone(),
                created_at: now,
            },
        )?;
        events.push(
            audit
                .event(Action::TimeOffCreate)
                .by(doctor)
                .on(created.id)
                .succeeded(),
        );
        audit_store::append(conn, &events)?;
        Ok((created, ids))
    })
}

/// Removes the doctor's own time off (another's, or none: 404); its slots are offered again
/// (queued for the waitlist in the same transaction).
pub fn delete(
    conn: &mut PgConnection,
    doctor: &AuthenticatedUser,
    audit: &AuditContext,
    id: TimeOffId,
) -> Result<(), ApiError> {
    conn.transaction(|conn| {
        let removed =
            time_off::delete(conn, doctor.id, id)?.ok_or(ApiError::NotFound("time off"))?;
        freed::queue(conn, doctor.id, removed.span())?;
        let event = audit
            .event(Action::TimeOffDelete)
            .by(doctor)
            .on(id)
            .succeeded();
        audit_store::append(conn, &[event])?;
        Ok(())
    })
}
