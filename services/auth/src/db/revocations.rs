use super::schema::revocations;
use chrono::{DateTime, Utc};
use common::UserId;
use common::auth::revocations::{Revocation, RevocationList};
use diesel::prelude::*;

/// Refuses `user`'s tokens issued before `not_before` from now on (a later one wins).
pub fn revoke(conn: &mut PgConnection, user: UserId, not_before: DateTime<Utc>) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO revocations (user_id, not_before, changed_at) VALUES ($1, $2, now()) \
         ON CONFLICT (user_id) DO UPDATE \
         SET not_before = GREATEST(revocations.not_before, EXCLUDED.not_before), changed_at = now()",
    )
    .bind::<diesel::sql_types::Uuid, _>(user.as_uuid())
    .bind::<diesel::sql_types::Timestamptz, _>(not_before)
    .execute(conn)?;
    Ok(())
}

/// Records whether `user` may be booked as a doctor now (published with the revocations,
/// so other services learn it at their next poll); their `not_before` stays.
pub fn set_practising(conn: &mut PgConnection, user: UserId, practising: bool) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO revocations (user_id, not_before, changed_at, practising) \
         VALUES ($1, 'epoch', now(), $2) \
         ON CONFLICT (user_id) DO UPDATE SET practising = EXCLUDED.practising, changed_at = now()",
    )
    .bind::<diesel::sql_types::Uuid, _>(user.as_uuid())
    .bind::<diesel::sql_types::Bool, _>(practising)
    .execute(conn)?;
    Ok(())
}

/// When `user`'s tokens start to count, if they were ever revoked.
pub fn not_before_of(conn: &mut PgConnection, user: UserId) -> QueryResult<Option<DateTime<Utc>>> {
    revocations::table
        .find(user)
        .select(revocations::not_before)
        .first(conn)
        .optional()
}

/// What changed after `since` (everything without it), and the database's time of asking.
pub fn changed_since(
    conn: &mut PgConnection,
    since: Option<DateTime<Utc>>,
) -> QueryResult<RevocationList> {
    let as_of: DateTime<Utc> =
        diesel::select(diesel::dsl::sql::<diesel::sql_types::Timestamptz>("now()"))
            .get_result(conn)?;
    let mut query = revocations::table
        .select((
            revocations::user_id,
            revocations::not_before,
            revocations::practising,
        ))
        .into_boxed();
    if let Some(since) = since {
        query = query.filter(revocations::changed_at.gt(since));
    }
    let subjects = query
        .load::<(UserId, DateTime<Utc>, bool)>(conn)?
        .into_iter()
        .map(|(sub, not_before, practising)| Revocation {
            sub,
            not_before,
            practising: Some(practising),
        })
        .collect();
    Ok(RevocationList { subjects, as_of })
}
