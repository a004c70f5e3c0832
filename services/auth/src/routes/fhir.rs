//! FHIR R4, read-only: `GET /fhir/metadata` (anyone), `GET /fhir/Patient/{id}` (that
//! patient or an admin) and `GET /fhir/Practitioner/{id}` (anyone: a vetted doctor's name).
//! Errors are OperationOutcomes (`common::fhir::outcome`).

use super::fhir_resources::{Patient, Practitioner};
use crate::db::users;
use crate::domain::directory::{is_public_practitioner, may_read_as_patient};
use actix_web::{HttpResponse, web};
use common::auth::AuthenticatedUser;
use common::db::{DbPool, with_conn};
use common::fhir::capability::{Served, statement};
use common::fhir::responses::{FhirNotFound, FhirUnauthenticated};
use common::{ApiError, UserId};

/// `GET /fhir/metadata`.
#[utoipa::path(get, path = "/fhir/metadata", operation_id = "fhir_capabilities", tag = "fhir",
    responses((status = 200, description = "The CapabilityStatement: Patient and Practitioner, read", content_type = "application/fhir+json", body = Object)))]
pub async fn metadata() -> HttpResponse {
    const SERVED: [Served; 2] = [
        Served {
            kind: "Patient",
            read: true,
            vread: false,
            search: &[],
        },
        Served {
            kind: "Practitioner",
            read: true,
            vread: false,
            search: &[],
        },
    ];
    let capabilities = statement("auth-service", env!("CARGO_PKG_VERSION"), &SERVED);
    common::fhir::resource(&capabilities)
}

/// `GET /fhir/Patient/{id}`: a patient's account (the user id).
#[utoipa::path(get, path = "/fhir/Patient/{id}", operation_id = "fhir_read_patient", tag = "fhir",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "The Patient: name, e-mail, active", content_type = "application/fhir+json", body = Object),
        FhirUnauthenticated, FhirNotFound))]
pub async fn read_patient(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    id: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let user = with_conn(&pool, move |conn| Ok(users::find(conn, id)?)).await?;
    let patient = user
        .filter(|u| may_read_as_patient(caller.id, caller.role, u.id, u.role))
        .ok_or(ApiError::NotFound("patient"))?;
    Ok(common::fhir::resource(&Patient::from(&patient)))
}

/// `GET /fhir/Practitioner/{id}`: a vetted doctor's name (the user id).
#[utoipa::path(get, path = "/fhir/Practitioner/{id}", operation_id = "fhir_read_practitioner", tag = "fhir",
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "The Practitioner: a name", content_type = "application/fhir+json", body = Object),
        FhirNotFound))]
pub async fn read_practitioner(
    pool: web::Data<DbPool>,
    id: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let user = with_conn(&pool, move |conn| Ok(users::find(conn, id)?)).await?;
    let doctor = user
        .filter(|u| is_public_practitioner(u.role, u.approved))
        .ok_or(ApiError::NotFound("practitioner"))?;
    Ok(common::fhir::resource(&Practitioner::from(&doctor)))
}
