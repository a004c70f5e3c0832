//! FHIR R4, read-only: `GET /fhir/metadata` (anyone) and `Appointment` read and search for
//! whoever sees the appointment natively (its patient, its doctor, admins; anyone else
//! 404). The directory's resources are in `fhir_directory`. Errors are OperationOutcomes.

use super::fhir_resources::Appointment;
use crate::db::appointments::{self, ListFilter};
use crate::domain::appointment::Status;
use actix_web::{HttpRequest, HttpResponse, web};
use common::audit::PatientOfRequest;
use common::auth::AuthenticatedUser;
use common::db::{DbPool, with_conn};
use common::fhir::bundle::{Found, base_url, page, referenced_id};
use common::fhir::capability::{Served, statement};
use common::fhir::references::ReferenceBases;
use common::fhir::responses::{FhirInvalid, FhirNotFound, FhirUnauthenticated};
use common::fhir::search::{date_range, pairs, single, values};
use common::ids::AppointmentId;
use common::validation::{Paging, Validator};
use common::{ApiError, UserId};

const APPOINTMENT_SEARCH: &[(&str, &str, &str)] = &[
    ("patient", "reference", "Patient/<user id> (or the bare id)"),
    (
        "practitioner",
        "reference",
        "Practitioner/<doctor's user id>",
    ),
    (
        "date",
        "date",
        "the start, with ge, gt, le, lt or eq; may repeat (date=ge...&date=lt...)",
    ),
    (
        "status",
        "token",
        "booked, pending (a hold), fulfilled, cancelled, noshow; commas for several",
    ),
];

/// `GET /fhir/metadata`.
#[utoipa::path(get, path = "/fhir/metadata", operation_id = "fhir_capabilities", tag = "fhir",
    responses((status = 200, description = "The CapabilityStatement: Appointment read and search, Slot search, Schedule read, PractitionerRole search", content_type = "application/fhir+json", body = Object)))]
pub async fn metadata() -> HttpResponse {
    use super::fhir_directory::{ROLE_SEARCH, SLOT_SEARCH};
    let served = [
        Served {
            kind: "Appointment",
            read: true,
            vread: false,
            search: APPOINTMENT_SEARCH,
        },
        Served {
            kind: "Slot",
            read: false,
            vread: false,
            search: SLOT_SEARCH,
        },
        Served {
            kind: "Schedule",
            read: true,
            vread: false,
            search: &[],
        },
        Served {
            kind: "PractitionerRole",
            read: false,
            vread: false,
            search: ROLE_SEARCH,
        },
    ];
    let capabilities = statement("appointment-service", env!("CARGO_PKG_VERSION"), &served);
    common::fhir::resource(&capabilities)
}

/// `GET /fhir/Appointment/{id}`.
#[utoipa::path(get, path = "/fhir/Appointment/{id}", operation_id = "fhir_read_appointment", tag = "fhir",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "The Appointment: status (a hold is pending), start, end, the patient and the practitioner", content_type = "application/fhir+json", body = Object),
        FhirUnauthenticated, FhirNotFound))]
pub async fn read_appointment(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    references: web::Data<ReferenceBases>,
    caller: AuthenticatedUser,
    id: web::Path<AppointmentId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let visibility = caller.visibility();
    let stored = with_conn(&pool, move |conn| {
        appointments::find_visible(conn, id, visibility, false)?
            .ok_or(ApiError::NotFound("appointment"))
    })
    .await?;
    PatientOfRequest::note(&req, stored.patient_id);
    Ok(common::fhir::resource(&Appointment::of(
        &stored,
        &references,
    )))
}

/// The documented parameters of the Appointment search (read from the query string
/// itself, since `date` may repeat).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(dead_code, reason = "documents the query the handler reads as pairs")]
pub struct AppointmentSearch {
    /// `Patient/<user id>`
    patient: Option<String>,
    /// `Practitioner/<user id>` of the doctor
    practitioner: Option<String>,
    /// The start: `ge2026-12-01`, `lt2026-12-08T09:00:00Z`...; may repeat
    date: Option<String>,
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

/// The filter and page a search's `query` asks for.
fn appointment_search(query: &[(String, String)]) -> Result<(ListFilter, Paging), ApiError> {
    let mut v = Validator::new();
    let reference = |v: &mut Validator, name: &str, kind: &str| {
        let raw = single(v, query, name)?;
        v.check(name, referenced_id(raw, kind).map(UserId::from))
    };
    let patient = reference(&mut v, "patient", "Patient");
    let doctor = reference(&mut v, "practitioner", "Practitioner");
    let dates = date_range(&mut v, "date", &values(query, "date"));
    let statuses = match single(&mut v, query, "status") {
        None => Some(Vec::new()),
        Some(raw) => v.check("status", statuses(raw)),
    };
    let count = single(&mut v, query, "_count");
    let offset = single(&mut v, query, "_offset");
    let summary = single(&mut v, query, "_summary");
    let paging = page(&mut v, count, offset, summary);
    match (dates, statuses, paging) {
        (Some(dates), Some(statuses), Some(paging)) if v.is_valid() => Ok((
            ListFilter {
                statuses,
                patient,
                doctor,
                from: dates.from,
                to: dates.to,
                doctor_suspended: false,
            },
            paging,
        )),
        _ => Err(v.into_error()),
    }
}

fn statuses(raw: &str) -> Result<Vec<Status>, String> {
    let mut all = Vec::new();
    for code in raw.split(',') {
        all.extend(Status::from_fhir_code(code)?);
    }
    Ok(all)
}

/// `GET /fhir/Appointment?patient=&practitioner=&date=&status=&_count=&_offset=`: among
/// the appointments the caller sees, by start time.
#[utoipa::path(get, path = "/fhir/Appointment", operation_id = "fhir_search_appointments", tag = "fhir",
    security(("bearer" = [])),
    params(AppointmentSearch),
    responses(
        (status = 200, description = "A searchset Bundle with total and self/next/previous links", content_type = "application/fhir+json", body = Object),
        FhirUnauthenticated, FhirInvalid))]
pub async fn search_appointments(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    references: web::Data<ReferenceBases>,
    caller: AuthenticatedUser,
) -> Result<HttpResponse, ApiError> {
    let query = pairs(req.query_string())
        .ok_or_else(|| ApiError::validation("query", "is not a form-encoded query"))?;
    let (filter, paging) = appointment_search(&query)?;
    let visibility = caller.visibility();
    let (items, total) = with_conn(&pool, move |conn| {
        Ok(appointments::list(conn, visibility, &filter, paging)?)
    })
    .await?;
    let found = Found {
        kind: "Appointment",
        resources: items
            .iter()
            .map(|a| (a.id.to_string(), Appointment::of(a, &references)))
            .collect(),
        total,
    };
    let echoed = echoed(&query, &["patient", "practitioner", "date", "status"]);
    Ok(common::fhir::resource(&found.into_bundle(
        &base_url(&req),
        &echoed,
        paging,
    )))
}

/// The search's own parameters (not paging), for the Bundle's links.
pub fn echoed<'a>(query: &'a [(String, String)], names: &[&str]) -> Vec<(&'a str, String)> {
    query
        .iter()
        .filter(|(name, _)| names.contains(&name.as_str()))
        .map(|(name, value)| (name.as_str(), value.clone()))
        .collect()
}
