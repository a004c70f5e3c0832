//! `POST /appointments` (patients), `GET /appointments` and `GET /appointments/{id}`
//! (its patient, its doctor, admins; anyone else gets 404, as for a missing id).

use super::views::AppointmentView;
use crate::SERVICE_NAME;
use crate::db::appointments::{self, ListFilter, overlap_conflict};
use crate::db::models::{NewAppointment, StatusColumn};
use crate::db::profiles;
use crate::domain::appointment::{BookingForm, Status};
use crate::domain::schedule::bookable_end;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{Duration, Utc};
use common::audit::{AuditContext, Outcome, PatientOfRequest};
use common::auth::AuthenticatedUser;
use common::db::{DbPool, with_conn};
use common::http::paged;
use common::idempotency::{self, Lookup, Scope, StoredResponse};
use common::ids::AppointmentId;
use common::validation::{Paging, Validator, timestamp};
use common::{ApiError, Role};
use diesel::Connection;
use serde::Deserialize;

/// `POST /appointments`: the doctor must have a profile (404), the time must be bookable
/// (422), and neither the doctor's nor the patient's calendar may overlap (409, enforced
/// by the database under any concurrency). One transaction: profile read, insert, and the
/// idempotency record.
#[utoipa::path(post, path = "/appointments", tag = "appointments",
    security(("bearer" = [])),
    request_body = BookingForm, params(("Idempotency-Key" = Option<String>, Header, description = "Retry safely: same key and body replays the first answer")),
    responses(
        (status = 201, body = AppointmentView),
        (status = 400, description = "Malformed JSON or wrong content type", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, invalid or expired access token", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller's role may not do this", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "The doctor has no profile", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Overlaps a booked appointment of the doctor or the patient", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named in errors: appointment_time in the past, more than 730 days ahead, on a day off or outside the doctor's hours", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn book(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    audit: AuditContext,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Patient])?;
    let idempotency = idempotency::key_from(&req)?.map(|key| (Scope(caller.id.to_string()), key));
    let body = body.into_inner();
    // Only a keyed request is ever compared: no canonical JSON and HMAC for the rest.
    let fingerprint = if idempotency.is_some() {
        idempotency::fingerprint(SERVICE_NAME.as_bytes(), &body)
    } else {
        Vec::new()
    };
    let form: BookingForm = serde_json::from_value(body)
        .map_err(|e| ApiError::validation("body", format!("unexpected shape: {e}")))?;
    let booking = form.validate()?;
    let keyed = idempotency.is_some();
    let work = move |conn: &mut diesel::PgConnection| -> Result<(StoredResponse, bool), ApiError> {
        if let Some((scope, key)) = &idempotency {
            match idempotency::begin(conn, scope, key, &fingerprint)? {
                Lookup::Replay(stored) => return Ok((stored, true)),
                Lookup::Mismatch => return Err(idempotency::mismatch()),
                Lookup::New => {}
            }
        }
        let profile =
            profiles::find_by_user(conn, booking.doctor_id)?.ok_or(ApiError::NotFound("doctor"))?;
        let availability = profile.availability();
        let length = Duration::minutes(i64::from(profile.slot_minutes));
        let end = bookable_end(&availability, booking.start, length, Utc::now())
            .map_err(|why| ApiError::validation("appointment_time", why.message(&availability)))?;
        let id = AppointmentId::new();
        let event = audit.event(
            Some(&caller),
            "appointment.create",
            "appointment",
            Some(id.to_string()),
            Some(caller.id),
            Outcome::Success,
        );
        let appointment = appointments::insert_audited(
            conn,
            &NewAppointment {
                id,
                patient_id: caller.id,
                doctor_id: booking.doctor_id,
                appointment_time: booking.start,
                end_time: end,
                status: StatusColumn(Status::Booked),
                notes: booking.notes.clone(),
            },
            &event,
        )
        .map_err(overlap_conflict)?;
        let created = StoredResponse {
            status: 201,
            body: serde_json::to_value(AppointmentView::from(appointment))
                .map_err(|e| ApiError::Internal(e.into()))?,
        };
        if let Some((scope, key)) = &idempotency {
            idempotency::record(conn, scope, key, &fingerprint, &created)?;
        }
        Ok((created, false))
    };
    // Without a key the booking is one statement (appointment and audit event together),
    // atomic on its own; with a key, the key's record must commit with it.
    let (stored, replayed) = with_conn(&pool, move |conn| {
        if keyed {
            conn.transaction(work)
        } else {
            work(conn)
        }
    })
    .await?;
    Ok(if replayed {
        stored.replay()
    } else {
        HttpResponse::Created().json(stored.body)
    })
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
    #[param(value_type = Option<i64>)]
    limit: Option<String>,
    /// 0 or more (default 0)
    #[param(value_type = Option<i64>)]
    offset: Option<String>,
}

/// `GET /appointments?status=&from=&to=&limit=&offset=`: the caller's own (all for admins),
/// ordered by time; `from` inclusive, `to` exclusive, on the start time.
#[utoipa::path(get, path = "/appointments", tag = "appointments",
    security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "Ordered by time; the total before paging in X-Total-Count", body = Vec<AppointmentView>),
        (status = 401, description = "Missing, invalid or expired access token", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named in errors", body = common::error::Problem, content_type = "application/problem+json")))]
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
        status: status.flatten(),
        from: from.flatten(),
        to: to.flatten(),
    };
    let visibility = caller.visibility();
    let (items, total) = with_conn(&pool, move |conn| {
        Ok(appointments::list(conn, visibility, &filter, paging)?)
    })
    .await?;
    let views: Vec<AppointmentView> = items.into_iter().map(Into::into).collect();
    Ok(paged(&views, total))
}

/// `GET /appointments/{id}`.
#[utoipa::path(get, path = "/appointments/{id}", tag = "appointments",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 200, body = AppointmentView),
        (status = 401, description = "Missing, invalid or expired access token", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing, or not the caller's", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn get(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    id: web::Path<AppointmentId>,
) -> Result<web::Json<AppointmentView>, ApiError> {
    let id = id.into_inner();
    let visibility = caller.visibility();
    let appointment = with_conn(&pool, move |conn| {
        appointments::find_visible(conn, id, visibility, false)?
            .ok_or(ApiError::NotFound("appointment"))
    })
    .await?;
    PatientOfRequest::note(&req, appointment.patient_id);
    Ok(web::Json(appointment.into()))
}
