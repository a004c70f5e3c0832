//! Appointments as calendars: one appointment for "add to calendar", and a person's
//! private feed (their visits from 30 days back), which a calendar app polls with the
//! secret in its URL as the only key.

use crate::db::models::{Appointment, DoctorProfile};
use crate::db::{appointments, calendar_feeds, profiles};
use crate::domain::appointment::Status;
use crate::domain::calendar::{
    self as rules, CalendarSettings, FEED_DAYS_BACK, FEED_MAX_EVENTS, visit_status,
};
use chrono::{Duration, Utc};
use common::audit::{Action, AuditContext, store as audit_store};
use common::auth::{AuthenticatedUser, Visibility};
use common::calendar::{VisitEvent, feed_secret_hash, new_feed_secret, published, uid};
use common::ids::AppointmentId;
use common::validation::Paging;
use common::{ApiError, Role, UserId};
use diesel::{Connection, PgConnection};

/// `appointment` as its calendar event, with `summary`.
pub fn event_of(
    appointment: &Appointment,
    doctor: Option<&DoctorProfile>,
    summary: String,
    settings: &CalendarSettings,
) -> VisitEvent {
    VisitEvent {
        uid: uid(appointment.id, &settings.uid_host),
        start: appointment.appointment_time,
        end: appointment.end_time,
        summary,
        location: doctor.and_then(|d| d.location.clone()),
        status: visit_status(appointment.status_now()),
        sequence: u32::try_from(appointment.calendar_sequence).unwrap_or_default(),
        changed_at: appointment.updated_at,
    }
}

fn doctor_summary(doctor: Option<&DoctorProfile>) -> String {
    match doctor {
        Some(d) => rules::with_doctor(&d.first_name, &d.last_name),
        None => "Appointment".to_owned(),
    }
}

/// One appointment the caller may see, as a calendar, and whose patient it concerns.
pub fn single(
    conn: &mut PgConnection,
    caller: &AuthenticatedUser,
    id: AppointmentId,
    settings: &CalendarSettings,
) -> Result<(UserId, String), ApiError> {
    let appointment = appointments::find_visible(conn, id, caller.visibility(), false)?
        .ok_or(ApiError::NotFound("appointment"))?;
    let doctor = profiles::find_by_user(conn, appointment.doctor_id)?;
    let summary = doctor_summary(doctor.as_ref());
    let event = event_of(&appointment, doctor.as_ref(), summary, settings);
    Ok((appointment.patient_id, published(&[event], None)))
}

/// The role a feed is for: patients and doctors have appointments of their own.
fn feed_role(caller: &AuthenticatedUser) -> Result<&'static str, ApiError> {
    match caller.role {
        Role::Patient => Ok("patient"),
        Role::Doctor => Ok("doctor"),
        Role::Admin | Role::Pharmacist => Err(ApiError::Forbidden(
            "only patients and doctors have a calendar feed",
        )),
    }
}

/// A new secret for the caller's feed, replacing the one they had; audited with it.
pub fn new_feed(
    conn: &mut PgConnection,
    caller: &AuthenticatedUser,
    audit: &AuditContext,
) -> Result<String, ApiError> {
    let role = feed_role(caller)?;
    let (secret, hash) = new_feed_secret().map_err(ApiError::Internal)?;
    let event = audit
        .event(Action::CalendarFeedCreate)
        .by(caller)
        .on(caller.id)
        .patient(caller.as_patient())
        .succeeded();
    conn.transaction(|conn| {
        calendar_feeds::replace(conn, caller.id, role, &hash)?;
        audit_store::append(conn, &[event])?;
        Ok::<_, ApiError>(())
    })?;
    Ok(secret)
}

/// Ends the caller's feed; 404 when they had none.
pub fn end_feed(
    conn: &mut PgConnection,
    caller: &AuthenticatedUser,
    audit: &AuditContext,
) -> Result<(), ApiError> {
    feed_role(caller)?;
    let event = audit
        .event(Action::CalendarFeedDelete)
        .by(caller)
        .on(caller.id)
        .patient(caller.as_patient())
        .succeeded();
    conn.transaction(|conn| {
        if !calendar_feeds::delete(conn, caller.id)? {
            return Err(ApiError::NotFound("calendar feed"));
        }
        audit_store::append(conn, &[event])?;
        Ok(())
    })
}

/// The feed `secret` opens: its owner's visits from 30 days back, cancelled ones
/// included (so a subscribed calendar removes them); holds are not visits yet.
pub fn feed(
    conn: &mut PgConnection,
    secret: &str,
    audit: &AuditContext,
    settings: &CalendarSettings,
) -> Result<String, ApiError> {
    let owner = calendar_feeds::owner_of(conn, &feed_secret_hash(secret))?
        .ok_or(ApiError::NotFound("calendar feed"))?;
    let (visibility, is_doctor) = match owner.owner_role.as_str() {
        "doctor" => (Visibility::AsDoctor(owner.owner_id), true),
        _ => (Visibility::AsPatient(owner.owner_id), false),
    };
    let read = audit
        .event(Action::CalendarFeedRead)
        .on(owner.owner_id)
        .patient((!is_doctor).then_some(owner.owner_id))
        .succeeded();
    audit_store::append(conn, &[read])?;
    let filter = appointments::ListFilter {
        statuses: vec![
            Status::Booked,
            Status::Completed,
            Status::NoShow,
            Status::Cancelled,
        ],
        from: Some(Utc::now() - Duration::days(FEED_DAYS_BACK)),
        ..Default::default()
    };
    let paging = Paging {
        limit: FEED_MAX_EVENTS,
        offset: 0,
    };
    let (visits, _) = appointments::list(conn, visibility, &filter, paging)?;
    let mut doctors: Vec<UserId> = visits.iter().map(|v| v.doctor_id).collect();
    doctors.sort_unstable_by_key(UserId::as_uuid);
    doctors.dedup();
    let profiles = profiles::of_users(conn, &doctors)?;
    let events: Vec<VisitEvent> = visits
        .iter()
        .map(|visit| {
            let doctor = profiles.iter().find(|p| p.user_id == visit.doctor_id);
            let summary = if is_doctor {
                rules::with_patient(visit.patient_name(), settings)
            } else {
                doctor_summary(doctor)
            };
            event_of(visit, doctor, summary, settings)
        })
        .collect();
    let name = if is_doctor {
        "Clinic visits"
    } else {
        "My appointments"
    };
    Ok(published(&events, Some(name)))
}
