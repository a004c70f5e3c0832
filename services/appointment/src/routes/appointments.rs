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
use common::audit::{AuditContext, Outcome, PatientOfRequest, store as audit_store};
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
    let fingerprint = idempotency::fingerprint(SERVICE_NAME.as_bytes(), &body);
    let form: BookingForm = serde_json::from_value(body)
        .map_err(|e| ApiError::validation("body", format!("unexpected shape: {e}")))?;
    let booking = form.validate()?;
    let (stored, replayed) = with_conn(&pool, move |conn| {
        conn.transaction::<_, ApiError, _>(|conn| {
            if let Some((scope, key)) = &idempotency {
                match idempotency::begin(conn, scope, key, &fingerprint)? {
                    Lookup::Replay(stored) => return Ok((stored, true)),
                    Lookup::Mismatch => {
                        return Err(ApiError::validation(
                            idempotency::HEADER,
                            "was already used with a different request body",
                        ));
                    }
                    Lookup::New => {}
                }
            }
            let profile = profiles::find_by_user(conn, booking.doctor_id)?
                .ok_or(ApiError::NotFound("doctor"))?;
            let availability = profile.availability();
            let length = Duration::minutes(i64::from(profile.slot_minutes));
            let end =
                bookable_end(&availability, booking.start, length, Utc::now()).map_err(|why| {
                    ApiError::validation("appointment_time", why.message(&availability))
                })?;
            let appointment = appointments::insert(
                conn,
                &NewAppointment {
                    id: AppointmentId::new(),
                    patient_id: caller.id,
                    doctor_id: booking.doctor_id,
                    appointment_time: booking.start,
                    end_time: end,
                    status: StatusColumn(Status::Booked),
                    notes: booking.notes.clone(),
                },
            )
            .map_err(overlap_conflict)?;
            let event = audit.event(
                Some(&caller),
                "appointment.create",
                "appointment",
                Some(appointment.id.to_string()),
                Some(appointment.patient_id),
                Outcome::Success,
            );
            audit_store::append(conn, &[event])?;
            let created = StoredResponse {
                status: 201,
                body: serde_json::to_value(AppointmentView::from(appointment))
                    .map_err(|e| ApiError::Internal(e.into()))?,
            };
            if let Some((scope, key)) = &idempotency {
                idempotency::record(conn, scope, key, &fingerprint, &created)?;
            }
            Ok((created, false))
        })
    })
    .await?;
    Ok(if replayed {
        stored.replay()
    } else {
        HttpResponse::Created().json(stored.body)
    })
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
}

/// `GET /appointments?status=&from=&to=&limit=&offset=`: the caller's own (all for admins),
/// ordered by time; `from` inclusive, `to` exclusive, on the start time.
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
