use super::models::{DoctorProfile, ProfileRow};
use super::schema::doctor_profiles;
use chrono::{DateTime, Utc};
use common::UserId;
use common::ids::DoctorProfileId;
use common::validation::Paging;
use diesel::prelude::*;

pub fn insert(
    conn: &mut PgConnection,
    user_id: UserId,
    row: &ProfileRow,
) -> QueryResult<DoctorProfile> {
    diesel::insert_into(doctor_profiles::table)
        .values((
            doctor_profiles::id.eq(DoctorProfileId::new()),
            doctor_profiles::user_id.eq(user_id),
            doctor_profiles::created_at.eq(row.updated_at),
            row,
        ))
        .returning(DoctorProfile::as_returning())
        .get_result(conn)
}

pub fn find_by_user(
    conn: &mut PgConnection,
    user_id: UserId,
) -> QueryResult<Option<DoctorProfile>> {
    doctor_profiles::table
        .filter(doctor_profiles::user_id.eq(user_id))
        .select(DoctorProfile::as_select())
        .first(conn)
        .optional()
}

/// `GET /doctors/{id}` accepts the doctor's user id (the `doctor_id` of appointments) or
/// the profile's own id; both are UUIDs from different series, so they cannot collide.
/// A suspended doctor is not found: they are out of the directory and take no bookings.
pub fn find_by_any_id(
    conn: &mut PgConnection,
    id: uuid::Uuid,
) -> QueryResult<Option<DoctorProfile>> {
    doctor_profiles::table
        .filter(
            doctor_profiles::user_id
                .eq(UserId(id))
                .or(doctor_profiles::id.eq(DoctorProfileId(id))),
        )
        .filter(doctor_profiles::suspended_at.is_null())
        .select(DoctorProfile::as_select())
        .first(conn)
        .optional()
}

/// The profile (by either id), its row locked until the transaction ends. Bookings,
/// reschedules, time off and date overrides of one doctor all take this lock first, so
/// none decides on a calendar another is changing: a time off and a booking into it
/// commit one after the other, and the second sees the first.
pub fn lock_by_any_id(
    conn: &mut PgConnection,
    id: uuid::Uuid,
) -> QueryResult<Option<DoctorProfile>> {
    doctor_profiles::table
        .filter(
            doctor_profiles::user_id
                .eq(UserId(id))
                .or(doctor_profiles::id.eq(DoctorProfileId(id))),
        )
        .select(DoctorProfile::as_select())
        .for_no_key_update()
        .first(conn)
        .optional()
}

/// Applies what auth-service says of who may be booked as a doctor: profiles of
/// `suspended` users are taken out (from now, unless they already were), those of
/// `reinstated` ones come back. Answers how many profiles changed.
pub fn set_suspended(
    conn: &mut PgConnection,
    suspended: &[UserId],
    reinstated: &[UserId],
) -> QueryResult<usize> {
    let out = diesel::update(
        doctor_profiles::table
            .filter(doctor_profiles::user_id.eq_any(suspended))
            .filter(doctor_profiles::suspended_at.is_null()),
    )
    .set(doctor_profiles::suspended_at.eq(Utc::now()))
    .execute(conn)?;
    let back = diesel::update(
        doctor_profiles::table
            .filter(doctor_profiles::user_id.eq_any(reinstated))
            .filter(doctor_profiles::suspended_at.is_not_null()),
    )
    .set(doctor_profiles::suspended_at.eq(None::<DateTime<Utc>>))
    .execute(conn)?;
    Ok(out + back)
}

pub fn update(
    conn: &mut PgConnection,
    user_id: UserId,
    row: &ProfileRow,
) -> QueryResult<Option<DoctorProfile>> {
    diesel::update(doctor_profiles::table.filter(doctor_profiles::user_id.eq(user_id)))
        .set(row)
        .returning(DoctorProfile::as_returning())
        .get_result(conn)
        .optional()
}

#[derive(Debug, Clone, Default)]
pub struct DirectoryFilter {
    pub specialization: Option<String>,
    pub location: Option<String>,
    pub name: Option<String>,
}

/// `%` and `_` in a search term are literal characters, not wildcards.
fn contains_pattern(term: &str) -> String {
    let escaped = term
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

type Boxed<'a> = doctor_profiles::BoxedQuery<'a, diesel::pg::Pg>;

fn filtered<'a>(filter: &DirectoryFilter) -> Boxed<'a> {
    let mut query = doctor_profiles::table
        .filter(doctor_profiles::suspended_at.is_null())
        .into_boxed();
    if let Some(term) = &filter.specialization {
        query = query.filter(doctor_profiles::specialization.ilike(contains_pattern(term)));
    }
    if let Some(term) = &filter.location {
        query = query.filter(doctor_profiles::location.ilike(contains_pattern(term)));
    }
    if let Some(term) = &filter.name {
        let pattern = contains_pattern(term);
        query = query.filter(
            doctor_profiles::first_name
                .ilike(pattern.clone())
                .or(doctor_profiles::last_name.ilike(pattern.clone()))
                .or(diesel::dsl::sql::<diesel::sql_types::Bool>(
                    "(first_name || ' ' || last_name) ILIKE ",
                )
                .bind::<diesel::sql_types::Text, _>(pattern)),
        );
    }
    query
}

/// The public directory, by name then id (stable across pages), with the total before
/// paging. One round trip: the total rides along as a window count; only a page past the
/// end (no rows to carry it) needs a second query.
pub fn directory(
    conn: &mut PgConnection,
    filter: &DirectoryFilter,
    paging: Paging,
) -> QueryResult<(Vec<DoctorProfile>, i64)> {
    let rows: Vec<(DoctorProfile, i64)> = filtered(filter)
        .select((
            DoctorProfile::as_select(),
            diesel::dsl::sql::<diesel::sql_types::BigInt>("count(*) OVER ()"),
        ))
        .order((
            doctor_profiles::last_name.asc(),
            doctor_profiles::first_name.asc(),
            doctor_profiles::id.asc(),
        ))
        .limit(paging.limit)
        .offset(paging.offset)
        .load(conn)?;
    let total = match rows.first() {
        Some((_, total)) => *total,
        None => filtered(filter).count().get_result(conn)?,
    };
    Ok((
        rows.into_iter().map(|(profile, _)| profile).collect(),
        total,
    ))
}

/// The profiles of `doctors` (those that have one), suspended or not: what their past
/// and future visits show.
pub fn of_users(conn: &mut PgConnection, doctors: &[UserId]) -> QueryResult<Vec<DoctorProfile>> {
    doctor_profiles::table
        .filter(doctor_profiles::user_id.eq_any(doctors))
        .select(DoctorProfile::as_select())
        .load(conn)
}
