//! The public directory: `GET /doctors/`, `GET /doctors/{doctor_id}` and
//! `GET /doctors/{doctor_id}/slots?date=`. Callers: anyone, no token needed.

use super::views::{ProfileView, SlotView};
use crate::db::{appointments, profiles};
use crate::domain::schedule::{day_bounds, day_slots};
use actix_web::{HttpResponse, web};
use chrono::Utc;
use common::ApiError;
use common::db::{DbPool, with_conn};
use common::http::paged;
use common::validation::{Paging, Validator, date};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct DirectoryQuery {
    specialization: Option<String>,
    location: Option<String>,
    q: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
}

fn search_term(raw: Option<String>) -> Option<String> {
    raw.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// `GET /doctors/`: case-insensitive substring filters; `q` matches the doctor's name.
pub async fn directory(
    pool: web::Data<DbPool>,
    query: web::Query<DirectoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let mut v = Validator::new();
    let paging = Paging::parse(&mut v, query.limit.as_deref(), query.offset.as_deref())
        .ok_or_else(|| v.into_error())?;
    let filter = profiles::DirectoryFilter {
        specialization: search_term(query.specialization),
        location: search_term(query.location),
        name: search_term(query.q),
    };
    let (items, total) = with_conn(&pool, move |conn| {
        Ok(profiles::directory(conn, &filter, paging)?)
    })
    .await?;
    let views: Vec<ProfileView> = items.into_iter().map(Into::into).collect();
    Ok(paged(&views, total))
}

/// `GET /doctors/{doctor_id}`: by the doctor's user id (or the profile id).
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

#[derive(Debug, Deserialize)]
pub struct SlotsQuery {
    date: Option<String>,
}

/// `GET /doctors/{doctor_id}/slots?date=YYYY-MM-DD` (the doctor's local date): the free,
/// still-future slots of that day in order, in UTC; `[]` on a day off.
pub async fn free_slots(
    pool: web::Data<DbPool>,
    doctor_id: web::Path<uuid::Uuid>,
    query: web::Query<SlotsQuery>,
) -> Result<web::Json<Vec<SlotView>>, ApiError> {
    let day = match query.into_inner().date {
        Some(raw) => date(&raw).map_err(|e| ApiError::validation("date", e))?,
        None => return Err(ApiError::validation("date", "is required")),
    };
    let id = doctor_id.into_inner();
    let slots = with_conn(&pool, move |conn| {
        let profile = profiles::find_by_any_id(conn, id)?.ok_or(ApiError::NotFound("doctor"))?;
        let availability = profile.availability();
        let slots = day_slots(&availability, day);
        if slots.is_empty() {
            return Ok(slots);
        }
        let (from, to) = day_bounds(&availability, day);
        let booked = appointments::booked_between(conn, profile.user_id, from, to)?;
        let now = Utc::now();
        Ok(slots
            .into_iter()
            .filter(|slot| slot.start > now)
            .filter(|slot| {
                !booked
                    .iter()
                    .any(|(start, end)| slot.overlaps(*start, *end))
            })
            .collect())
    })
    .await?;
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
