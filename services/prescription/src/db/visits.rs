//! Visits reported cancelled (`cancelled_visits`), and the lock that orders a report and a
//! prescription for the same visit.

use super::schema::cancelled_visits;
use chrono::Utc;
use common::ids::AppointmentId;
use diesel::prelude::*;

/// Serializes what is done about one visit until the transaction ends: a cancellation
/// report and a prescription for it cannot miss each other.
pub fn lock(conn: &mut PgConnection, appointment: AppointmentId) -> QueryResult<()> {
    common::db::lock_in_transaction(conn, "prescription-visit", appointment.as_uuid())
}

pub fn was_cancelled(conn: &mut PgConnection, appointment: AppointmentId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        cancelled_visits::table.filter(cancelled_visits::appointment_id.eq(appointment)),
    ))
    .get_result(conn)
}

/// Records the report; `false` when the visit was already reported.
pub fn record_cancelled(
    conn: &mut PgConnection,
    appointment: AppointmentId,
    event: uuid::Uuid,
) -> QueryResult<bool> {
    let inserted = diesel::insert_into(cancelled_visits::table)
        .values((
            cancelled_visits::appointment_id.eq(appointment),
            cancelled_visits::event_id.eq(event),
            cancelled_visits::reported_at.eq(Utc::now()),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    Ok(inserted > 0)
}
