//! Password reset tokens, by their hash. Using one is a single conditional UPDATE, so of
//! two requests presenting it, exactly one gets the account back (PostgreSQL re-checks
//! the condition on the row the first one changed).

use super::schema::password_resets;
use chrono::{DateTime, Utc};
use common::UserId;
use diesel::prelude::*;

/// Issues a token for `user` valid until `expires_at`, voiding the ones before it.
pub fn issue(
    conn: &mut PgConnection,
    user: UserId,
    token_hash: &[u8],
    expires_at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(
        password_resets::table
            .filter(password_resets::user_id.eq(user))
            .filter(password_resets::used_at.is_null())
            .filter(password_resets::voided_at.is_null()),
    )
    .set(password_resets::voided_at.eq(Utc::now()))
    .execute(conn)?;
    diesel::insert_into(password_resets::table)
        .values((
            password_resets::id.eq(uuid::Uuid::now_v7()),
            password_resets::user_id.eq(user),
            password_resets::token_hash.eq(token_hash),
            password_resets::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Tokens issued to `user` since `since`: what the hourly mail cap counts.
pub fn issued_since(
    conn: &mut PgConnection,
    user: UserId,
    since: DateTime<Utc>,
) -> QueryResult<i64> {
    password_resets::table
        .filter(password_resets::user_id.eq(user))
        .filter(password_resets::created_at.gt(since))
        .count()
        .get_result(conn)
}

fn usable(token_hash: &[u8]) -> password_resets::BoxedQuery<'_, diesel::pg::Pg> {
    password_resets::table
        .filter(password_resets::token_hash.eq(token_hash))
        .filter(password_resets::used_at.is_null())
        .filter(password_resets::voided_at.is_null())
        .filter(password_resets::expires_at.gt(Utc::now()))
        .into_boxed()
}

/// Whose account the token would reset, if it still may (no change made).
pub fn holder(conn: &mut PgConnection, token_hash: &[u8]) -> QueryResult<Option<UserId>> {
    usable(token_hash)
        .select(password_resets::user_id)
        .first(conn)
        .optional()
}

/// Marks the token used and answers whose it was; `None` when it is unknown, used,
/// voided or expired (or another request used it a moment ago).
/// The conditions sit on the updated row itself (no subquery): a second request waiting
/// on the first one's row lock re-checks them against the row as the first left it.
pub fn redeem(conn: &mut PgConnection, token_hash: &[u8]) -> QueryResult<Option<UserId>> {
    let now = Utc::now();
    diesel::update(
        password_resets::table
            .filter(password_resets::token_hash.eq(token_hash))
            .filter(password_resets::used_at.is_null())
            .filter(password_resets::voided_at.is_null())
            .filter(password_resets::expires_at.gt(now)),
    )
    .set(password_resets::used_at.eq(now))
    .returning(password_resets::user_id)
    .get_result(conn)
    .optional()
}
