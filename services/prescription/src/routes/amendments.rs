//! `PUT /prescriptions/{id}` (its doctor only) writes a new version; every earlier one stays
//! exactly as it was. `GET /prescriptions/{id}/versions` (its patient, its doctor, admins)
//! shows them all, oldest first.

use super::views::PrescriptionView;
use crate::db::prescriptions;
use crate::domain::prescription::{AmendmentForm, ensure_may_amend};
use crate::usecases::prescribing;
use actix_web::{HttpRequest, web};
use common::ApiError;
use common::audit::{AuditContext, PatientOfRequest};
use common::auth::AuthenticatedUser;
use common::db::{DbPool, with_conn};
use common::ids::PrescriptionId;
use common::problem_responses::{Invalid, Malformed, NotFound, Unauthenticated};

/// `PUT /prescriptions/{id}`: `{notes?, medicines?}` -> 200 with `version` + 1 (see
/// `usecases::prescribing::amend`). A doctor whose approval an admin withdrew (token
/// claim `approved: false`) -> 403, as for prescribing.
#[utoipa::path(put, path = "/prescriptions/{id}", operation_id = "amend_prescription", tag = "prescriptions",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)), request_body = AmendmentForm,
    responses(
        (status = 200, description = "The new version", body = PrescriptionView),
        Malformed,
        Unauthenticated,
        (status = 403, description = "Patients and admins may not amend", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing, or not this doctor's", body = common::error::Problem, content_type = "application/problem+json"),
        Invalid))]
pub async fn amend(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    audit: AuditContext,
    id: web::Path<PrescriptionId>,
    body: web::Json<AmendmentForm>,
) -> Result<web::Json<PrescriptionView>, ApiError> {
    ensure_may_amend(&caller)?;
    let amendment = body.into_inner().validate()?;
    let id = id.into_inner();
    let (head, version) = with_conn(&pool, move |conn| {
        prescribing::amend(conn, &caller, &audit, id, amendment)
    })
    .await?;
    Ok(web::Json(PrescriptionView::at(&head, version)))
}

/// `GET /prescriptions/{id}/versions`.
#[utoipa::path(get, path = "/prescriptions/{id}/versions", operation_id = "list_prescription_versions", tag = "prescriptions",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "Every version, oldest first", body = Vec<PrescriptionView>),
        Unauthenticated,
        NotFound))]
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
