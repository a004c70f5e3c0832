//! `POST /appointments` (patients), `GET /appointments` and `GET /appointments/{id}`
//! (its patient, its doctor, admins; anyone else gets 404, as for a missing id).

use super::views::AppointmentView;
use crate::SERVICE_NAME;
use crate::config::HoldSettings;
use crate::db::appointments::{self, ListFilter};
use crate::domain::appointment::{BookingForm, Status};
use crate::domain::calendar::CalendarSettings;
use crate::usecases::booking;
use actix_web::{HttpRequest, HttpResponse, web};
use common::audit::{AuditContext, PatientOfRequest};
use common::auth::{AuthenticatedUser, TokenNames, VerifiedCaller};
use common::calendar::TEXT_CALENDAR;
use common::db::{DbPool, with_conn};
use common::http::paged_records;
use common::idempotency::{IdempotencyKey, Scope, create_once};
use common::ids::AppointmentId;
use common::negotiation::prefers;
use common::problem_responses::{Forbidden, Invalid, Malformed, NotFound, Unauthenticated};
use common::validation::{Paging, Validator, parse_body, timestamp};
use common::{ApiError, Role};
use serde::Deserialize;

/// `POST /appointments`: see `usecases::booking::book` for the rules; `"hold": true` keeps
/// the slot as `held` for HOLD_TTL_SECONDS until confirmed; honours `Idempotency-Key`.
#[utoipa::path(post, path = "/appointments", operation_id = "book_appointment", tag = "appointments",
    security(("bearer" = [])),
    request_body = BookingForm, params(("Idempotency-Key" = Option<String>, Header, description = "Retry safely: same key and body replays the first answer")),
    responses(
        (status = 201, description = "Booked, or held with hold_expires_at", body = AppointmentView),
        Malformed,
        Unauthenticated,
        Forbidden,
        (status = 404, description = "The doctor has no profile", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Overlaps a booked appointment of the doctor or the patient, or one more than the doctor's max_daily_bookings_per_patient that local day (type .../daily-booking-limit)", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named in errors; appointment_time outside the doctor's calendar names the rule in detail: in the past, sooner than the notice, beyond the horizon, closed that day, outside the hours, in a break or in time off", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn book(
    pool: web::Data<DbPool>,
    holds: web::Data<HoldSettings>,
    VerifiedCaller(caller): VerifiedCaller,
    name: TokenNames,
    audit: AuditContext,
    key: IdempotencyKey,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Patient])?;
    let body = body.into_inner();
    let idempotency = key.bind(Scope::user(caller.id), SERVICE_NAME.as_bytes(), &body)?;
    let booking = parse_body::<BookingForm>(body)?.validate()?;
    create_once(&pool, idempotency, move |conn| {
        booking::book(conn, &caller, &name, &audit, &booking, &holds).map(AppointmentView::from)
    })
    .await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[param(value_type = Option<Status>)]
    status: Option<String>,
    /// Start time from (inclusive), RFC 3339
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    from: Option<String>,
    /// Start time before (exclusive), RFC 3339
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    to: Option<String>,
    /// 1 to 200 (default 50)
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    limit: Option<String>,
    /// 0 or more (default 0)
    #[param(value_type = Option<i64>, minimum = 0)]
    offset: Option<String>,
}

/// `GET /appointments?status=&from=&to=&limit=&offset=`: the caller's own (all for admins),
/// ordered by time; `from` inclusive, `to` exclusive, on the start time.
#[utoipa::path(get, path = "/appointments", operation_id = "list_appointments", tag = "appointments",
    security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "Ordered by time; the total before paging in X-Total-Count", body = Vec<AppointmentView>),
        Unauthenticated,
        Invalid))]
pub async fn list(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let mut v = Validator::new();
    let status = query.status.map(|s| v.check("status", Status::parse(&s)));
    let from = query.from.map(|s| v.check("from", timestamp(s)));
    let to = query.to.map(|s| v.check("to", timestamp(s)));
    let paging = Paging::parse(&mut v, query.limit.as_deref(), query.offset.as_deref());
    let (Some(paging), true) = (paging, v.is_valid()) else {
        return Err(v.into_error());
    };
    let filter = ListFilter {
        statuses: status.flatten().into_iter().collect(),
        from: from.flatten(),
        to: to.flatten(),
        ..ListFilter::default()
    };
    let visibility = caller.visibility();
    let (items, total) = with_conn(&pool, move |conn| {
        Ok(appointments::list(conn, visibility, &filter, paging)?)
    })
    .await?;
    let views: Vec<AppointmentView> = items.into_iter().map(Into::into).collect();
    Ok(paged_records(&views, total, |a| a.id.to_string()))
}

/// `GET /appointments/{id}`.
#[utoipa::path(get, path = "/appointments/{id}", operation_id = "get_appointment", tag = "appointments",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "The appointment. A request whose Accept prefers text/calendar gets it as GET /appointments/{id}/ics answers it", body = AppointmentView),
        Unauthenticated,
        NotFound))]
pub async fn get(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    calendar: web::Data<CalendarSettings>,
    caller: AuthenticatedUser,
    id: web::Path<AppointmentId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let text_calendar = TEXT_CALENDAR
        .parse()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("the calendar media type: {e}")))?;
    if prefers(&req, &text_calendar, &actix_web::mime::APPLICATION_JSON) {
        return super::calendars::appointment_ics(&req, &pool, calendar, caller, id).await;
    }
    let visibility = caller.visibility();
    let appointment = with_conn(&pool, move |conn| {
        appointments::find_visible(conn, id, visibility, false)?
            .ok_or(ApiError::NotFound("appointment"))
    })
    .await?;
    PatientOfRequest::note(&req, appointment.patient_id);
    Ok(HttpResponse::Ok().json(AppointmentView::from(appointment)))
}

/// `POST /appointments/{id}/confirm` (its patient): a hold becomes `booked`. Expired or not
/// held -> 409; its doctor or an admin -> 403; anyone else -> 404.
#[utoipa::path(post, path = "/appointments/{id}/confirm", operation_id = "confirm_hold", tag = "appointments",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "Booked", body = AppointmentView),
        Unauthenticated, Forbidden, NotFound,
        (status = 409, description = "Not held, or the hold expired", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn confirm(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    audit: AuditContext,
    id: web::Path<AppointmentId>,
) -> Result<web::Json<AppointmentView>, ApiError> {
    let id = id.into_inner();
    let booked = with_conn(&pool, move |conn| {
        crate::usecases::holds::confirm(conn, &caller, &audit, id)
    })
    .await?;
    Ok(web::Json(booked.into()))
}
