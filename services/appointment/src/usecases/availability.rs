//! A doctor's free slots on one of their local days.

use crate::db::{appointments, profiles};
use crate::domain::schedule::{Slot, day_bounds, day_slots};
use chrono::{NaiveDate, Utc};
use common::ApiError;
use diesel::PgConnection;

/// The doctor's whole slots on `day` (their local date) that are still ahead and overlap
/// no booked appointment, in order. The doctor is named by user id or profile id; an
/// unknown one is a 404.
pub fn free_slots(
    conn: &mut PgConnection,
    doctor: uuid::Uuid,
    day: NaiveDate,
) -> Result<Vec<Slot>, ApiError> {
    let profile = profiles::find_by_any_id(conn, doctor)?.ok_or(ApiError::NotFound("doctor"))?;
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
}
