//! A doctor's calendar as the database holds it, and the one place that asks it whether a
//! time can be booked: slots, booking and rescheduling all come through here.

use crate::db::models::DoctorProfile;
use crate::db::{appointments, overrides, profiles, time_off};
use crate::domain::schedule::{Calendar, MAX_HORIZON_DAYS, Slot, Span, local_days};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::error::ConflictRule;
use common::ids::AppointmentId;
use common::{ApiError, UserId};
use diesel::PgConnection;

/// The doctor's calendar for their local dates `first..=last`, and those days as instants:
/// one query per table, however many days.
pub fn calendar(
    conn: &mut PgConnection,
    profile: &DoctorProfile,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<(Calendar, Span), ApiError> {
    let availability = profile.availability();
    let days = local_days(&availability, first, last);
    let calendar = Calendar {
        overrides: overrides::by_date(conn, profile.user_id, first, last)?,
        time_off: time_off::spans(conn, profile.user_id, days)?,
        policy: profile.policy(),
        availability,
    };
    Ok((calendar, days))
}

/// The doctor's free slots on their local dates `first..=last`, in order. The doctor is
/// named by user id or profile id; an unknown one is a 404.
pub fn free_slots(
    conn: &mut PgConnection,
    doctor: uuid::Uuid,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<Slot>, ApiError> {
    let profile = profiles::find_by_any_id(conn, doctor)?.ok_or(ApiError::NotFound("doctor"))?;
    let (calendar, days) = calendar(conn, &profile, first, last)?;
    let busy = appointments::busy_between(conn, profile.user_id, days)?;
    Ok(calendar.free_slots_between(first, last, &busy, Utc::now()))
}

/// The doctor's (by either id) free slots starting within `[from, to)`, as the listing
/// offers them, with the doctor's user id. Nothing before now is free, and nothing past
/// the longest horizon is looked for.
pub fn free_slots_starting_within(
    conn: &mut PgConnection,
    doctor: uuid::Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(UserId, Vec<Slot>), ApiError> {
    let profile = profiles::find_by_any_id(conn, doctor)?.ok_or(ApiError::NotFound("schedule"))?;
    let now = Utc::now();
    let from = from.max(now);
    if from >= to || from >= now + Duration::days(MAX_HORIZON_DAYS) {
        return Ok((profile.user_id, Vec::new()));
    }
    // The local dates around the instants, whatever the doctor's zone; cut to them below.
    let first = (from - Duration::days(1)).date_naive();
    let last = (to + Duration::days(1)).date_naive();
    let (calendar, days) = calendar(conn, &profile, first, last)?;
    let busy = appointments::busy_between(conn, profile.user_id, days)?;
    let slots = calendar
        .free_slots_between(first, last, &busy, now)
        .into_iter()
        .filter(|slot| slot.start >= from && slot.start < to)
        .collect();
    Ok((profile.user_id, slots))
}

/// An appointment for `patient` from `start` for `length` with the doctor of `profile`
/// (locked by the caller: see `profiles::lock_by_any_id`): its end, if the calendar takes
/// it (else 422 naming the rule) and the patient's day with this doctor has room (else
/// 409). `moving` is the appointment being rescheduled, which does not count against
/// itself. Overlaps are the exclusion constraints' to refuse, at the insert.
pub fn ensure_bookable(
    conn: &mut PgConnection,
    profile: &DoctorProfile,
    patient: UserId,
    start: DateTime<Utc>,
    length: Duration,
    moving: Option<AppointmentId>,
) -> Result<DateTime<Utc>, ApiError> {
    // A doctor whose approval was withdrawn or whose account was disabled takes no new
    // time, by booking or by moving a visit; their directory entry is gone too.
    if profile.suspended_at.is_some() {
        return Err(ApiError::NotFound("doctor"));
    }
    let date = start
        .with_timezone(&profile.availability().timezone)
        .date_naive();
    let (calendar, day) = calendar(conn, profile, date, date)?;
    let end = calendar.check(start, length, Utc::now()).map_err(|why| {
        ApiError::validation("appointment_time", why.message(&calendar.availability))
    })?;
    let limit = calendar.policy.max_daily_bookings_per_patient;
    let booked = appointments::count_for_patient(conn, profile.user_id, patient, day, moving)?;
    if booked >= i64::from(limit) {
        return Err(ApiError::ConflictBy {
            rule: ConflictRule::DailyBookingLimit,
            detail: format!(
                "the patient already has {booked} appointments with this doctor on {date}, \
                 the most this doctor takes from one patient in a day"
            ),
            conflicts: Vec::new(),
        });
    }
    Ok(end)
}
