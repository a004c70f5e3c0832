//! The public directory: `GET /doctors/`, `GET /doctors/{doctor_id}` and
//! `GET /doctors/{doctor_id}/slots?date=`. Callers: anyone, no token needed.

use super::views::{ProfileView, SlotView};
use crate::db::profiles;
use crate::domain::schedule::{BOOKING_HORIZON_DAYS, beyond_horizon};
use crate::usecases::availability;
use actix_web::{HttpResponse, web};
use chrono::Utc;
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
    #[param(value_type = Option<i64>)]
    limit: Option<String>,
    /// 0 or more (default 0)
    #[param(value_type = Option<i64>)]
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
    /// The doctor's local date, YYYY-MM-DD
    #[param(value_type = chrono::NaiveDate, required = true)]
    date: Option<String>,
}

/// `GET /doctors/{doctor_id}/slots?date=YYYY-MM-DD` (the doctor's local date): the free,
/// still-future slots of that day in order, in UTC; `[]` on a day off.
#[utoipa::path(get, path = "/doctors/{doctor_id}/slots", operation_id = "list_free_slots", tag = "doctors",
    params(("doctor_id" = uuid::Uuid, Path, description = "The doctor's user id or profile id"), SlotsQuery),
    responses(
        (status = 200, description = "Free future slots in order, in UTC; [] on a day off", body = Vec<SlotView>),
        (status = 404, description = "No such doctor", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named in errors: date missing, malformed or more than 730 days ahead", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn free_slots(
    pool: web::Data<DbPool>,
    doctor_id: web::Path<uuid::Uuid>,
    query: web::Query<SlotsQuery>,
) -> Result<web::Json<Vec<SlotView>>, ApiError> {
    let day = match query.into_inner().date {
        Some(raw) => date(&raw).map_err(|e| ApiError::validation("date", e))?,
        None => return Err(ApiError::validation("date", "is required")),
    };
    if beyond_horizon(day, Utc::now().date_naive()) {
        return Err(ApiError::validation(
            "date",
            format!("must be within the next {BOOKING_HORIZON_DAYS} days"),
        ));
    }
    let id = doctor_id.into_inner();
    let slots = with_conn(&pool, move |conn| availability::free_slots(conn, id, day)).await?;
    Ok(web::Json(
        slots
            .into_iter()
            .map(|s| SlotView {
                start: s.start,
                end: s.end,
            })
            .collect(),
    ))
}
