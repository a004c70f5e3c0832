//! `PUT /prescriptions/{id}` (its doctor only) writes a new version; every earlier one stays
//! exactly as it was. `GET /prescriptions/{id}/versions` (its patient, its doctor, admins)
//! shows them all, oldest first.

use super::views::PrescriptionView;
use crate::db::models::Version;
use crate::db::prescriptions;
use crate::domain::prescription::{AmendmentForm, ensure_may_amend};
use actix_web::{HttpRequest, web};
use chrono::{SubsecRound, Utc};
use common::ApiError;
use common::audit::{AuditContext, Outcome, PatientOfRequest, store as audit_store};
use common::auth::AuthenticatedUser;
use common::db::{DbPool, with_conn};
use common::ids::PrescriptionId;
use diesel::Connection;

/// `PUT /prescriptions/{id}`: `{notes?, medicines?}` -> 200 with `version` + 1. The row is
/// locked while the next version number is taken, so concurrent amendments queue.
#[utoipa::path(put, path = "/prescriptions/{id}", tag = "prescriptions",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)), request_body = AmendmentForm,
    responses(
        (status = 200, description = "The new version", body = PrescriptionView),
        (status = 400, description = "Malformed JSON or wrong content type", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, invalid or expired access token", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Patients and admins may not amend", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing, or not this doctor's", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named in errors", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn amend(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    audit: AuditContext,
    id: web::Path<PrescriptionId>,
    body: web::Json<AmendmentForm>,
) -> Result<web::Json<PrescriptionView>, ApiError> {
    ensure_may_amend(caller.role)?;
    let amendment = body.into_inner().validate()?;
    let id = id.into_inner();
    let visibility = caller.visibility();
    let view = with_conn(&pool, move |conn| {
        conn.transaction::<_, ApiError, _>(|conn| {
            let head = prescriptions::find_visible(conn, id, visibility, true)?
                .ok_or(ApiError::NotFound("prescription"))?;
            let current = prescriptions::version(conn, id, head.current_version)?;
            let next = Version {
                prescription_id: id,
                version: head.current_version + 1,
                notes: amendment.notes.clone().unwrap_or(current.notes),
                medicines: match &amendment.medicines {
                    Some(medicines) => {
                        serde_json::to_value(medicines).map_err(|e| ApiError::Internal(e.into()))?
                    }
                    None => current.medicines,
                },
                created_at: Utc::now().trunc_subsecs(6),
            };
            let head = prescriptions::append(conn, &next)?;
            let event = audit.event(
                Some(&caller),
                "prescription.amend",
                "prescription",
                Some(id.to_string()),
                Some(head.patient_id),
                Outcome::Success,
            );
            audit_store::append(conn, &[event])?;
            Ok(PrescriptionView::at(&head, next))
        })
    })
    .await?;
    Ok(web::Json(view))
}

/// `GET /prescriptions/{id}/versions`.
#[utoipa::path(get, path = "/prescriptions/{id}/versions", tag = "prescriptions",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "Every version, oldest first", body = Vec<PrescriptionView>),
        (status = 401, description = "Missing, invalid or expired access token", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing, or not the caller's", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn versions(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    id: web::Path<PrescriptionId>,
) -> Result<web::Json<Vec<PrescriptionView>>, ApiError> {
    let id = id.into_inner();
    let visibility = caller.visibility();
    let views = with_conn(&pool, move |conn| {
        let head = prescriptions::find_visible(conn, id, visibility, false)?
            .ok_or(ApiError::NotFound("prescription"))?;
        let views: Vec<PrescriptionView> = prescriptions::versions(conn, id)?
            .into_iter()
            .map(|version| PrescriptionView::at(&head, version))
            .collect();
        Ok((head.patient_id, views))
    })
    .await?;
    let (patient, views) = views;
    PatientOfRequest::note(&req, patient);
    Ok(web::Json(views))
}
