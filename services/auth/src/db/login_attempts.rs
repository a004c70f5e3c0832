use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Int4, Text, Timestamptz};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = Int4)]
    attempts: i32,
    #[diesel(sql_type = Timestamptz)]
    window_start: DateTime<Utc>,
}

/// Counts one attempt in each bucket's current minute and returns the counts after it,
/// in one round trip.
pub fn record(
    conn: &mut PgConnection,
    buckets: &[String],
) -> QueryResult<Vec<(i32, DateTime<Utc>)>> {
    let counts: Vec<Count> = diesel::sql_query(
        "INSERT INTO login_attempts (bucket, window_start, attempts) \
         SELECT bucket, date_trunc('minute', now()), 1 FROM unnest($1::text[]) AS bucket \
         ON CONFLICT (bucket, window_start) \
         DO UPDATE SET attempts = login_attempts.attempts + 1 \
         RETURNING attempts, window_start",
    )
    .bind::<Array<Text>, _>(buckets)
    .load(conn)?;
    Ok(counts
        .into_iter()
        .map(|c| (c.attempts, c.window_start))
        .collect())
}

/// Windows that ended are no longer consulted.
pub fn purge_expired(conn: &mut PgConnection) -> QueryResult<usize> {
    diesel::sql_query(
        "DELETE FROM login_attempts WHERE window_start < now() - interval '2 minutes'",
    )
    .execute(conn)
}
