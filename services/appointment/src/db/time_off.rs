//! A doctor's ranges of time off.

use super::models::TimeOff;
use super::schema::doctor_time_off;
use crate::domain::schedule::Span;
use chrono::{DateTime, Utc};
use common::UserId;
use common::ids::TimeOffId;
use diesel::prelude::*;

pub fn insert(conn: &mut PgConnection, time_off: &TimeOff) -> QueryResult<TimeOff> {
    diesel::insert_into(doctor_time_off::table)
        .values(time_off)
        .returning(TimeOff::as_returning())
        .get_result(conn)
}

/// The doctor's time off overlapping `[from, to)` (`to` open when absent), by start.
pub fn list(
    conn: &mut PgConnection,
    doctor: UserId,
    from: DateTime<Utc>,
    to: Option<DateTime<Utc>>,
) -> QueryResult<Vec<TimeOff>> {
    let mut query = doctor_time_off::table
        .filter(doctor_time_off::doctor_id.eq(doctor))
        .filter(doctor_time_off::ends_at.gt(from))
        .into_boxed();
    if let Some(to) = to {
        query = query.filter(doctor_time_off::starts_at.lt(to));
    }
    query
        .order((doctor_time_off::starts_at.asc(), doctor_time_off::id.asc()))
        .select(TimeOff::as_select())
        .load(conn)
}

/// The ranges of the doctor's time off overlapping `within`.
pub fn spans(conn: &mut PgConnection, doctor: UserId, within: Span) -> QueryResult<Vec<Span>> {
    Ok(list(conn, doctor, within.start, Some(within.end))?
        .iter()
        .map(TimeOff::span)
        .collect())
}

/// Deletes the doctor's own time off; `None` when they have none with that id.
pub fn delete(
    conn: &mut PgConnection,
    doctor: UserId,
    id: TimeOffId,
) -> QueryResult<Option<TimeOff>> {
    diesel::delete(
        doctor_time_off::table
            .filter(doctor_time_off::id.eq(id))
            .filter(doctor_time_off::doctor_id.eq(doctor)),
    )
    .returning(TimeOff::as_returning())
    .get_result(conn)
    .optional()
}
