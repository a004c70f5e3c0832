//! Notifications' tables: events already acted on, mail waiting for the SMTP server, and
//! the reminder schedule. Raw SQL where a statement claims rows with SKIP LOCKED.

use chrono::{DateTime, Utc};
use common::UserId;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};

/// Records `id` as received; `false` when it was already (a redelivery).
pub fn first_receipt(conn: &mut PgConnection, id: uuid::Uuid, kind: &str) -> QueryResult<bool> {
    let inserted = diesel::sql_query(
        "INSERT INTO received_events (id, type) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(kind)
    .execute(conn)?;
    Ok(inserted == 1)
}

/// The patient's first name and address, if they want mail.
pub fn recipient(conn: &mut PgConnection, user: UserId) -> QueryResult<Option<(String, String)>> {
    use super::schema::users;
    users::table
        .filter(users::id.eq(user))
        .filter(users::email_notifications)
        .filter(users::disabled.eq(false))
        .select((users::first_name, users::email))
        .first(conn)
        .optional()
}

/// `Dr. First Last` for a doctor's user id (or `your doctor` when unknown here).
pub fn doctor_name(conn: &mut PgConnection, doctor: UserId) -> QueryResult<String> {
    use super::schema::users;
    let name: Option<(String, String)> = users::table
        .filter(users::id.eq(doctor))
        .select((users::first_name, users::last_name))
        .first(conn)
        .optional()?;
    Ok(name.map_or_else(
        || "your doctor".to_owned(),
        |(first, last)| format!("Dr. {first} {last}"),
    ))
}

pub fn queue_mail(
    conn: &mut PgConnection,
    user: UserId,
    mail: &crate::domain::notifications::Mail,
) -> QueryResult<()> {
    queue_mail_to(conn, user, None, mail)
}

/// `mail` about `user`'s account to `recipient` instead of the account's address when it
/// is sent (the old address, told that it was replaced).
pub fn queue_mail_to(
    conn: &mut PgConnection,
    user: UserId,
    recipient: Option<&str>,
    mail: &crate::domain::notifications::Mail,
) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO mail_outbox (user_id, kind, subject, body, calendar, calendar_method, \
           recipient) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind::<SqlUuid, _>(user.as_uuid())
    .bind::<Text, _>(mail.kind)
    .bind::<Text, _>(&mail.subject)
    .bind::<Text, _>(&mail.body)
    .bind::<Nullable<Text>, _>(mail.calendar.as_ref().map(|c| c.ics.as_str()))
    .bind::<Nullable<Text>, _>(mail.calendar.as_ref().map(|c| c.method.as_str()))
    .bind::<Nullable<Text>, _>(recipient)
    .execute(conn)
    .map(|_| ())
}

/// A reminder to schedule (or move): due at `send_at`, for the appointment starting `starts_at`.
pub struct Reminder<'a> {
    pub appointment_id: uuid::Uuid,
    pub patient_id: UserId,
    pub doctor_id: UserId,
    pub starts_at: DateTime<Utc>,
    pub timezone: &'a str,
    pub location: Option<&'a str>,
    pub send_at: DateTime<Utc>,
    pub as_of: DateTime<Utc>,
}

/// Schedules the reminder, or moves it (due again) when the start changed; an event older
/// than the one last applied changes nothing, and so does one about a patient unknown
/// here (an account of another deployment, or a stray id in a signed event).
pub fn schedule_reminder(conn: &mut PgConnection, r: &Reminder) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO reminders (appointment_id, patient_id, doctor_id, starts_at, timezone, location, send_at, as_of) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8 WHERE EXISTS (SELECT 1 FROM users WHERE id = $2) \
         ON CONFLICT (appointment_id) DO UPDATE SET \
           starts_at = EXCLUDED.starts_at, timezone = EXCLUDED.timezone, location = EXCLUDED.location, \
           send_at = EXCLUDED.send_at, as_of = EXCLUDED.as_of, \
           sent_at = CASE WHEN reminders.starts_at = EXCLUDED.starts_at THEN reminders.sent_at END \
         WHERE reminders.as_of < EXCLUDED.as_of",
    )
    .bind::<SqlUuid, _>(r.appointment_id)
    .bind::<SqlUuid, _>(r.patient_id.as_uuid())
    .bind::<SqlUuid, _>(r.doctor_id.as_uuid())
    .bind::<Timestamptz, _>(r.starts_at)
    .bind::<Text, _>(r.timezone)
    .bind::<Nullable<Text>, _>(r.location)
    .bind::<Timestamptz, _>(r.send_at)
    .bind::<Timestamptz, _>(r.as_of)
    .execute(conn)
    .map(|_| ())
}

/// No reminder for a cancelled or lapsed appointment.
pub fn drop_reminder(conn: &mut PgConnection, appointment: uuid::Uuid) -> QueryResult<()> {
    diesel::sql_query("DELETE FROM reminders WHERE appointment_id = $1")
        .bind::<SqlUuid, _>(appointment)
        .execute(conn)
        .map(|_| ())
}

#[derive(Debug, QueryableByName)]
pub struct DueReminder {
    #[diesel(sql_type = SqlUuid)]
    pub patient_id: uuid::Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub doctor_id: uuid::Uuid,
    #[diesel(sql_type = Timestamptz)]
    pub starts_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    pub timezone: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub location: Option<String>,
}

/// Marks up to `limit` due reminders sent and returns them (in the caller's transaction,
/// which queues their mail: each goes once, on whichever replica claims it).
pub fn claim_due_reminders(conn: &mut PgConnection, limit: i64) -> QueryResult<Vec<DueReminder>> {
    diesel::sql_query(
        "UPDATE reminders SET sent_at = now() \
         WHERE appointment_id IN (SELECT appointment_id FROM reminders \
                                  WHERE sent_at IS NULL AND send_at <= now() \
                                  ORDER BY send_at LIMIT $1 FOR UPDATE SKIP LOCKED) \
         RETURNING patient_id, doctor_id, starts_at, timezone, location",
    )
    .bind::<BigInt, _>(limit)
    .load(conn)
}

#[derive(Debug, QueryableByName)]
pub struct DueMail {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub email: String,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub subject: String,
    #[diesel(sql_type = Text)]
    pub body: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub calendar: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub calendar_method: Option<String>,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
}

/// Leases up to `limit` mails that are due, for a minute.
pub fn lease_due_mail(conn: &mut PgConnection, limit: i64) -> QueryResult<Vec<DueMail>> {
    diesel::sql_query(
        "UPDATE mail_outbox m SET leased_until = now() + interval '60 seconds', attempts = m.attempts + 1 \
         FROM users u \
         WHERE m.id IN (SELECT id FROM mail_outbox \
                        WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now() \
                          AND (leased_until IS NULL OR leased_until < now()) \
                        ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) \
           AND u.id = m.user_id \
         RETURNING m.id, COALESCE(m.recipient, u.email) AS email, m.kind, m.subject, m.body, m.calendar, m.calendar_method, \
           m.attempts",
    )
    .bind::<BigInt, _>(limit)
    .load(conn)
}

pub fn mail_sent(conn: &mut PgConnection, id: i64) -> QueryResult<()> {
    diesel::sql_query("UPDATE mail_outbox SET sent_at = now(), leased_until = NULL WHERE id = $1")
        .bind::<BigInt, _>(id)
        .execute(conn)
        .map(|_| ())
}

/// Gives the mail up: it stays in the outbox, marked, and is never tried again.
pub fn mail_given_up(conn: &mut PgConnection, id: i64) -> QueryResult<()> {
    diesel::sql_query("UPDATE mail_outbox SET failed_at = now(), leased_until = NULL WHERE id = $1")
        .bind::<BigInt, _>(id)
        .execute(conn)
        .map(|_| ())
}

pub fn mail_retry(conn: &mut PgConnection, id: i64, after: chrono::Duration) -> QueryResult<()> {
    diesel::sql_query(
        "UPDATE mail_outbox SET next_attempt_at = now() + $2, leased_until = NULL WHERE id = $1",
    )
    .bind::<BigInt, _>(id)
    .bind::<diesel::sql_types::Interval, _>(diesel::pg::data_types::PgInterval::new(
        after.num_microseconds().unwrap_or(30_000_000),
        0,
        0,
    ))
    .execute(conn)
    .map(|_| ())
}
