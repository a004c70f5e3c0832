//! A doctor's date overrides: one local date's hours instead of the weekly rule.

use super::models::HoursOverride;
use super::schema::doctor_hours_overrides as overrides;
use crate::domain::schedule::DayOverride;
use chrono::NaiveDate;
use common::UserId;
use diesel::prelude::*;
use std::collections::BTreeMap;

/// Sets the date's hours, replacing what an earlier override said.
pub fn upsert(conn: &mut PgConnection, row: &HoursOverride) -> QueryResult<HoursOverride> {
    diesel::insert_into(overrides::table)
        .values(row)
        .on_conflict((overrides::doctor_id, overrides::on_date))
        .do_update()
        .set((
            overrides::available_from.eq(row.available_from),
            overrides::available_to.eq(row.available_to),
            overrides::updated_at.eq(row.updated_at),
        ))
        .returning(HoursOverride::as_returning())
        .get_result(conn)
}

/// The doctor's overrides of dates `first..=last`, by date.
pub fn list(
    conn: &mut PgConnection,
    doctor: UserId,
    first: NaiveDate,
    last: NaiveDate,
) -> QueryResult<Vec<HoursOverride>> {
    overrides::table
        .filter(overrides::doctor_id.eq(doctor))
        .filter(overrides::on_date.between(first, last))
        .order(overrides::on_date.asc())
        .select(HoursOverride::as_select())
        .load(conn)
}

/// The same, as the calendar reads them.
pub fn by_date(
    conn: &mut PgConnection,
    doctor: UserId,
    first: NaiveDate,
    last: NaiveDate,
) -> QueryResult<BTreeMap<NaiveDate, DayOverride>> {
    Ok(list(conn, doctor, first, last)?
        .into_iter()
        .map(|o| (o.on_date, o.hours()))
        .collect())
}

/// Back to the weekly rule; `false` when the date had no override.
pub fn delete(conn: &mut PgConnection, doctor: UserId, date: NaiveDate) -> QueryResult<bool> {
    let deleted = diesel::delete(
        overrides::table
            .filter(overrides::doctor_id.eq(doctor))
            .filter(overrides::on_date.eq(date)),
    )
    .execute(conn)?;
    Ok(deleted > 0)
}
