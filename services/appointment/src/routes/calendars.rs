//! Appointments for calendar apps (contract part 3, section 15): `GET /appointments/{id}/ics`
//! (or `GET /appointments/{id}` with `Accept: text/calendar`) for "add to calendar", and a
//! private feed: `POST /calendar-feeds` (a patient or a doctor) makes its URL, `DELETE
//! /calendar-feeds` ends it, and `GET /calendar-feeds/{secret}.ics` answers whoever holds
//! the URL, since calendar apps send no token.

use crate::domain::calendar::CalendarSettings;
use crate::usecases::calendar;
use actix_web::{HttpRequest, HttpResponse, web};
use common::ApiError;
use common::audit::{AuditContext, PatientOfRequest};
use common::auth::AuthenticatedUser;
use common::calendar::TEXT_CALENDAR;
use common::db::{DbPool, with_conn};
use common::ids::AppointmentId;
use common::problem_responses::{Forbidden, NotFound, Unauthenticated};
use serde::Serialize;

/// A calendar answer: never cached by anyone but its reader (it holds visits).
fn calendar_response(ics: String, filename: Option<String>) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    response
        .content_type(format!("{TEXT_CALENDAR}; charset=utf-8"))
        .insert_header(("Cache-Control", "no-store"));
    if let Some(filename) = filename {
        response.insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{filename}\""),
        ));
    }
    response.body(ics)
}

/// One appointment as a calendar with one event (shared by `GET /appointments/{id}` when
/// `Accept` prefers `text/calendar`).
pub(super) async fn appointment_ics(
    req: &HttpRequest,
    pool: &DbPool,
    settings: web::Data<CalendarSettings>,
    caller: AuthenticatedUser,
    id: AppointmentId,
) -> Result<HttpResponse, ApiError> {
    let (patient, ics) = with_conn(pool, move |conn| {
        calendar::single(conn, &caller, id, &settings)
    })
    .await?;
    PatientOfRequest::note(req, patient);
    Ok(calendar_response(
        ics,
        Some(format!("appointment-{id}.ics")),
    ))
}

#[utoipa::path(get, path = "/appointments/{id}/ics", operation_id = "get_appointment_ics", tag = "appointments",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "The appointment as an RFC 5545 calendar with one VEVENT: UID <id>@<host>, DTSTART and DTEND in UTC, SUMMARY naming the doctor, LOCATION, STATUS (TENTATIVE for a hold, CONFIRMED, CANCELLED), SEQUENCE growing with each reschedule or status change; never the notes", body = String, content_type = "text/calendar"),
        Unauthenticated,
        NotFound))]
pub async fn ics(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    settings: web::Data<CalendarSettings>,
    caller: AuthenticatedUser,
    id: web::Path<AppointmentId>,
) -> Result<HttpResponse, ApiError> {
    appointment_ics(&req, &pool, settings, caller, id.into_inner()).await
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CalendarFeed {
    /// The feed's address; anyone holding it reads the feed, so keep it private. A new
    /// `POST` replaces it, `DELETE` ends it.
    url: String,
}

#[utoipa::path(post, path = "/calendar-feeds", operation_id = "create_calendar_feed", tag = "calendar-feeds",
    security(("bearer" = [])),
    responses(
        (status = 201, description = "A new private feed URL of the caller's appointments (from 30 days back), replacing the one they had", body = CalendarFeed),
        Unauthenticated,
        Forbidden))]
pub async fn create_feed(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    audit: AuditContext,
) -> Result<HttpResponse, ApiError> {
    let secret = with_conn(&pool, move |conn| calendar::new_feed(conn, &caller, &audit)).await?;
    let url = format!(
        "{}/calendar-feeds/{secret}.ics",
        common::http::public_base(&req)
    );
    Ok(HttpResponse::Created()
        .insert_header(("Location", url.clone()))
        .insert_header(("Cache-Control", "no-store"))
        .json(CalendarFeed { url }))
}

#[utoipa::path(delete, path = "/calendar-feeds", operation_id = "delete_calendar_feed", tag = "calendar-feeds",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The feed is ended: its URL answers 404"),
        Unauthenticated,
        Forbidden,
        NotFound))]
pub async fn delete_feed(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    audit: AuditContext,
) -> Result<HttpResponse, ApiError> {
    with_conn(&pool, move |conn| calendar::end_feed(conn, &caller, &audit)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(get, path = "/calendar-feeds/{file}", operation_id = "read_calendar_feed", tag = "calendar-feeds",
    params(("file" = String, Path, description = "<secret>.ics, as POST /calendar-feeds gave it")),
    responses(
        (status = 200, description = "No token: the secret is the key. The owner's visits from 30 days back, at most 2000 (cancelled ones as STATUS:CANCELLED, so calendars remove them); a patient's name the doctor; a doctor's no patient unless CALENDAR_FEED_PATIENT_NAMES", body = String, content_type = "text/calendar"),
        NotFound))]
pub async fn read_feed(
    pool: web::Data<DbPool>,
    settings: web::Data<CalendarSettings>,
    audit: AuditContext,
    file: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let secret = file
        .into_inner()
        .strip_suffix(".ics")
        .map(str::to_owned)
        .ok_or(ApiError::NotFound("calendar feed"))?;
    let ics = with_conn(&pool, move |conn| {
        calendar::feed(conn, &secret, &audit, &settings)
    })
    .await?;
    Ok(calendar_response(ics, None))
}
