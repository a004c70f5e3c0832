//! FHIR R4 views of the public directory, for anyone (no token): free `Slot`s by
//! schedule and start, a doctor's `Schedule`, and `PractitionerRole`s by specialty and
//! location.

use super::fhir::echoed;
use super::fhir_resources::{PractitionerRole, Schedule, Slot};
use crate::db::profiles::{self, DirectoryFilter};
use crate::usecases::availability;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Duration, Utc};
use common::ApiError;
use common::db::{DbPool, with_conn};
use common::fhir::bundle::{Found, base_url, page, referenced_id};
use common::fhir::references::ReferenceBases;
use common::fhir::responses::{FhirInvalid, FhirNotFound};
use common::fhir::search::{date_range, pairs, single, values};
use common::validation::{Paging, Validator, text};

pub const SLOT_SEARCH: &[(&str, &str, &str)] = &[
    (
        "schedule",
        "reference",
        "Schedule/<doctor's user id> (required)",
    ),
    (
        "start",
        "date",
        "with ge, gt, le, lt or eq; may repeat; default the next 14 days, at most 31",
    ),
    ("status", "token", "free (only free slots are served)"),
];

pub const ROLE_SEARCH: &[(&str, &str, &str)] = &[
    (
        "specialty",
        "token",
        "case-insensitive substring of the specialization",
    ),
    (
        "location",
        "reference",
        "case-insensitive substring of the place's name",
    ),
];

/// What a slot search may span, as the native slots listing (31 days).
const MAX_SLOT_SPAN: Duration = Duration::days(31);
const DEFAULT_SLOT_SPAN: Duration = Duration::days(14);

/// The documented parameters of the Slot search (read from the query string itself,
/// since `start` may repeat).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(dead_code, reason = "documents the query the handler reads as pairs")]
pub struct SlotSearch {
    /// `Schedule/<doctor's user id>` (required)
    schedule: Option<String>,
    /// `ge2026-12-07`, `lt2026-12-14T00:00:00Z`...; may repeat. Default: from now for 14
    /// days; at most 31 days
    start: Option<String>,
    /// `free`
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

struct SlotQuery {
    doctor: uuid::Uuid,
    /// The starts asked for, `[from, to)`: from now for 14 days unless given.
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    /// A status other than `free` was asked for: nothing matches.
    none: bool,
    paging: Paging,
}

fn slot_search(query: &[(String, String)]) -> Result<SlotQuery, ApiError> {
    let mut v = Validator::new();
    let doctor = match single(&mut v, query, "schedule") {
        None => {
            v.push("schedule", "is required: Schedule/<doctor's user id>");
            None
        }
        Some(raw) => v.check("schedule", referenced_id(raw, "Schedule")),
    };
    let range = date_range(&mut v, "start", &values(query, "start"));
    let none = match single(&mut v, query, "status") {
        None | Some("free") => Some(false),
        Some("busy" | "busy-unavailable" | "busy-tentative" | "entered-in-error") => Some(true),
        Some(_) => v.check::<bool>("status", Err("must be a slot status: free, busy...".into())),
    };
    let count = single(&mut v, query, "_count");
    let offset = single(&mut v, query, "_offset");
    let summary = single(&mut v, query, "_summary");
    let paging = page(&mut v, count, offset, summary);
    let (Some(doctor), Some(range), Some(none), Some(paging), true) =
        (doctor, range, none, paging, v.is_valid())
    else {
        return Err(v.into_error());
    };
    let from = range.from.unwrap_or_else(Utc::now);
    let to = range.to.unwrap_or(from + DEFAULT_SLOT_SPAN);
    if to - from > MAX_SLOT_SPAN {
        return Err(ApiError::validation("start", "must span at most 31 days"));
    }
    Ok(SlotQuery {
        doctor,
        from,
        to,
        none,
        paging,
    })
}

/// `GET /fhir/Slot?schedule=&start=&status=&_count=&_offset=`: the doctor's free slots
/// in order, as the native slots listing offers them (hours, breaks, time off, notice,
/// horizon, bookings).
#[utoipa::path(get, path = "/fhir/Slot", operation_id = "fhir_search_slots", tag = "fhir",
    params(SlotSearch),
    responses(
        (status = 200, description = "A searchset Bundle of free Slots", content_type = "application/fhir+json", body = Object),
        (status = 404, description = "No such doctor", body = common::fhir::outcome::OperationOutcome, content_type = "application/fhir+json"),
        FhirInvalid))]
pub async fn search_slots(
    req: HttpRequest,
    pool: web::Data<DbPool>,
) -> Result<HttpResponse, ApiError> {
    let query = pairs(req.query_string())
        .ok_or_else(|| ApiError::validation("query", "is not a form-encoded query"))?;
    let search = slot_search(&query)?;
    let (doctor, from, to) = (search.doctor, search.from, search.to);
    let (owner, slots) = with_conn(&pool, move |conn| {
        availability::free_slots_starting_within(conn, doctor, from, to)
    })
    .await?;
    let matching = if search.none { Vec::new() } else { slots };
    let all = matching.iter().map(|slot| Slot::free(owner, slot));
    let found = Found::page_of("Slot", all.map(|s| (s.id().to_owned(), s)), search.paging);
    let echoed = echoed(&query, &["schedule", "start", "status"]);
    let bundle = found.into_bundle(&base_url(&req), &echoed, search.paging);
    Ok(common::fhir::resource(&bundle))
}

/// `GET /fhir/Schedule/{id}`: the doctor's calendar (their user id, or the profile id).
#[utoipa::path(get, path = "/fhir/Schedule/{id}", operation_id = "fhir_read_schedule", tag = "fhir",
    params(("id" = uuid::Uuid, Path, description = "The doctor's user id (or profile id)")),
    responses(
        (status = 200, description = "The Schedule: the practitioner, specialty, planning horizon and hours", content_type = "application/fhir+json", body = Object),
        FhirNotFound))]
pub async fn read_schedule(
    pool: web::Data<DbPool>,
    references: web::Data<ReferenceBases>,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let profile = with_conn(&pool, move |conn| {
        profiles::find_by_any_id(conn, id)?.ok_or(ApiError::NotFound("schedule"))
    })
    .await?;
    Ok(common::fhir::resource(&Schedule::of(
        &profile,
        Utc::now(),
        &references,
    )))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RoleSearch {
    /// Case-insensitive substring of the specialization
    specialty: Option<String>,
    /// Case-insensitive substring of the place
    location: Option<String>,
    /// 0 to 200 (default 50); 0 answers the total alone
    #[param(value_type = Option<i64>, minimum = 0, maximum = 200)]
    _count: Option<String>,
    /// 0 or more (default 0)
    #[param(value_type = Option<i64>, minimum = 0)]
    _offset: Option<String>,
    /// `count` answers the total alone, as `_count=0` does
    _summary: Option<String>,
}

impl RoleSearch {
    fn validate(&self) -> Result<(DirectoryFilter, Paging), ApiError> {
        let mut v = Validator::new();
        let term = |v: &mut Validator, name: &str, raw: &Option<String>| {
            let raw = raw.clone().filter(|t| !t.trim().is_empty())?;
            v.check(name, text(1, 100)(raw))
        };
        let specialization = term(&mut v, "specialty", &self.specialty);
        let location = term(&mut v, "location", &self.location);
        let paging = page(
            &mut v,
            self._count.as_deref(),
            self._offset.as_deref(),
            self._summary.as_deref(),
        );
        match paging {
            Some(paging) if v.is_valid() => Ok((
                DirectoryFilter {
                    specialization,
                    location,
                    name: None,
                },
                paging,
            )),
            _ => Err(v.into_error()),
        }
    }
}

/// `GET /fhir/PractitionerRole?specialty=&location=&_count=&_offset=`: the directory, by
/// name.
#[utoipa::path(get, path = "/fhir/PractitionerRole", operation_id = "fhir_search_practitioner_roles", tag = "fhir",
    params(RoleSearch),
    responses(
        (status = 200, description = "A searchset Bundle of PractitionerRoles", content_type = "application/fhir+json", body = Object),
        FhirInvalid))]
pub async fn search_roles(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    references: web::Data<ReferenceBases>,
    query: web::Query<RoleSearch>,
) -> Result<HttpResponse, ApiError> {
    let (filter, paging) = query.validate()?;
    let (profiles, total) = with_conn(&pool, move |conn| {
        Ok(profiles::directory(conn, &filter, paging)?)
    })
    .await?;
    let found = Found {
        kind: "PractitionerRole",
        resources: profiles
            .iter()
            .map(|p| (p.id.to_string(), PractitionerRole::of(p, &references)))
            .collect(),
        total,
    };
    let echoed: Vec<(&str, String)> = [
        ("specialty", &query.specialty),
        ("location", &query.location),
    ]
    .into_iter()
    .filter_map(|(name, value)| Some((name, value.clone()?)))
    .collect();
    Ok(common::fhir::resource(&found.into_bundle(
        &base_url(&req),
        &echoed,
        paging,
    )))
}
