//! The waitlist's offers: every slot of freed time goes, as a hold, to the oldest waiting
//! entry that fits it. Freed time is queued in the transaction that frees it
//! (`db::freed`) and worked through here by any replica: a row is claimed with
//! `FOR UPDATE SKIP LOCKED` and deleted in the transaction that makes its offers, so each
//! freed slot is offered once, and a crash in between leaves the row to be claimed again.
//!
//! An offer is a hold like any other: it counts against the patient's
//! `MAX_HOLDS_PER_PATIENT` and the doctor's daily limit per patient, so an entry whose
//! patient is at either is passed over for the next one; and a slot is offered to a
//! patient once, however many entries they keep with the doctor.

use super::availability::calendar;
use super::events;
use crate::config::HoldSettings;
use crate::db::models::NewAppointment;
use crate::db::{appointments, freed, holds, profiles, waitlist};
use crate::domain::schedule::{Slot, Span, local_days};
use crate::domain::waitlist::WaitlistStatus;
use chrono::{DateTime, Duration, Utc};
use common::ApiError;
use common::UserId;
use common::audit::{Action, AuditContext};
use common::ids::AppointmentId;
use diesel::{Connection, PgConnection};

/// Works through the queue of freed time, one row per transaction, until it is empty (or
/// only rows other replicas hold remain). Returns the offers made.
pub fn offer_freed(conn: &mut PgConnection, settings: &HoldSettings) -> Result<usize, ApiError> {
    let mut offers = 0;
    while let Some(made) = conn.transaction(|conn| offer_one(conn, settings))? {
        offers += made;
    }
    Ok(offers)
}

/// Claims one row of freed time and offers its free slots; `None` when there is none.
fn offer_one(conn: &mut PgConnection, settings: &HoldSettings) -> Result<Option<usize>, ApiError> {
    let offer_ttl = Duration::from_std(settings.offer_ttl).unwrap_or(Duration::minutes(15));
    let Some((id, doctor, span)) = freed::claim(conn)? else {
        return Ok(None);
    };
    let mut made = 0;
    // The profile lock orders offers with bookings and calendar changes of this doctor.
    let bookable = profiles::lock_by_any_id(conn, doctor.as_uuid())?
        .filter(|profile| profile.suspended_at.is_none());
    if let Some(profile) = bookable {
        let zone = profile.availability().timezone;
        let first = span.start.with_timezone(&zone).date_naive();
        let last = span.end.with_timezone(&zone).date_naive();
        let (calendar, days) = calendar(conn, &profile, first, last)?;
        let busy = appointments::busy_between(conn, doctor, days)?;
        let now = Utc::now();
        let slots: Vec<Slot> = calendar
            .free_slots_between(first, last, &busy, now)
            .into_iter()
            .filter(|slot| span.start <= slot.start && slot.end <= span.end)
            .collect();
        for slot in slots {
            let local_date = slot.start.with_timezone(&zone).date_naive();
            let caps = Caps {
                holds_per_patient: settings.max_per_patient,
                per_patient_a_day: calendar.policy.max_daily_bookings_per_patient,
                day: local_days(&calendar.availability, local_date, local_date),
            };
            if offer(conn, doctor, slot, now + offer_ttl, &caps)? {
                made += 1;
            }
        }
    }
    freed::done(conn, id)?;
    Ok(Some(made))
}

/// What an offer counts against, as a booking or a hold would.
struct Caps {
    holds_per_patient: u32,
    per_patient_a_day: u32,
    /// The doctor's local day the slot is on.
    day: Span,
}

/// Whether `patient` may be offered one more hold with `doctor`: under their holds limit
/// and the doctor's daily limit. Takes the patient's holds lock, as their own holds do.
fn may_take(
    conn: &mut PgConnection,
    doctor: UserId,
    patient: UserId,
    caps: &Caps,
) -> Result<bool, ApiError> {
    holds::lock_patient(conn, patient)?;
    let held = holds::active_for(conn, patient, Utc::now())?;
    let that_day = appointments::count_for_patient(conn, doctor, patient, caps.day, None)?;
    Ok(held < i64::from(caps.holds_per_patient) && that_day < i64::from(caps.per_patient_a_day))
}

/// A hold on `slot` for the oldest waiting entry that fits and whose patient may take it,
/// if there is one.
fn offer(
    conn: &mut PgConnection,
    doctor: UserId,
    slot: Span,
    expires: DateTime<Utc>,
    caps: &Caps,
) -> Result<bool, ApiError> {
    let mut passed_over: Vec<UserId> = Vec::new();
    let entry = loop {
        let Some(entry) = waitlist::next_for(conn, doctor, slot, Utc::now(), &passed_over)? else {
            return Ok(false);
        };
        if may_take(conn, doctor, entry.patient_id, caps)? {
            break entry;
        }
        passed_over.push(entry.patient_id);
    };
    let id = AppointmentId::new();
    // No request made this: the system offers it, so the event has no actor or address.
    let system = AuditContext {
        request_id: None,
        client_address: None,
    };
    let event = system
        .event(Action::AppointmentOffer)
        .on(id)
        .patient(entry.patient_id)
        .succeeded();
    let hold = NewAppointment {
        id,
        patient_id: entry.patient_id,
        doctor_id: doctor,
        appointment_time: slot.start,
        end_time: slot.end,
        notes: None,
        hold_expires_at: Some(expires),
        patient_first_name: entry.patient_first_name.clone(),
        patient_last_name: entry.patient_last_name.clone(),
        patient_birth_date: entry.patient_birth_date,
        patient_sex: entry.patient_sex.clone(),
        held_from: None,
    };
    let held = appointments::insert_audited(conn, &hold, &event)?;
    let offered = waitlist::set_status(conn, entry.id, WaitlistStatus::Offered, Some(id))?;
    waitlist::record_offer(conn, entry.id, id, slot.start)?;
    events::offered(conn, &offered, &held)?;
    tracing::info!(entry = %entry.id, appointment = %id, "waitlist offer made");
    Ok(true)
}
