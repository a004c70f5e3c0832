//! `POST /prescriptions` (doctors), `GET /prescriptions` and `GET /prescriptions/{id}`
//! (its patient, its doctor, admins; anyone else gets 404).

use super::print::{pdf_response, wants_pdf};
use super::views::PrescriptionView;
use crate::SERVICE_NAME;
use crate::clients::appointments::AppointmentClient;
use crate::db::{dispenses, prescriptions};
use crate::domain::prescription::{
    PrescriptionForm, ensure_may_list, ensure_may_prescribe, ensure_may_prescribe_for,
};
use crate::usecases::prescribing;
use actix_web::{HttpRequest, HttpResponse, web};
use common::ApiError;
use common::audit::{AuditContext, PatientOfRequest};
use common::auth::{AuthenticatedUser, EmailVerification, TokenNames};
use common::db::{DbPool, with_conn};
use common::http::paged_records;
use common::idempotency::{IdempotencyKey, Scope, create_once, saved_response};
use common::ids::PrescriptionId;
use common::problem_responses::{Forbidden, Invalid, Malformed, NotFound, Unauthenticated};
use common::signing_key::Signer;
use common::upstream::Relay;
use common::validation::{Paging, Validator, parse_body};
use serde::Deserialize;
use std::collections::HashMap;

/// `POST /prescriptions`: the appointment is read from appointment-service with the
/// doctor's token; patient and doctor come from it, never from the body. Nothing is
/// written unless that read succeeds. A doctor awaiting an admin's approval (token claim
/// `approved: false`) -> 403.
#[utoipa::path(post, path = "/prescriptions", operation_id = "create_prescription", tag = "prescriptions",
    security(("bearer" = [])),
    request_body = PrescriptionForm, params(("Idempotency-Key" = Option<String>, Header, description = "Retry safely: same key and body replays the first answer")),
    responses(
        (status = 201, description = "Version 1; patient and doctor come from the appointment", body = PrescriptionView),
        Malformed,
        Unauthenticated,
        Forbidden,
        (status = 404, description = "The appointment is missing or not this doctor's", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Cancelled or missed appointment, already prescribed, or a medicine duplicates another active prescription of the patient (type .../duplicate-therapy, conflicts: their ids) and no override_reason was given", body = common::error::Problem, content_type = "application/problem+json"),
        Invalid,
        (status = 503, description = "appointment-service is down or too slow; nothing was written", body = common::error::Problem, content_type = "application/problem+json")))]
#[expect(
    clippy::too_many_arguments,
    reason = "an actix handler takes each thing it needs as an extractor"
)]
pub async fn create(
    pool: web::Data<DbPool>,
    signer: web::Data<Signer>,
    appointments: web::Data<AppointmentClient>,
    caller: AuthenticatedUser,
    names: TokenNames,
    relay: Relay,
    audit: AuditContext,
    key: IdempotencyKey,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    ensure_may_prescribe(&caller)?;
    let body = body.into_inner();
    let idempotency = key.bind(Scope::user(caller.id), SERVICE_NAME.as_bytes(), &body)?;
    let prescription = parse_body::<PrescriptionForm>(body)?.validate()?;
    // A retry is answered from the record, without asking appointment-service again.
    if let Some(saved) = saved_response(&pool, &idempotency).await? {
        return Ok(saved);
    }
    let appointment = appointments
        .fetch(prescription.appointment_id, &relay)
        .await?;
    ensure_may_prescribe_for(&caller, &appointment)?;
    create_once(&pool, idempotency, move |conn| {
        let (head, first) = prescribing::create(
            conn,
            &signer,
            &caller,
            names,
            &audit,
            &appointment,
            prescription,
        )?;
        Ok(PrescriptionView::at(&head, first))
    })
    .await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// 1 to 200 (default 50)
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    limit: Option<String>,
    /// 0 or more (default 0)
    #[param(value_type = Option<i64>, minimum = 0)]
    offset: Option<String>,
}

/// `GET /prescriptions?limit=&offset=`: the caller's own (a doctor's: those they wrote;
/// all for admins), newest first, each as its current version.
#[utoipa::path(get, path = "/prescriptions", operation_id = "list_prescriptions", tag = "prescriptions",
    security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "Newest first, each as its current version; the total before paging in X-Total-Count", body = Vec<PrescriptionView>),
        Unauthenticated,
        (status = 403, description = "Pharmacists read a prescription by its id, never a list", body = common::error::Problem, content_type = "application/problem+json"),
        Invalid))]
pub async fn list(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    ensure_may_list(&caller)?;
    let mut v = Validator::new();
    let paging = Paging::parse(&mut v, query.limit.as_deref(), query.offset.as_deref())
        .ok_or_else(|| v.into_error())?;
    let visibility = caller.visibility();
    let (items, dispensed, total) = with_conn(&pool, move |conn| {
        let everything = prescriptions::PrescriptionFilter::default();
        let (items, total) = prescriptions::list(conn, visibility, &everything, paging)?;
        let ids: Vec<PrescriptionId> = items.iter().map(|(head, _)| head.id).collect();
        Ok((items, dispenses::of(conn, &ids)?, total))
    })
    .await?;
    let mut dispensed_of: HashMap<PrescriptionId, Vec<_>> = HashMap::new();
    for (prescription, dispense) in dispensed {
        dispensed_of.entry(prescription).or_default().push(dispense);
    }
    let views: Vec<PrescriptionView> = items
        .into_iter()
        .map(|(head, version)| {
            let theirs = dispensed_of.remove(&head.id).unwrap_or_default();
            PrescriptionView::at(&head, version).dispensed(theirs)
        })
        .collect();
    Ok(paged_records(&views, total, |p| p.id.to_string()))
}

/// The current version of a prescription the caller may see, noted as this request's
/// patient for the audit trail.
pub(super) async fn current_view(
    req: &HttpRequest,
    pool: &DbPool,
    caller: &AuthenticatedUser,
    id: PrescriptionId,
) -> Result<PrescriptionView, ApiError> {
    let visibility = caller.visibility();
    let view = with_conn(pool, move |conn| {
        let head = prescriptions::find_visible(conn, id, visibility, false)?
            .ok_or(ApiError::NotFound("prescription"))?;
        let current = prescriptions::version(conn, id, head.current_version)?;
        let dispensed = dispenses::of_one(conn, id)?;
        Ok(PrescriptionView::at(&head, current).dispensed(dispensed))
    })
    .await?;
    PatientOfRequest::note(req, view.patient_id);
    Ok(view)
}

/// `GET /prescriptions/{id}`: its current version, as JSON or (`Accept: application/pdf`)
/// as a printable page. The document declares the JSON alone: a generated client reads a
/// response by its one declared type, and fetches the PDF at `/prescriptions/{id}/pdf`.
#[utoipa::path(get, path = "/prescriptions/{id}", operation_id = "get_prescription", tag = "prescriptions",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "The current version. A request whose Accept prefers application/pdf gets the printable page instead, as GET /prescriptions/{id}/pdf answers it", body = PrescriptionView),
        Unauthenticated,
        NotFound))]
pub async fn get(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    verification: web::Data<EmailVerification>,
    caller: AuthenticatedUser,
    id: web::Path<PrescriptionId>,
) -> Result<HttpResponse, ApiError> {
    let printing = wants_pdf(&req);
    if printing {
        verification.check(&caller)?;
    }
    let view = current_view(&req, &pool, &caller, id.into_inner()).await?;
    if printing {
        return pdf_response(&req, view).await;
    }
    Ok(HttpResponse::Ok().json(view))
}
