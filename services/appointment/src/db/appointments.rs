use super::models::{Appointment, CancelledByColumn, NewAppointment, StatusColumn};
use super::schema::appointments;
use crate::domain::appointment::Status;
use crate::domain::schedule::Span;
use chrono::{DateTime, Utc};
use common::UserId;
pub use common::auth::Visibility;
use common::ids::AppointmentId;
use common::validation::Paging;
use diesel::prelude::*;

type Boxed<'a> = appointments::BoxedQuery<'a, diesel::pg::Pg>;
type Condition = Box<
    dyn BoxableExpression<appointments::table, diesel::pg::Pg, SqlType = diesel::sql_types::Bool>,
>;

fn visible_to(visibility: Visibility) -> Condition {
    match visibility {
        Visibility::Everything => Box::new(diesel::dsl::sql::<diesel::sql_types::Bool>("TRUE")),
        Visibility::AsPatient(id) => Box::new(appointments::patient_id.eq(id)),
        Visibility::AsDoctor(id) => Box::new(appointments::doctor_id.eq(id)),
        // Pharmacists have no business with the calendar.
        Visibility::ByIdOnly => Box::new(diesel::dsl::sql::<diesel::sql_types::Bool>("FALSE")),
    }
}

fn visible<'a>(visibility: Visibility) -> Boxed<'a> {
    appointments::table
        .into_boxed()
        .filter(visible_to(visibility))
}

/// Inserts the appointment and its audit event in one statement: one round trip, and
/// atomic without an explicit transaction (both rows or neither).
pub fn insert_audited(
    conn: &mut PgConnection,
    appointment: &NewAppointment,
    event: &common::audit::AuditEvent,
) -> QueryResult<Appointment> {
    use diesel::sql_types::{Nullable, Text, Timestamptz, Uuid as SqlUuid};
    let status = if appointment.hold_expires_at.is_some() {
        Status::Held
    } else {
        Status::Booked
    };
    diesel::sql_query(
        "WITH booked AS ( \
           INSERT INTO appointments (id, patient_id, doctor_id, appointment_time, end_time, status, notes, \
             hold_expires_at, patient_first_name, patient_last_name, held_from, \
             patient_birth_date, patient_sex) \
           VALUES ($1, $2, $3, $4, $5, $14, $6, $15, $16, $17, $18, $19, $20) RETURNING *), \
         audited AS ( \
           INSERT INTO audit_log (occurred_at, actor_id, actor_role, action, resource_type, \
             resource_id, patient_id, outcome, request_id, client_address) \
           SELECT $7, $8, $9, $10, 'appointment', booked.id::text, booked.patient_id, $11, $12, $13 \
           FROM booked) \
         SELECT * FROM booked",
    )
    .bind::<SqlUuid, _>(appointment.id.as_uuid())
    .bind::<SqlUuid, _>(appointment.patient_id.as_uuid())
    .bind::<SqlUuid, _>(appointment.doctor_id.as_uuid())
    .bind::<Timestamptz, _>(appointment.appointment_time)
    .bind::<Timestamptz, _>(appointment.end_time)
    .bind::<Nullable<Text>, _>(appointment.notes.as_deref())
    .bind::<Timestamptz, _>(event.occurred_at)
    .bind::<Nullable<SqlUuid>, _>(event.actor_id.map(|a| a.as_uuid()))
    .bind::<Nullable<Text>, _>(event.actor_role.map(common::Role::as_str))
    .bind::<Text, _>(&event.action)
    .bind::<Text, _>(event.outcome.as_str())
    .bind::<Nullable<Text>, _>(event.request_id.as_deref())
    .bind::<Nullable<Text>, _>(event.client_address.as_deref())
    .bind::<Text, _>(status.as_str())
    .bind::<Nullable<Timestamptz>, _>(appointment.hold_expires_at)
    .bind::<Nullable<Text>, _>(appointment.patient_first_name.as_deref())
    .bind::<Nullable<Text>, _>(appointment.patient_last_name.as_deref())
    .bind::<Nullable<Text>, _>(appointment.held_from.as_deref())
    .bind::<Nullable<diesel::sql_types::Date>, _>(appointment.patient_birth_date)
    .bind::<Nullable<Text>, _>(appointment.patient_sex.as_deref())
    .get_result(conn)
}

/// The appointment if the caller may see it; `for_update` locks it for a change.
pub fn find_visible(
    conn: &mut PgConnection,
    id: AppointmentId,
    visibility: Visibility,
    for_update: bool,
) -> QueryResult<Option<Appointment>> {
    let query = appointments::table
        .filter(appointments::id.eq(id))
        .filter(visible_to(visibility))
        .select(Appointment::as_select());
    if for_update {
        query.for_update().first(conn).optional()
    } else {
        query.first(conn).optional()
    }
}

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Any of these (as of now); empty for every status.
    pub statuses: Vec<Status>,
    pub patient: Option<UserId>,
    pub doctor: Option<UserId>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Only visits with doctors who may no longer be booked (suspended profiles).
    pub doctor_suspended: bool,
}

/// Appointments that take their time in the calendars now: booked, or held and not yet
/// expired (the constraints' predicate, less lapsed holds).
pub fn taking_time_at(now: DateTime<Utc>) -> Condition {
    Box::new(
        appointments::status
            .eq(StatusColumn(Status::Booked))
            .or(appointments::status
                .eq(StatusColumn(Status::Held))
                .and(appointments::hold_expires_at.assume_not_null().gt(now))),
    )
}

/// A status filter as the caller sees statuses now: `held` is only the unexpired holds,
/// `expired` includes the lapsed ones the expiry pass has not written yet.
fn with_status(status: Status, now: DateTime<Utc>) -> Condition {
    let stored = appointments::status.eq(StatusColumn(status));
    let held = appointments::status.eq(StatusColumn(Status::Held));
    match status {
        Status::Held => {
            Box::new(stored.and(appointments::hold_expires_at.assume_not_null().gt(now)))
        }
        Status::Expired => {
            Box::new(stored.or(held.and(appointments::hold_expires_at.assume_not_null().le(now))))
        }
        _ => Box::new(stored),
    }
}

fn filtered<'a>(visibility: Visibility, filter: &ListFilter) -> Boxed<'a> {
    let mut query = visible(visibility);
    let now = Utc::now();
    let mut statuses = filter
        .statuses
        .iter()
        .map(|&status| with_status(status, now));
    if let Some(first) = statuses.next() {
        let any: Condition = statuses.fold(first, |any, next| Box::new(any.or(next)));
        query = query.filter(any);
    }
    if let Some(patient) = filter.patient {
        query = query.filter(appointments::patient_id.eq(patient));
    }
    if let Some(doctor) = filter.doctor {
        query = query.filter(appointments::doctor_id.eq(doctor));
    }
    if let Some(from) = filter.from {
        query = query.filter(appointments::appointment_time.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(appointments::appointment_time.lt(to));
    }
    if filter.doctor_suspended {
        use super::schema::doctor_profiles;
        let suspended = doctor_profiles::table
            .filter(doctor_profiles::suspended_at.is_not_null())
            .select(doctor_profiles::user_id);
        query = query.filter(appointments::doctor_id.eq_any(suspended));
    }
    query
}

/// A page ordered by start time (then id), and the total before paging, in one round
/// trip (a window count); a page past the end asks for the total separately.
pub fn list(
    conn: &mut PgConnection,
    visibility: Visibility,
    filter: &ListFilter,
    paging: Paging,
) -> QueryResult<(Vec<Appointment>, i64)> {
    let rows: Vec<(Appointment, i64)> = filtered(visibility, filter)
        .select((
            Appointment::as_select(),
            diesel::dsl::sql::<diesel::sql_types::BigInt>("count(*) OVER ()"),
        ))
        .order((appointments::appointment_time.asc(), appointments::id.asc()))
        .limit(paging.limit)
        .offset(paging.offset)
        .load(conn)?;
    let total = match rows.first() {
        Some((_, total)) => *total,
        None => filtered(visibility, filter).count().get_result(conn)?,
    };
    Ok((
        rows.into_iter()
            .map(|(appointment, _)| appointment)
            .collect(),
        total,
    ))
}

/// The doctor's appointments that take their time (booked or held) overlapping `within`.
fn taking_time(doctor: UserId, within: Span) -> Boxed<'static> {
    appointments::table
        .into_boxed()
        .filter(appointments::doctor_id.eq(doctor))
        .filter(taking_time_at(Utc::now()))
        .filter(appointments::appointment_time.lt(within.end))
        .filter(appointments::end_time.gt(within.start))
}

/// When the doctor is busy within `within`: the spans of their booked appointments.
pub fn busy_between(
    conn: &mut PgConnection,
    doctor: UserId,
    within: Span,
) -> QueryResult<Vec<Span>> {
    let rows: Vec<(DateTime<Utc>, DateTime<Utc>)> = taking_time(doctor, within)
        .select((appointments::appointment_time, appointments::end_time))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(start, end)| Span { start, end })
        .collect())
}

/// The doctor's booked and held appointments overlapping `within`, by start (what a time
/// off or a change of hours would strand).
pub fn booked_within(
    conn: &mut PgConnection,
    doctor: UserId,
    within: Span,
) -> QueryResult<Vec<Appointment>> {
    taking_time(doctor, within)
        .order((appointments::appointment_time.asc(), appointments::id.asc()))
        .select(Appointment::as_select())
        .load(conn)
}

/// How many booked or held appointments `patient` has with `doctor` starting within
/// `day`, not counting `except` (the appointment being moved).
pub fn count_for_patient(
    conn: &mut PgConnection,
    doctor: UserId,
    patient: UserId,
    day: Span,
    except: Option<AppointmentId>,
) -> QueryResult<i64> {
    let mut query = appointments::table
        .into_boxed()
        .filter(appointments::doctor_id.eq(doctor))
        .filter(appointments::patient_id.eq(patient))
        .filter(taking_time_at(Utc::now()))
        .filter(appointments::appointment_time.ge(day.start))
        .filter(appointments::appointment_time.lt(day.end));
    if let Some(except) = except {
        query = query.filter(appointments::id.ne(except));
    }
    query.count().get_result(conn)
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = appointments)]
pub struct AppointmentChanges {
    pub appointment_time: Option<DateTime<Utc>>,
    pub end_time: Option<DateTime<Utc>>,
    pub status: Option<StatusColumn>,
    /// `Some(None)` writes NULL.
    pub notes: Option<Option<String>>,
    pub cancellation_reason: Option<String>,
    pub cancelled_by: Option<CancelledByColumn>,
    pub cancelled_late: Option<bool>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// Whether `patient` has a booked or held appointment overlapping `span` (with anyone).
pub fn patient_busy(conn: &mut PgConnection, patient: UserId, span: Span) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        appointments::table
            .filter(appointments::patient_id.eq(patient))
            .filter(taking_time_at(Utc::now()))
            .filter(appointments::appointment_time.lt(span.end))
            .filter(appointments::end_time.gt(span.start)),
    ))
    .get_result(conn)
}

pub fn update(
    conn: &mut PgConnection,
    id: AppointmentId,
    mut changes: AppointmentChanges,
) -> QueryResult<Appointment> {
    changes.updated_at = Some(Utc::now());
    diesel::update(appointments::table.find(id))
        .set(changes)
        .returning(Appointment::as_returning())
        .get_result(conn)
}

/// Appointments per status, for `GET /admin/stats`.
pub fn count_by_status(conn: &mut PgConnection) -> QueryResult<Vec<(StatusColumn, i64)>> {
    appointments::table
        .group_by(appointments::status)
        .select((appointments::status, diesel::dsl::count_star()))
        .load(conn)
}

/// Appointments cancelled inside their doctor's cancellation notice.
pub fn count_late_cancellations(conn: &mut PgConnection) -> QueryResult<i64> {
    appointments::table
        .filter(appointments::cancelled_late)
        .count()
        .get_result(conn)
}

/// An overlap refused by the exclusion constraints is a 409 naming whose calendar clashed.
pub fn overlap_conflict(error: diesel::result::Error) -> common::ApiError {
    use common::sqlstate::SqlState;
    use diesel::result::Error;
    match (SqlState::of(&error), &error) {
        (Some(SqlState::ExclusionViolation), Error::DatabaseError(_, info)) => {
            let message = if info.constraint_name() == Some("appointments_patient_no_overlap") {
                "the patient already has an appointment at that time"
            } else {
                "the doctor already has an appointment at that time"
            };
            common::ApiError::Conflict(message.into())
        }
        _ => error.into(),
    }
}
