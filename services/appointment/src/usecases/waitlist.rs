//! A patient's place on a doctor's waitlist: joining, and withdrawing (which gives up a
//! pending offer, so its slot goes to the next entry).

use crate::db::models::{WaitlistEntry, WaitlistStatusColumn};
use crate::db::{appointments, freed, holds, profiles, waitlist};
use crate::domain::appointment::Status;
use crate::domain::waitlist::{WaitlistRequest, WaitlistStatus};
use chrono::Utc;
use common::ApiError;
use common::audit::{Action, AuditContext, store as audit_store};
use common::auth::{AuthenticatedUser, TokenNames};
use common::ids::WaitlistEntryId;
use diesel::{Connection, PgConnection};

/// The doctor must have a profile (404); the entry waits for a freed slot in its window.
/// A patient keeps at most `max_entries` waiting or offered entries (409), counted under
/// their holds lock so two joins at once cannot both pass.
pub fn join(
    conn: &mut PgConnection,
    patient: &AuthenticatedUser,
    name: &TokenNames,
    audit: &AuditContext,
    request: &WaitlistRequest,
    max_entries: u32,
) -> Result<WaitlistEntry, ApiError> {
    conn.transaction(|conn| {
        let profile = profiles::find_by_any_id(conn, request.doctor_id.as_uuid())?
            .ok_or(ApiError::NotFound("doctor"))?;
        holds::lock_patient(conn, patient.id)?;
        let active = waitlist::active_count(conn, patient.id)?;
        if active >= i64::from(max_entries) {
            return Err(ApiError::Conflict(format!(
                "the patient already waits with {active} entries, the most at once: withdraw one first"
            )));
        }
        let now = Utc::now();
        let entry = waitlist::insert(
            conn,
            &WaitlistEntry {
                id: WaitlistEntryId::new(),
                doctor_id: profile.user_id,
                patient_id: patient.id,
                earliest: request.earliest,
                latest: request.latest,
                status: WaitlistStatusColumn(WaitlistStatus::Waiting),
                appointment_id: None,
                created_at: now,
                updated_at: now,
                patient_first_name: name.given_name.clone(),
                patient_last_name: name.family_name.clone(),
                patient_birth_date: name.birth_date(),
                patient_sex: name.gender.clone(),
            },
        )?;
        let event = audit
            .event(Action::WaitlistCreate)
            .by(patient)
            .on(entry.id)
            .patient(patient.id)
            .succeeded();
        audit_store::append(conn, &[event])?;
        Ok(entry)
    })
}

/// `withdrawn` (its patient or an admin; its doctor 403; anyone else 404). A pending offer's hold is
/// cancelled and its slot queued for the next entry. Fulfilled or withdrawn already: 409.
pub fn withdraw(
    conn: &mut PgConnection,
    caller: &AuthenticatedUser,
    audit: &AuditContext,
    id: WaitlistEntryId,
) -> Result<(), ApiError> {
    conn.transaction(|conn| {
        let entry = waitlist::find_locked(conn, id, caller.visibility())?
            .ok_or(ApiError::NotFound("waitlist entry"))?;
        if caller.role == common::Role::Doctor {
            return Err(ApiError::Forbidden(
                "a waitlist entry is withdrawn by its patient or an admin",
            ));
        }
        match entry.status.0 {
            WaitlistStatus::Waiting => {}
            WaitlistStatus::Offered => give_up_offer(conn, &entry)?,
            done => {
                return Err(ApiError::Conflict(format!(
                    "a {} waitlist entry cannot be withdrawn",
                    done.as_str()
                )));
            }
        }
        waitlist::set_status(conn, id, WaitlistStatus::Withdrawn, None)?;
        let event = audit
            .event(Action::WaitlistWithdraw)
            .by(caller)
            .on(id)
            .patient(entry.patient_id)
            .succeeded();
        audit_store::append(conn, &[event])?;
        Ok(())
    })
}

fn give_up_offer(conn: &mut PgConnection, entry: &WaitlistEntry) -> Result<(), ApiError> {
    let Some(offered) = entry.appointment_id else {
        return Ok(());
    };
    let Some(hold) =
        appointments::find_visible(conn, offered, common::auth::Visibility::Everything, true)?
    else {
        return Ok(());
    };
    if hold.status_now() == Status::Held {
        freed::queue(conn, hold.doctor_id, hold.span())?;
        let changes = appointments::AppointmentChanges {
            status: Some(crate::db::models::StatusColumn(Status::Cancelled)),
            cancellation_reason: Some("waitlist entry withdrawn".to_owned()),
            ..Default::default()
        };
        let cancelled = appointments::update(conn, offered, changes)?;
        super::events::appointment(
            conn,
            common::events::EventType::AppointmentCancelled,
            &cancelled,
            None,
            None,
        )?;
    }
    Ok(())
}
