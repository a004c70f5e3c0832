//! `PUT /prescriptions/{id}` (its doctor only) writes a new version; every earlier one stays
//! exactly as it was. `GET /prescriptions/{id}/versions` (its patient, its doctor, admins)
//! shows them all, oldest first. `POST /prescriptions/{id}/status` (its doctor) moves it
//! through the lifecycle, as a new version too.

use super::views::PrescriptionView;
use crate::db::{dispenses, prescriptions};
use crate::domain::lifecycle::StatusChangeForm;
use crate::domain::prescription::{AmendmentForm, ensure_may_amend};
use crate::usecases::prescribing;
use actix_web::{HttpRequest, web};
use common::ApiError;
use common::audit::{AuditContext, PatientOfRequest};
use common::auth::AuthenticatedUser;
use common::db::{DbPool, with_conn};
use common::ids::PrescriptionId;
use common::problem_responses::{Invalid, Malformed, NotFound, Unauthenticated};
use common::signing_key::Signer;

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
        (status = 409, description = "No longer active or on hold; or a new medicine duplicates another active prescription of the patient (type .../duplicate-therapy, conflicts: their ids) and no override_reason was given", body = common::error::Problem, content_type = "application/problem+json"),
        Invalid))]
pub async fn amend(
    pool: web::Data<DbPool>,
    signer: web::Data<Signer>,
    caller: AuthenticatedUser,
    audit: AuditContext,
    id: web::Path<PrescriptionId>,
    body: web::Json<AmendmentForm>,
) -> Result<web::Json<PrescriptionView>, ApiError> {
    ensure_may_amend(&caller)?;
    let amendment = body.into_inner().validate()?;
    let id = id.into_inner();
    let view = with_conn(&pool, move |conn| {
        let (head, version) = prescribing::amend(conn, &signer, &caller, &audit, id, amendment)?;
        let dispensed = dispenses::of_one(conn, id)?;
        Ok(PrescriptionView::at(&head, version).dispensed(dispensed))
    })
    .await?;
    Ok(web::Json(view))
}

/// `POST /prescriptions/{id}/status`: `{status, reason?}` -> 200 with the new version.
#[utoipa::path(post, path = "/prescriptions/{id}/status", operation_id = "change_prescription_status", tag = "prescriptions",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)), request_body = StatusChangeForm,
    responses(
        (status = 200, description = "The new version, with the new status and its reason", body = PrescriptionView),
        Malformed,
        Unauthenticated,
        (status = 403, description = "Patients and admins may not change it", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing, or not this doctor's", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a legal move from the current status (completed, stopped, cancelled and entered_in_error are final)", body = common::error::Problem, content_type = "application/problem+json"),
        Invalid))]
pub async fn change_status(
    pool: web::Data<DbPool>,
    signer: web::Data<Signer>,
    caller: AuthenticatedUser,
    audit: AuditContext,
    id: web::Path<PrescriptionId>,
    body: web::Json<StatusChangeForm>,
) -> Result<web::Json<PrescriptionView>, ApiError> {
    ensure_may_amend(&caller)?;
    let change = body.into_inner().validate()?;
    let id = id.into_inner();
    let view = with_conn(&pool, move |conn| {
        let (head, version) =
            prescribing::change_status(conn, &signer, &caller, &audit, id, change)?;
        let dispensed = dispenses::of_one(conn, id)?;
        Ok(PrescriptionView::at(&head, version).dispensed(dispensed))
    })
    .await?;
    Ok(web::Json(view))
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
        let dispensed = dispenses::of_one(conn, id)?;
        let views: Vec<PrescriptionView> = prescriptions::versions(conn, id)?
            .into_iter()
            .map(|version| {
                let number = version.version;
                let while_current = dispensed.iter().filter(|d| d.version == number);
                PrescriptionView::at(&head, version).dispensed(while_current.cloned().collect())
            })
            .collect();
        Ok((head.patient_id, views))
    })
    .await?;
    let (patient, views) = views;
    PatientOfRequest::note(&req, patient);
    Ok(web::Json(views))
}
