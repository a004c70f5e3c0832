//! Waitlist entries and the offers made to them.

use super::models::{WaitlistEntry, WaitlistStatusColumn};
use super::schema::{waitlist_entries, waitlist_offers};
use crate::domain::schedule::Span;
use crate::domain::waitlist::WaitlistStatus;
use chrono::{DateTime, Utc};
use common::UserId;
use common::auth::Visibility;
use common::ids::{AppointmentId, WaitlistEntryId};
use diesel::prelude::*;

pub fn insert(conn: &mut PgConnection, entry: &WaitlistEntry) -> QueryResult<WaitlistEntry> {
    diesel::insert_into(waitlist_entries::table)
        .values(entry)
        .returning(WaitlistEntry::as_returning())
        .get_result(conn)
}

type Condition = Box<
    dyn BoxableExpression<
            waitlist_entries::table,
            diesel::pg::Pg,
            SqlType = diesel::sql_types::Bool,
        >,
>;

fn visible_to(visibility: Visibility) -> Condition {
    match visibility {
        Visibility::Everything => Box::new(diesel::dsl::sql::<diesel::sql_types::Bool>("TRUE")),
        Visibility::AsPatient(id) => Box::new(waitlist_entries::patient_id.eq(id)),
        Visibility::AsDoctor(id) => Box::new(waitlist_entries::doctor_id.eq(id)),
        // Pharmacists have no business with the calendar.
        Visibility::ByIdOnly => Box::new(diesel::dsl::sql::<diesel::sql_types::Bool>("FALSE")),
    }
}

fn filtered<'a>(
    visibility: Visibility,
    status: Option<WaitlistStatus>,
) -> waitlist_entries::BoxedQuery<'a, diesel::pg::Pg> {
    let mut query = waitlist_entries::table
        .into_boxed()
        .filter(visible_to(visibility));
    if let Some(status) = status {
        query = query.filter(waitlist_entries::status.eq(WaitlistStatusColumn(status)));
    }
    query
}

/// A page of what the caller may see, oldest first, and the total before paging.
pub fn list(
    conn: &mut PgConnection,
    visibility: Visibility,
    status: Option<WaitlistStatus>,
    paging: common::validation::Paging,
) -> QueryResult<(Vec<WaitlistEntry>, i64)> {
    let page = filtered(visibility, status)
        .order((
            waitlist_entries::created_at.asc(),
            waitlist_entries::id.asc(),
        ))
        .limit(paging.limit)
        .offset(paging.offset)
        .select(WaitlistEntry::as_select())
        .load(conn)?;
    let total = filtered(visibility, status).count().get_result(conn)?;
    Ok((page, total))
}

/// The entry if the caller may see it, locked for a change.
pub fn find_locked(
    conn: &mut PgConnection,
    id: WaitlistEntryId,
    visibility: Visibility,
) -> QueryResult<Option<WaitlistEntry>> {
    waitlist_entries::table
        .filter(waitlist_entries::id.eq(id))
        .filter(visible_to(visibility))
        .select(WaitlistEntry::as_select())
        .for_update()
        .first(conn)
        .optional()
}

/// The entry an offered (or fulfilled) appointment belongs to, locked.
pub fn find_by_appointment(
    conn: &mut PgConnection,
    appointment: AppointmentId,
) -> QueryResult<Option<WaitlistEntry>> {
    waitlist_entries::table
        .filter(waitlist_entries::appointment_id.eq(appointment))
        .select(WaitlistEntry::as_select())
        .for_update()
        .first(conn)
        .optional()
}

pub fn set_status(
    conn: &mut PgConnection,
    id: WaitlistEntryId,
    status: WaitlistStatus,
    appointment: Option<AppointmentId>,
) -> QueryResult<WaitlistEntry> {
    diesel::update(waitlist_entries::table.find(id))
        .set((
            waitlist_entries::status.eq(WaitlistStatusColumn(status)),
            waitlist_entries::appointment_id.eq(appointment),
            waitlist_entries::updated_at.eq(Utc::now()),
        ))
        .returning(WaitlistEntry::as_returning())
        .get_result(conn)
}

/// The oldest waiting entry for `doctor` whose window holds `slot`, whose patient has
/// nothing booked or held overlapping it, and who was not offered this slot before;
/// locked, skipping entries another replica is offering to.
/// The oldest waiting entry with `doctor` whose window holds `slot`, whose patient is free
/// then, was never offered this slot (by any of their entries with the doctor), and is
/// not in `passed_over`; locked, skipping entries another replica holds.
pub fn next_for(
    conn: &mut PgConnection,
    doctor: UserId,
    slot: Span,
    now: DateTime<Utc>,
    passed_over: &[UserId],
) -> QueryResult<Option<WaitlistEntry>> {
    use diesel::sql_types::{Array, Timestamptz, Uuid as SqlUuid};
    let passed_over: Vec<uuid::Uuid> = passed_over.iter().map(|p| p.as_uuid()).collect();
    diesel::sql_query(
        "SELECT w.* FROM waitlist_entries w \
         WHERE w.doctor_id = $1 AND w.status = 'waiting' \
           AND w.earliest <= $2 AND w.latest >= $3 \
           AND NOT (w.patient_id = ANY($5)) \
           AND NOT EXISTS (SELECT 1 FROM appointments a \
                           WHERE a.patient_id = w.patient_id \
                             AND (a.status = 'booked' OR (a.status = 'held' AND a.hold_expires_at > $4)) \
                             AND a.appointment_time < $3 AND a.end_time > $2) \
           AND NOT EXISTS (SELECT 1 FROM waitlist_offers o \
                           JOIN waitlist_entries mine ON mine.id = o.entry_id \
                           WHERE mine.patient_id = w.patient_id AND mine.doctor_id = w.doctor_id \
                             AND o.slot_start = $2) \
         ORDER BY w.created_at, w.id LIMIT 1 \
         FOR UPDATE OF w SKIP LOCKED",
    )
    .bind::<SqlUuid, _>(doctor.as_uuid())
    .bind::<Timestamptz, _>(slot.start)
    .bind::<Timestamptz, _>(slot.end)
    .bind::<Timestamptz, _>(now)
    .bind::<Array<SqlUuid>, _>(passed_over)
    .get_result(conn)
    .optional()
}

/// The patient's entries still waiting or offered.
pub fn active_count(conn: &mut PgConnection, patient: UserId) -> QueryResult<i64> {
    waitlist_entries::table
        .filter(waitlist_entries::patient_id.eq(patient))
        .filter(waitlist_entries::status.eq_any(["waiting", "offered"]))
        .count()
        .get_result(conn)
}

pub fn record_offer(
    conn: &mut PgConnection,
    entry: WaitlistEntryId,
    appointment: AppointmentId,
    slot_start: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(waitlist_offers::table)
        .values((
            waitlist_offers::entry_id.eq(entry),
            waitlist_offers::appointment_id.eq(appointment),
            waitlist_offers::slot_start.eq(slot_start),
        ))
        .execute(conn)
        .map(|_| ())
}
