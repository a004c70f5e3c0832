//! The doctor's own calendar beyond the weekly rule: `POST/GET /doctors/profile/time-off`,
//! `DELETE /doctors/profile/time-off/{id}`, `GET /doctors/profile/hours` and
//! `PUT/DELETE /doctors/profile/hours/{date}`. Callers: doctors, for their own calendar;
//! writing it needs an admin's approval of the account (403 before) and a profile (404).

use super::views::{CreatedTimeOffView, HoursOverrideView, TimeOffView};
use crate::SERVICE_NAME;
use crate::db::{overrides, time_off as time_off_rows};
use crate::domain::overrides::HoursForm;
use crate::domain::schedule::beyond_any_horizon;
use crate::domain::time_off::TimeOffForm;
use crate::usecases::{hours, time_off};
use actix_web::{HttpResponse, web};
use chrono::{Duration, NaiveDate, Utc};
use common::audit::AuditContext;
use common::auth::AuthenticatedUser;
use common::db::{DbPool, with_conn};
use common::http::paged;
use common::idempotency::{IdempotencyKey, Scope, create_once};
use common::ids::TimeOffId;
use common::problem_responses::{Forbidden, Invalid, Malformed, NotFound, Unauthenticated};
use common::validation::{Validator, date, parse_body, timestamp};
use common::{ApiError, Role};
use serde::Deserialize;

/// A date range of at most this many days for `GET /doctors/profile/hours`.
const MAX_LISTED_DAYS: i64 = 366;

/// `POST /doctors/profile/time-off` -> 201. Booked appointments inside it (that have not
/// ended) -> 409 with their ids in `conflicts`, nothing written; with
/// `cancel_appointments: true` they are cancelled in the same transaction and listed in
/// `cancelled`. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/doctors/profile/time-off", operation_id = "add_time_off", tag = "calendar",
    security(("bearer" = [])),
    request_body = TimeOffForm, params(("Idempotency-Key" = Option<String>, Header, description = "Retry safely: same key and body replays the first answer")),
    responses(
        (status = 201, description = "The time off, and the appointments it cancelled", body = CreatedTimeOffView),
        Malformed, Unauthenticated, Forbidden,
        (status = 404, description = "No doctor profile yet", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Booked appointments inside (type .../stranded-appointments, their ids in conflicts)", body = common::error::Problem, content_type = "application/problem+json"),
        Invalid))]
pub async fn add_time_off(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    audit: AuditContext,
    key: IdempotencyKey,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Doctor])?;
    caller.require_approved()?;
    let body = body.into_inner();
    let idempotency = key.bind(Scope::user(caller.id), SERVICE_NAME.as_bytes(), &body)?;
    let request = parse_body::<TimeOffForm>(body)?.validate(Utc::now())?;
    create_once(&pool, idempotency, move |conn| {
        let (created, cancelled) = time_off::create(conn, &caller, &audit, &request)?;
        Ok(CreatedTimeOffView {
            time_off: created.into(),
            cancelled,
        })
    })
    .await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimeOffQuery {
    /// Time off ending after this: RFC 3339, or a date for its start (UTC); default now,
    /// so ongoing and upcoming time off
    #[param(value_type = Option<String>)]
    from: Option<String>,
    /// Time off starting before this: RFC 3339, or a date for its end (UTC, inclusive);
    /// default no end
    #[param(value_type = Option<String>)]
    to: Option<String>,
}

/// A bound of `GET /doctors/profile/time-off`: an instant, or a whole UTC date (its first
/// instant as `from`, the next midnight as `to`, so `from=D&to=D` is that day).
fn bound(raw: String, is_end: bool) -> Result<chrono::DateTime<Utc>, String> {
    if let Ok(day) = date(&raw) {
        let day = if is_end {
            day.succ_opt().unwrap_or(day)
        } else {
            day
        };
        return Ok(day.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    timestamp(raw).map_err(|_| {
        format!(
            "must be a date (YYYY-MM-DD) or {}",
            common::validation::TIMESTAMP_RULE.trim_start_matches("must be ")
        )
    })
}

/// `GET /doctors/profile/time-off?from=&to=`: the caller's time off overlapping the range,
/// by start.
#[utoipa::path(get, path = "/doctors/profile/time-off", operation_id = "list_time_off", tag = "calendar",
    security(("bearer" = [])),
    params(TimeOffQuery),
    responses(
        (status = 200, description = "Ordered by start (not paged: the range bounds it); the count in X-Total-Count", body = Vec<TimeOffView>),
        Unauthenticated, Forbidden, Invalid))]
pub async fn list_time_off(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    query: web::Query<TimeOffQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Doctor])?;
    let query = query.into_inner();
    let mut v = Validator::new();
    let from = query.from.map(|s| v.check("from", bound(s, false)));
    let to = query.to.map(|s| v.check("to", bound(s, true)));
    v.finish()?;
    let from = from.flatten().unwrap_or_else(Utc::now);
    let rows = with_conn(&pool, move |conn| {
        Ok(time_off_rows::list(conn, caller.id, from, to.flatten())?)
    })
    .await?;
    let views: Vec<TimeOffView> = rows.into_iter().map(Into::into).collect();
    Ok(paged(
        &views,
        i64::try_from(views.len()).unwrap_or(i64::MAX),
    ))
}

/// `DELETE /doctors/profile/time-off/{id}` -> 204; its slots are offered again.
#[utoipa::path(delete, path = "/doctors/profile/time-off/{id}", operation_id = "delete_time_off", tag = "calendar",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 204, description = "Removed"),
        Unauthenticated, Forbidden, NotFound))]
pub async fn delete_time_off(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    audit: AuditContext,
    id: web::Path<TimeOffId>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Doctor])?;
    caller.require_approved()?;
    let id = id.into_inner();
    with_conn(&pool, move |conn| {
        time_off::delete(conn, &caller, &audit, id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A path's date: today or later (checked in the doctor's zone), within the horizon.
fn override_date(raw: &str) -> Result<NaiveDate, ApiError> {
    let day = date(raw).map_err(|e| ApiError::validation("date", e))?;
    if beyond_any_horizon(day, Utc::now().date_naive()) {
        return Err(ApiError::validation(
            "date",
            "must be within the next 730 days",
        ));
    }
    Ok(day)
}

/// `PUT /doctors/profile/hours/{date}`: that local date's hours instead of the weekly rule
/// (`{available_from, available_to}`, also on a non-working day) or `{closed: true}`.
/// Booked appointments it would leave outside -> 409 with their ids in `conflicts`.
#[utoipa::path(put, path = "/doctors/profile/hours/{date}", operation_id = "set_date_hours", tag = "calendar",
    security(("bearer" = [])),
    params(("date" = chrono::NaiveDate, Path, description = "The doctor's local date, today or later")),
    request_body = HoursForm,
    responses(
        (status = 200, description = "The date's hours", body = HoursOverrideView),
        Malformed, Unauthenticated, Forbidden,
        (status = 404, description = "No doctor profile yet", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Booked appointments outside the new hours (type .../stranded-appointments, their ids in conflicts)", body = common::error::Problem, content_type = "application/problem+json"),
        Invalid))]
pub async fn set_hours(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    audit: AuditContext,
    day: web::Path<String>,
    body: web::Json<HoursForm>,
) -> Result<web::Json<HoursOverrideView>, ApiError> {
    caller.require(&[Role::Doctor])?;
    caller.require_approved()?;
    let day = override_date(&day)?;
    let day_hours = body.into_inner().validate()?;
    let saved = with_conn(&pool, move |conn| {
        hours::set(conn, &caller, &audit, day, day_hours)
    })
    .await?;
    Ok(web::Json(saved.into()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HoursQuery {
    /// First date, YYYY-MM-DD (default today, UTC)
    #[param(value_type = Option<chrono::NaiveDate>)]
    from: Option<String>,
    /// Last date, inclusive, at most 366 days after from (default from + 365 days)
    #[param(value_type = Option<chrono::NaiveDate>)]
    to: Option<String>,
}

/// `GET /doctors/profile/hours?from=&to=`: the caller's date overrides in the range, by date.
#[utoipa::path(get, path = "/doctors/profile/hours", operation_id = "list_date_hours", tag = "calendar",
    security(("bearer" = [])),
    params(HoursQuery),
    responses(
        (status = 200, description = "By date (not paged: at most 366 dates); the count in X-Total-Count", body = Vec<HoursOverrideView>),
        Unauthenticated, Forbidden, Invalid))]
pub async fn list_hours(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    query: web::Query<HoursQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Doctor])?;
    let query = query.into_inner();
    let mut v = Validator::new();
    let first = query.from.map(|s| v.check("from", date(&s)));
    let last = query.to.map(|s| v.check("to", date(&s)));
    v.finish()?;
    let first = first.flatten().unwrap_or_else(|| Utc::now().date_naive());
    let last = last
        .flatten()
        .unwrap_or(first + Duration::days(MAX_LISTED_DAYS - 1));
    if last < first {
        return Err(ApiError::validation("to", "must not be before from"));
    }
    if last - first >= Duration::days(MAX_LISTED_DAYS) {
        return Err(ApiError::validation(
            "to",
            "must be at most 366 days after from",
        ));
    }
    let rows = with_conn(&pool, move |conn| {
        Ok(overrides::list(conn, caller.id, first, last)?)
    })
    .await?;
    let views: Vec<HoursOverrideView> = rows.into_iter().map(Into::into).collect();
    Ok(paged(
        &views,
        i64::try_from(views.len()).unwrap_or(i64::MAX),
    ))
}

/// `DELETE /doctors/profile/hours/{date}` -> 204: back to the weekly rule.
#[utoipa::path(delete, path = "/doctors/profile/hours/{date}", operation_id = "clear_date_hours", tag = "calendar",
    security(("bearer" = [])),
    params(("date" = chrono::NaiveDate, Path)),
    responses(
        (status = 204, description = "Back to the weekly rule"),
        Unauthenticated, Forbidden, NotFound, Invalid))]
pub async fn clear_hours(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    audit: AuditContext,
    day: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Doctor])?;
    caller.require_approved()?;
    let day = date(&day).map_err(|e| ApiError::validation("date", e))?;
    with_conn(&pool, move |conn| hours::clear(conn, &caller, &audit, day)).await?;
    Ok(HttpResponse::NoContent().finish())
}
