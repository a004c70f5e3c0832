//! `PUT /appointments/{id}` (reschedule, notes, status) and `DELETE /appointments/{id}`
//! (cancel). Callers: its patient, its doctor, admins; anyone else gets 404.

use super::views::AppointmentView;
use crate::domain::appointment::CancellationGrace;
use crate::domain::appointment::{CancelForm, ChangeForm};
use crate::usecases::changes;
use actix_web::web;
use common::ApiError;
use common::audit::AuditContext;
use common::auth::AuthenticatedUser;
use common::db::{DbPool, with_conn};
use common::ids::AppointmentId;
use common::problem_responses::{Invalid, Malformed, NotFound, Unauthenticated};

/// `PUT /appointments/{id}`: a new time follows the booking rules (422/409) and is only
/// possible while the appointment is booked and still ahead (else 409), and for a patient
/// only outside the doctor's cancellation notice (409 late-cancellation); it keeps its
/// length. A status change follows the state machine; patients may not set status (403).
#[utoipa::path(put, path = "/appointments/{id}", operation_id = "change_appointment", tag = "appointments",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)), request_body = crate::domain::appointment::ChangeForm,
    responses(
        (status = 200, description = "The appointment as changed", body = AppointmentView),
        Malformed,
        Unauthenticated,
        (status = 403, description = "Patients may not set status", body = common::error::Problem, content_type = "application/problem+json"),
        NotFound,
        (status = 409, description = "Illegal status change, not reschedulable, overlap, the daily limit, or a patient moving it inside the cancellation notice more than CANCELLATION_GRACE_MINUTES after booking it (type .../late-cancellation)", body = common::error::Problem, content_type = "application/problem+json"),
        Invalid))]
pub async fn change(
    pool: web::Data<DbPool>,
    grace: web::Data<CancellationGrace>,
    caller: AuthenticatedUser,
    audit: AuditContext,
    id: web::Path<AppointmentId>,
    body: web::Json<ChangeForm>,
) -> Result<web::Json<AppointmentView>, ApiError> {
    let change = body.into_inner().validate()?;
    let id = id.into_inner();
    let updated = with_conn(&pool, move |conn| {
        changes::change(conn, &caller, &audit, id, &change, **grace)
    })
    .await?;
    Ok(web::Json(updated.into()))
}

/// `DELETE /appointments/{id}` with an optional body `{reason}`: cancels and returns it;
/// the record is kept, showing `cancellation_reason` and `cancelled_by`. Not booked -> 409;
/// a patient inside the doctor's cancellation notice -> 409 `late-cancellation`.
#[utoipa::path(delete, path = "/appointments/{id}", operation_id = "cancel_appointment", tag = "appointments",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)),
    request_body(content = Option<CancelForm>, description = "Optional"),
    responses(
        (status = 200, description = "Cancelled; the record is kept", body = AppointmentView),
        Malformed,
        Unauthenticated,
        NotFound,
        (status = 409, description = "Not booked, or a patient inside the cancellation notice more than CANCELLATION_GRACE_MINUTES after booking it (type .../late-cancellation)", body = common::error::Problem, content_type = "application/problem+json"),
        Invalid))]
pub async fn cancel(
    pool: web::Data<DbPool>,
    grace: web::Data<CancellationGrace>,
    caller: AuthenticatedUser,
    audit: AuditContext,
    id: web::Path<AppointmentId>,
    body: web::Bytes,
) -> Result<web::Json<AppointmentView>, ApiError> {
    let reason = cancel_reason(&body)?;
    let id = id.into_inner();
    let cancelled = with_conn(&pool, move |conn| {
        changes::cancel(conn, &caller, &audit, id, reason, **grace)
    })
    .await?;
    Ok(web::Json(cancelled.into()))
}

/// The body is optional: none (or whitespace) cancels without a reason.
fn cancel_reason(body: &[u8]) -> Result<Option<String>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let form: CancelForm = serde_json::from_slice(body).map_err(|e| {
        ApiError::BadRequest(format!("the body is not a JSON object {{reason}}: {e}"))
    })?;
    form.validate()
}
