//! The public directory: `GET /doctors/`, `GET /doctors/{doctor_id}` and
//! `GET /doctors/{doctor_id}/slots?date=`. Callers: anyone, no token needed.

use super::views::{ProfileView, SlotView};
use crate::db::profiles;
use crate::domain::schedule::{MAX_HORIZON_DAYS, beyond_any_horizon};
use crate::usecases::availability;
use actix_web::{HttpResponse, web};
use chrono::{Duration, NaiveDate, Utc};
use common::ApiError;
use common::db::{DbPool, with_conn};
use common::http::paged;
use common::validation::{Paging, Validator, date, text};
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DirectoryQuery {
    /// Case-insensitive substring
    specialization: Option<String>,
    /// Case-insensitive substring
    location: Option<String>,
    /// Matches first, last or full name
    q: Option<String>,
    /// 1 to 200 (default 50)
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    limit: Option<String>,
    /// 0 or more (default 0)
    #[param(value_type = Option<i64>, minimum = 0)]
    offset: Option<String>,
}

/// A filter's text: blank means no filter; otherwise one line of at most 100 characters
/// (a NUL or a line break would only ever be a probe, and PostgreSQL cannot hold a NUL).
fn search_term(v: &mut Validator, field: &str, raw: Option<String>) -> Option<String> {
    let raw = raw.filter(|t| !t.trim().is_empty())?;
    v.check(field, text(1, 100)(raw))
}

/// `GET /doctors/`: case-insensitive substring filters; `q` matches the doctor's name.
#[utoipa::path(get, path = "/doctors/", operation_id = "list_doctors", tag = "doctors",
    params(DirectoryQuery),
    responses(
        (status = 200, description = "Profiles by name; the total before paging in X-Total-Count", body = Vec<ProfileView>),
        (status = 422, description = "Invalid fields, each named in errors: limit, offset, or a filter that is not one line of at most 100 characters", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn directory(
    pool: web::Data<DbPool>,
    query: web::Query<DirectoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let mut v = Validator::new();
    let paging = Paging::parse(&mut v, query.limit.as_deref(), query.offset.as_deref());
    let filter = profiles::DirectoryFilter {
        specialization: search_term(&mut v, "specialization", query.specialization),
        location: search_term(&mut v, "location", query.location),
        name: search_term(&mut v, "q", query.q),
    };
    let paging = match paging {
        Some(paging) if v.is_valid() => paging,
        _ => return Err(v.into_error()),
    };
    let (items, total) = with_conn(&pool, move |conn| {
        Ok(profiles::directory(conn, &filter, paging)?)
    })
    .await?;
    let views: Vec<ProfileView> = items.into_iter().map(Into::into).collect();
    Ok(paged(&views, total))
}

/// `GET /doctors/{doctor_id}`: by the doctor's user id (or the profile id).
#[utoipa::path(get, path = "/doctors/{doctor_id}", operation_id = "get_doctor", tag = "doctors",
    params(("doctor_id" = uuid::Uuid, Path, description = "The doctor's user id or profile id")),
    responses(
        (status = 200, description = "The doctor's public profile", body = ProfileView),
        (status = 404, description = "No such doctor", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn get_doctor(
    pool: web::Data<DbPool>,
    doctor_id: web::Path<uuid::Uuid>,
) -> Result<web::Json<ProfileView>, ApiError> {
    let id = doctor_id.into_inner();
    let profile = with_conn(&pool, move |conn| {
        profiles::find_by_any_id(conn, id)?.ok_or(ApiError::NotFound("doctor"))
    })
    .await?;
    Ok(web::Json(profile.into()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlotsQuery {
    /// One local date of the doctor, YYYY-MM-DD (or from and to)
    #[param(value_type = Option<chrono::NaiveDate>)]
    date: Option<String>,
    /// First local date, inclusive
    #[param(value_type = Option<chrono::NaiveDate>)]
    from: Option<String>,
    /// Last local date, inclusive, at most 31 days from from
    #[param(value_type = Option<chrono::NaiveDate>)]
    to: Option<String>,
}

/// A range of at most this many local days per slots request: a month view.
const MAX_SLOT_DAYS: i64 = 31;

impl SlotsQuery {
    /// The local dates asked for: `date`, or `from..=to` of at most 31 days.
    fn days(self) -> Result<(NaiveDate, NaiveDate), ApiError> {
        let mut v = Validator::new();
        let parse = |v: &mut Validator, field: &str, raw: Option<String>| {
            raw.and_then(|raw| v.check(field, date(&raw)))
        };
        let (first, last) = match (self.date, self.from, self.to) {
            (Some(day), None, None) => {
                let day = parse(&mut v, "date", Some(day));
                (day, day)
            }
            (None, Some(from), Some(to)) => (
                parse(&mut v, "from", Some(from)),
                parse(&mut v, "to", Some(to)),
            ),
            (None, None, None) => {
                return Err(ApiError::validation("date", "is required (or from and to)"));
            }
            (Some(_), _, _) => {
                return Err(ApiError::validation("date", "cannot come with from or to"));
            }
            (None, _, None) => return Err(ApiError::validation("to", "is required with from")),
            (None, None, _) => return Err(ApiError::validation("from", "is required with to")),
        };
        let (Some(first), Some(last)) = (first, last) else {
            return Err(v.into_error());
        };
        let field = if first == last { "date" } else { "to" };
        if last < first {
            return Err(ApiError::validation("to", "must not be before from"));
        }
        if last - first >= Duration::days(MAX_SLOT_DAYS) {
            return Err(ApiError::validation(
                "to",
                "must be at most 31 days from from (inclusive)",
            ));
        }
        if beyond_any_horizon(last, Utc::now().date_naive()) {
            return Err(ApiError::validation(
                field,
                format!("must be within the next {MAX_HORIZON_DAYS} days"),
            ));
        }
        Ok((first, last))
    }
}

/// `GET /doctors/{doctor_id}/slots?date=` or `?from=&to=` (the doctor's local dates,
/// inclusive, at most 31): the free slots of those days in order, in UTC. A slot is
/// offered when it lies within that date's hours (override or weekly rule), outside breaks
/// and time off, overlaps no booked appointment, starts at least the doctor's notice from
/// now and within their booking horizon.
#[utoipa::path(get, path = "/doctors/{doctor_id}/slots", operation_id = "list_free_slots", tag = "doctors",
    params(("doctor_id" = uuid::Uuid, Path, description = "The doctor's user id or profile id"), SlotsQuery),
    responses(
        (status = 200, description = "Free slots in order, in UTC; [] on days off", body = Vec<SlotView>),
        (status = 404, description = "No such doctor", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named in errors: no date (or from and to), malformed, a range over 31 days, or more than 730 days ahead", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn free_slots(
    pool: web::Data<DbPool>,
    doctor_id: web::Path<uuid::Uuid>,
    query: web::Query<SlotsQuery>,
) -> Result<web::Json<Vec<SlotView>>, ApiError> {
    let (first, last) = query.into_inner().days()?;
    let id = doctor_id.into_inner();
    let slots = with_conn(&pool, move |conn| {
        availability::free_slots(conn, id, first, last)
    })
    .await?;
    Ok(web::Json(slots.into_iter().map(SlotView::from).collect()))
}
