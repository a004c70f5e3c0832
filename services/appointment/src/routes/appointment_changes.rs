//! `PUT /appointments/{id}` (reschedule, notes, status) and `DELETE /appointments/{id}`
//! (cancel). Callers: its patient, its doctor, admins; anyone else gets 404. The row is
//! locked while the change is decided, so concurrent changes apply one at a time.

use super::views::AppointmentView;
use crate::db::appointments::{self, AppointmentChanges, overlap_conflict};
use crate::db::models::StatusColumn;
use crate::db::profiles;
use crate::domain::appointment::{ChangeForm, Status, transition};
use crate::domain::schedule::bookable_end;
use actix_web::web;
use chrono::Utc;
use common::ApiError;
use common::audit::{AuditContext, Outcome, store as audit_store};
use common::auth::AuthenticatedUser;
use common::db::{DbPool, with_conn};
use common::ids::AppointmentId;
use diesel::Connection;

/// `PUT /appointments/{id}`: a new time follows the booking rules (422/409) and is only
/// possible while the appointment is booked and still ahead (else 409); it keeps its
/// length. A status change follows the state machine; patients may not set status (403).
#[utoipa::path(put, path = "/appointments/{id}", tag = "appointments",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)), request_body = crate::domain::appointment::ChangeForm,
    responses(
        (status = 200, body = AppointmentView),
        (status = 400, description = "Malformed JSON or wrong content type", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, invalid or expired access token", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Patients may not set status", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing, or not the caller's", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Illegal status change, not reschedulable, or overlap", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named in errors", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn change(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    audit: AuditContext,
    id: web::Path<AppointmentId>,
    body: web::Json<ChangeForm>,
) -> Result<web::Json<AppointmentView>, ApiError> {
    let change = body.into_inner().validate()?;
    let id = id.into_inner();
    let visibility = caller.visibility();
    let updated = with_conn(&pool, move |conn| {
        conn.transaction::<_, ApiError, _>(|conn| {
            let current = appointments::find_visible(conn, id, visibility, true)?
                .ok_or(ApiError::NotFound("appointment"))?;
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
                if current.status.0 != Status::Booked {
                    return Err(ApiError::Conflict(
                        "only a booked appointment can be rescheduled".into(),
                    ));
                }
                if current.appointment_time <= now {
                    return Err(ApiError::Conflict(
                        "an appointment that has started cannot be rescheduled".into(),
                    ));
                }
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
            let action = match (changes.appointment_time, changes.status) {
                (Some(_), _) => "appointment.reschedule",
                (None, Some(_)) => "appointment.status_change",
                (None, None) => "appointment.update",
            };
            let event = audit.event(
                Some(&caller),
                action,
                "appointment",
                Some(id.to_string()),
                Some(current.patient_id),
                Outcome::Success,
            );
            audit_store::append(conn, &[event])?;
            appointments::update(conn, id, changes).map_err(overlap_conflict)
        })
    })
    .await?;
    Ok(web::Json(updated.into()))
}

/// `DELETE /appointments/{id}`: cancels and returns it; the record is kept. Not booked -> 409.
#[utoipa::path(delete, path = "/appointments/{id}", tag = "appointments",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "Cancelled; the record is kept", body = AppointmentView),
        (status = 401, description = "Missing, invalid or expired access token", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing, or not the caller's", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not booked", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn cancel(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    audit: AuditContext,
    id: web::Path<AppointmentId>,
) -> Result<web::Json<AppointmentView>, ApiError> {
    let id = id.into_inner();
    let visibility = caller.visibility();
    let cancelled = with_conn(&pool, move |conn| {
        conn.transaction::<_, ApiError, _>(|conn| {
            let current = appointments::find_visible(conn, id, visibility, true)?
                .ok_or(ApiError::NotFound("appointment"))?;
            if current.status.0 != Status::Booked {
                return Err(ApiError::Conflict(format!(
                    "a {} appointment cannot be cancelled",
                    current.status.0.as_str()
                )));
            }
            let event = audit.event(
                Some(&caller),
                "appointment.cancel",
                "appointment",
                Some(id.to_string()),
                Some(current.patient_id),
                Outcome::Success,
            );
            audit_store::append(conn, &[event])?;
            Ok(appointments::update(
                conn,
                id,
                AppointmentChanges {
                    status: Some(StatusColumn(Status::Cancelled)),
                    ..AppointmentChanges::default()
                },
            )?)
        })
    })
    .await?;
    Ok(web::Json(cancelled.into()))
}
