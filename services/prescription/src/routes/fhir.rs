//! FHIR R4, read-only: `GET /fhir/metadata` (anyone) and `MedicationRequest` read, vread
//! and search, for whoever sees the prescription natively (its patient, its doctor,
//! admins; anyone else 404). Errors are OperationOutcomes (`common::fhir::outcome`).

use super::fhir_resources::MedicationRequest;
use crate::db::prescriptions::{self, PrescriptionFilter};
use crate::domain::lifecycle::PrescriptionStatus;
use actix_web::{HttpRequest, HttpResponse, web};
use common::audit::PatientOfRequest;
use common::auth::AuthenticatedUser;
use common::db::{DbPool, with_conn};
use common::fhir::bundle::{Found, base_url, page, referenced_id};
use common::fhir::capability::{Served, statement};
use common::fhir::references::ReferenceBases;
use common::fhir::responses::{FhirInvalid, FhirNotFound, FhirUnauthenticated};
use common::ids::PrescriptionId;
use common::validation::{Paging, Validator};
use common::{ApiError, UserId};
use serde::Deserialize;

const SEARCH: &[(&str, &str, &str)] = &[
    ("patient", "reference", "Patient/<user id> (or the bare id)"),
    ("requester", "reference", "Practitioner/<doctor's user id>"),
    (
        "status",
        "token",
        "active, on-hold, completed, stopped, cancelled, entered-in-error; commas for any of several",
    ),
];

/// `GET /fhir/metadata`.
#[utoipa::path(get, path = "/fhir/metadata", operation_id = "fhir_capabilities", tag = "fhir",
    responses((status = 200, description = "The CapabilityStatement: MedicationRequest read, vread and search", content_type = "application/fhir+json", body = Object)))]
pub async fn metadata() -> HttpResponse {
    let served = [Served {
        kind: "MedicationRequest",
        read: true,
        vread: true,
        search: SEARCH,
    }];
    let capabilities = statement("prescription-service", env!("CARGO_PKG_VERSION"), &served);
    common::fhir::resource(&capabilities)
}

/// `GET /fhir/MedicationRequest/{id}`: the prescription as of its current version.
#[utoipa::path(get, path = "/fhir/MedicationRequest/{id}", operation_id = "fhir_read_medication_request", tag = "fhir",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The prescription id")),
    responses(
        (status = 200, description = "The MedicationRequest; meta.versionId is the prescription's version", content_type = "application/fhir+json", body = Object),
        FhirUnauthenticated, FhirNotFound))]
pub async fn read(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    references: web::Data<ReferenceBases>,
    caller: AuthenticatedUser,
    id: web::Path<PrescriptionId>,
) -> Result<HttpResponse, ApiError> {
    read_version(req, pool, references, caller, id.into_inner(), None).await
}

/// `GET /fhir/MedicationRequest/{id}/_history/{version}`: as that version left it.
#[utoipa::path(get, path = "/fhir/MedicationRequest/{id}/_history/{version}", operation_id = "fhir_vread_medication_request", tag = "fhir",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The prescription id"), ("version" = i32, Path, description = "1 for the first version")),
    responses(
        (status = 200, description = "The MedicationRequest as of that version", content_type = "application/fhir+json", body = Object),
        FhirUnauthenticated, FhirNotFound))]
pub async fn vread(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    references: web::Data<ReferenceBases>,
    caller: AuthenticatedUser,
    path: web::Path<(PrescriptionId, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (id, version) = path.into_inner();
    read_version(req, pool, references, caller, id, Some(version)).await
}

async fn read_version(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    references: web::Data<ReferenceBases>,
    caller: AuthenticatedUser,
    id: PrescriptionId,
    version: Option<i32>,
) -> Result<HttpResponse, ApiError> {
    let visibility = caller.visibility();
    let (patient, resource) = with_conn(&pool, move |conn| {
        let head = prescriptions::find_visible(conn, id, visibility, false)?
            .ok_or(ApiError::NotFound("prescription"))?;
        let version = prescriptions::version(conn, id, version.unwrap_or(head.current_version))?;
        Ok((
            head.patient_id,
            MedicationRequest::at(&head, &version, &references),
        ))
    })
    .await?;
    PatientOfRequest::note(&req, patient);
    Ok(common::fhir::resource(&resource))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// `Patient/<user id>`
    patient: Option<String>,
    /// `Practitioner/<user id>` of the prescribing doctor
    requester: Option<String>,
    /// A FHIR status, or several separated by commas
    status: Option<String>,
    /// 0 to 200 (default 50); 0 answers the total alone
    #[param(value_type = Option<i64>, minimum = 0, maximum = 200)]
    _count: Option<String>,
    /// 0 or more (default 0)
    #[param(value_type = Option<i64>, minimum = 0)]
    _offset: Option<String>,
    /// `count` answers the total alone, as `_count=0` does
    _summary: Option<String>,
}

impl SearchQuery {
    fn validate(&self) -> Result<(PrescriptionFilter, Paging), ApiError> {
        let mut v = Validator::new();
        let mut reference = |name: &str, raw: Option<&str>, kind: &str| match raw {
            None => Some(None),
            Some(raw) => v.check(
                name,
                referenced_id(raw, kind).map(|id| Some(UserId::from(id))),
            ),
        };
        let patient = reference("patient", self.patient.as_deref(), "Patient");
        let doctor = reference("requester", self.requester.as_deref(), "Practitioner");
        let statuses = match self.status.as_deref() {
            None => Some(Vec::new()),
            Some(raw) => v.check(
                "status",
                raw.split(',')
                    .map(PrescriptionStatus::from_fhir_code)
                    .collect(),
            ),
        };
        let paging = page(
            &mut v,
            self._count.as_deref(),
            self._offset.as_deref(),
            self._summary.as_deref(),
        );
        match (patient, doctor, statuses, paging) {
            (Some(patient), Some(doctor), Some(statuses), Some(paging)) => Ok((
                PrescriptionFilter {
                    patient,
                    doctor,
                    statuses,
                },
                paging,
            )),
            _ => Err(v.into_error()),
        }
    }

    /// The search's own parameters, for the Bundle's links.
    fn echoed(&self) -> Vec<(&'static str, String)> {
        [
            ("patient", &self.patient),
            ("requester", &self.requester),
            ("status", &self.status),
        ]
        .into_iter()
        .filter_map(|(name, value)| Some((name, value.clone()?)))
        .collect()
    }
}

/// `GET /fhir/MedicationRequest?patient=&requester=&status=&_count=&_offset=`: among the
/// prescriptions the caller sees, newest first.
#[utoipa::path(get, path = "/fhir/MedicationRequest", operation_id = "fhir_search_medication_requests", tag = "fhir",
    security(("bearer" = [])),
    params(SearchQuery),
    responses(
        (status = 200, description = "A searchset Bundle with total and self/next/previous links", content_type = "application/fhir+json", body = Object),
        FhirUnauthenticated, FhirInvalid))]
pub async fn search(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    references: web::Data<ReferenceBases>,
    caller: AuthenticatedUser,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    let (filter, paging) = query.validate()?;
    let visibility = caller.visibility();
    let (items, total) = with_conn(&pool, move |conn| {
        Ok(prescriptions::list(conn, visibility, &filter, paging)?)
    })
    .await?;
    let resources = items
        .iter()
        .map(|(head, version)| {
            (
                head.id.to_string(),
                MedicationRequest::at(head, version, &references),
            )
        })
        .collect();
    let found = Found {
        kind: "MedicationRequest",
        resources,
        total,
    };
    let bundle = found.into_bundle(&base_url(&req), &query.echoed(), paging);
    Ok(common::fhir::resource(&bundle))
}
