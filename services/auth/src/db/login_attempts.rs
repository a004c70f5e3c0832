use crate::domain::rate_limit::Count;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Int4, Text, Timestamptz};

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    bucket: String,
    #[diesel(sql_type = Int4)]
    attempts: i32,
    #[diesel(sql_type = Timestamptz)]
    window_start: DateTime<Utc>,
}

/// Counts one attempt in each bucket's current minute and returns the counts after it,
/// in one round trip.
pub fn record(conn: &mut PgConnection, buckets: &[String]) -> QueryResult<Vec<Count>> {
    let rows: Vec<Row> = diesel::sql_query(
        "INSERT INTO login_attempts (bucket, window_start, attempts) \
         SELECT bucket, date_trunc('minute', now()), 1 FROM unnest($1::text[]) AS bucket \
         ON CONFLICT (bucket, window_start) \
         DO UPDATE SET attempts = login_attempts.attempts + 1 \
         RETURNING bucket, attempts, window_start",
    )
    .bind::<Array<Text>, _>(buckets)
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| Count {
            bucket: r.bucket,
            attempts: r.attempts,
            window_start: r.window_start,
        })
        .collect())
}

/// Hands back the attempts `record` counted (a login that succeeded or was refused by a
/// limit is no failure).
pub fn release(conn: &mut PgConnection, counted: &[Count]) -> QueryResult<usize> {
    let buckets: Vec<&str> = counted.iter().map(|c| c.bucket.as_str()).collect();
    let Some(window_start) = counted.first().map(|c| c.window_start) else {
        return Ok(0);
    };
    diesel::sql_query(
        "UPDATE login_attempts SET attempts = attempts - 1 \
         WHERE bucket = ANY($1) AND window_start = $2 AND attempts > 0",
    )
    .bind::<Array<Text>, _>(buckets)
    .bind::<Timestamptz, _>(window_start)
    .execute(conn)
}

/// Counts one attempt in `bucket`'s current hour (the per-account ceiling) and returns
/// the count after it.
pub fn record_hourly(conn: &mut PgConnection, bucket: &str) -> QueryResult<Count> {
    let row: Row = diesel::sql_query(
        "INSERT INTO login_attempts (bucket, window_start, attempts) \
         VALUES ($1, date_trunc('hour', now()), 1) \
         ON CONFLICT (bucket, window_start) \
         DO UPDATE SET attempts = login_attempts.attempts + 1 \
         RETURNING bucket, attempts, window_start",
    )
    .bind::<Text, _>(bucket)
    .get_result(conn)?;
    Ok(Count {
        bucket: row.bucket,
        attempts: row.attempts,
        window_start: row.window_start,
    })
}

/// Starts `bucket`'s current hour afresh (the owner unlocked the account).
pub fn clear_hourly(conn: &mut PgConnection, bucket: &str) -> QueryResult<usize> {
    diesel::sql_query(
        "DELETE FROM login_attempts WHERE bucket = $1 AND window_start = date_trunc('hour', now())",
    )
    .bind::<Text, _>(bucket)
    .execute(conn)
}

/// Windows that ended are no longer consulted: minutes after two, hours after two.
pub fn purge_expired(conn: &mut PgConnection) -> QueryResult<usize> {
    diesel::sql_query(
        "DELETE FROM login_attempts WHERE window_start < now() - interval '2 hours' \
            OR (window_start < now() - interval '2 minutes' AND bucket NOT LIKE 'ceiling:%')",
    )
    .execute(conn)
}
