//! E-mail verification links, by their hash, each for the address it was sent to.

use super::schema::{email_verifications, users};
use chrono::{DateTime, Utc};
use common::UserId;
use diesel::prelude::*;

pub fn issue(
    conn: &mut PgConnection,
    user: UserId,
    email: &str,
    token_hash: &[u8],
    expires_at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(email_verifications::table)
        .values((
            email_verifications::id.eq(uuid::Uuid::now_v7()),
            email_verifications::user_id.eq(user),
            email_verifications::email.eq(email),
            email_verifications::token_hash.eq(token_hash),
            email_verifications::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Links sent to `user` since `since`: what the resend cap counts.
pub fn issued_since(
    conn: &mut PgConnection,
    user: UserId,
    since: DateTime<Utc>,
) -> QueryResult<i64> {
    email_verifications::table
        .filter(email_verifications::user_id.eq(user))
        .filter(email_verifications::created_at.gt(since))
        .count()
        .get_result(conn)
}

/// Uses the token and marks the account verified, in one statement each way: `None`
/// when the token is unknown, used, expired, or for an address the account has left.
pub fn redeem(conn: &mut PgConnection, token_hash: &[u8]) -> QueryResult<Option<UserId>> {
    let now = Utc::now();
    let redeemed: Option<(UserId, String)> = diesel::update(
        email_verifications::table
            .filter(email_verifications::token_hash.eq(token_hash))
            .filter(email_verifications::used_at.is_null())
            .filter(email_verifications::expires_at.gt(now)),
    )
    .set(email_verifications::used_at.eq(now))
    .returning((email_verifications::user_id, email_verifications::email))
    .get_result(conn)
    .optional()?;
    let Some((user, email)) = redeemed else {
        return Ok(None);
    };
    let verified = diesel::update(
        users::table.find(user).filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("lower(email) = lower(")
                .bind::<diesel::sql_types::Text, _>(email)
                .sql(")"),
        ),
    )
    .set((users::email_verified.eq(true), users::updated_at.eq(now)))
    .execute(conn)?;
    Ok((verified == 1).then_some(user))
}
