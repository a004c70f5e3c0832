//! Holds past their expiry. The exclusion constraints still count them (a constraint
//! cannot call `now()`), so whoever wants their time marks them `expired` first, in the same
//! transaction; a periodic pass marks the rest, for lists, stats and the waitlist.

use super::models::Appointment;
use super::schema::appointments;
use crate::db::models::StatusColumn;
use crate::domain::appointment::Status;
use crate::domain::schedule::Span;
use chrono::{DateTime, Utc};
use common::UserId;
use diesel::prelude::*;

/// Marks lapsed holds overlapping `span` of `doctor`'s or `patient`'s calendar expired
/// (those are what a booking there would collide with); returns them.
pub fn expire_in(
    conn: &mut PgConnection,
    doctor: UserId,
    patient: UserId,
    span: Span,
    now: DateTime<Utc>,
) -> QueryResult<Vec<Appointment>> {
    diesel::update(
        appointments::table
            .filter(appointments::status.eq(StatusColumn(Status::Held)))
            .filter(appointments::hold_expires_at.le(now))
            .filter(appointments::appointment_time.lt(span.end))
            .filter(appointments::end_time.gt(span.start))
            .filter(
                appointments::doctor_id
                    .eq(doctor)
                    .or(appointments::patient_id.eq(patient)),
            ),
    )
    .set((
        appointments::status.eq(StatusColumn(Status::Expired)),
        appointments::updated_at.eq(now),
    ))
    .returning(Appointment::as_returning())
    .get_results(conn)
}

/// Marks up to `limit` lapsed holds expired, skipping rows another replica is writing.
pub fn expire_due(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<Appointment>> {
    use diesel::sql_types::{BigInt, Timestamptz};
    diesel::sql_query(
        "UPDATE appointments SET status = 'expired', updated_at = $1 \
         WHERE id IN (SELECT id FROM appointments \
                      WHERE status = 'held' AND hold_expires_at <= $1 \
                      ORDER BY hold_expires_at LIMIT $2 FOR UPDATE SKIP LOCKED) \
         RETURNING *",
    )
    .bind::<Timestamptz, _>(now)
    .bind::<BigInt, _>(limit)
    .load(conn)
}

/// The patient's holds that have not expired.
pub fn active_for(
    conn: &mut PgConnection,
    patient: UserId,
    now: DateTime<Utc>,
) -> QueryResult<i64> {
    appointments::table
        .filter(appointments::patient_id.eq(patient))
        .filter(appointments::status.eq(StatusColumn(Status::Held)))
        .filter(appointments::hold_expires_at.gt(now))
        .count()
        .get_result(conn)
}

/// Unexpired holds on `doctor` asked from `address`.
pub fn active_on_doctor_from(
    conn: &mut PgConnection,
    doctor: UserId,
    address: &str,
    now: DateTime<Utc>,
) -> QueryResult<i64> {
    appointments::table
        .filter(appointments::doctor_id.eq(doctor))
        .filter(appointments::held_from.eq(address))
        .filter(appointments::status.eq(StatusColumn(Status::Held)))
        .filter(appointments::hold_expires_at.gt(now))
        .count()
        .get_result(conn)
}

/// Serializes the holds of one patient (across doctors, whose profile locks do not) until
/// the transaction ends, so two racing holds cannot both pass the limit.
pub fn lock_patient(conn: &mut PgConnection, patient: UserId) -> QueryResult<()> {
    common::db::lock_in_transaction(conn, "appointment-holds", patient.as_uuid())
}
