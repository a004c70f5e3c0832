//! Visits reported cancelled (`cancelled_visits`), and the lock that orders a report and a
//! prescription for the same visit.

use super::schema::cancelled_visits;
use chrono::Utc;
use common::ids::AppointmentId;
use diesel::prelude::*;

/// Keeps the visit locks apart from the service's other advisory locks.
const VISIT_LOCK_SEED: i64 = 0x7669_7369_7473;

/// Serializes what is done about one visit until the transaction ends: a cancellation
/// report and a prescription for it cannot miss each other.
pub fn lock(conn: &mut PgConnection, appointment: AppointmentId) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1::text, $2))")
        .bind::<diesel::sql_types::Uuid, _>(appointment.as_uuid())
        .bind::<diesel::sql_types::BigInt, _>(VISIT_LOCK_SEED)
        .execute(conn)?;
    Ok(())
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
