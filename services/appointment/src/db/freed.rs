//! Time a doctor's calendar gave back, queued for the waitlist's offer pass.

use super::schema::freed_time;
use crate::domain::schedule::Span;
use common::UserId;
use diesel::prelude::*;

/// Queues `span` of `doctor`'s calendar, in the transaction that frees it.
pub fn queue(conn: &mut PgConnection, doctor: UserId, span: Span) -> QueryResult<()> {
    diesel::insert_into(freed_time::table)
        .values((
            freed_time::doctor_id.eq(doctor),
            freed_time::starts_at.eq(span.start),
            freed_time::ends_at.eq(span.end),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The oldest queued span no other replica is working on, locked until the transaction
/// ends (and deleted by it).
pub fn claim(conn: &mut PgConnection) -> QueryResult<Option<(i64, UserId, Span)>> {
    let row: Option<(
        i64,
        UserId,
        chrono::DateTime<chrono::Utc>,
        chrono::DateTime<chrono::Utc>,
    )> = freed_time::table
        .select((
            freed_time::id,
            freed_time::doctor_id,
            freed_time::starts_at,
            freed_time::ends_at,
        ))
        .order(freed_time::id.asc())
        .limit(1)
        .for_update()
        .skip_locked()
        .first(conn)
        .optional()?;
    Ok(row.map(|(id, doctor, start, end)| (id, doctor, Span { start, end })))
}

pub fn done(conn: &mut PgConnection, id: i64) -> QueryResult<()> {
    diesel::delete(freed_time::table.find(id))
        .execute(conn)
        .map(|_| ())
}
