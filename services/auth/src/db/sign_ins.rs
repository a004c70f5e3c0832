//! What the login ceiling needs: the addresses each account signed in from, and the one
//! unlock link an account's owner is mailed per locked hour (its hash only).

use common::UserId;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Bytea, Text, Uuid as SqlUuid};

/// `user` signed in with their password from `client` (an address key: see `client_key`).
pub fn remember(conn: &mut PgConnection, user: UserId, client: &str) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO known_sign_ins (user_id, client, last_at) VALUES ($1, $2, now()) \
         ON CONFLICT (user_id, client) DO UPDATE SET last_at = now()",
    )
    .bind::<SqlUuid, _>(user.as_uuid())
    .bind::<Text, _>(client)
    .execute(conn)
    .map(|_| ())
}

#[derive(QueryableByName)]
struct Known {
    #[diesel(sql_type = Bool)]
    known: bool,
}

/// Whether `user` ever signed in from `client`.
pub fn is_known(conn: &mut PgConnection, user: UserId, client: &str) -> QueryResult<bool> {
    let row: Known = diesel::sql_query(
        "SELECT EXISTS (SELECT 1 FROM known_sign_ins WHERE user_id = $1 AND client = $2) AS known",
    )
    .bind::<SqlUuid, _>(user.as_uuid())
    .bind::<Text, _>(client)
    .get_result(conn)?;
    Ok(row.known)
}

/// Keeps `token_hash` as `user`'s unlock link unless one was already issued this hour;
/// answers whether this one was (and its mail is to go).
pub fn issue_unlock(conn: &mut PgConnection, user: UserId, token_hash: &[u8]) -> QueryResult<bool> {
    let issued = diesel::sql_query(
        "INSERT INTO account_unlocks (user_id, token_hash, created_at) VALUES ($1, $2, now()) \
         ON CONFLICT (user_id) DO UPDATE \
         SET token_hash = EXCLUDED.token_hash, created_at = now(), used_at = NULL \
         WHERE account_unlocks.created_at < date_trunc('hour', now())",
    )
    .bind::<SqlUuid, _>(user.as_uuid())
    .bind::<Bytea, _>(token_hash)
    .execute(conn)?;
    Ok(issued > 0)
}

#[derive(QueryableByName)]
struct Redeemed {
    #[diesel(sql_type = SqlUuid)]
    user_id: uuid::Uuid,
}

/// Uses the unlock link with this hash, once, within the hour it was issued for: answers
/// whose it was. Two uses at once: the row lock lets exactly one through.
pub fn redeem_unlock(conn: &mut PgConnection, token_hash: &[u8]) -> QueryResult<Option<UserId>> {
    let redeemed: Option<Redeemed> = diesel::sql_query(
        "UPDATE account_unlocks SET used_at = now() \
         WHERE token_hash = $1 AND used_at IS NULL \
           AND created_at >= date_trunc('hour', now()) \
         RETURNING user_id",
    )
    .bind::<Bytea, _>(token_hash)
    .get_result(conn)
    .optional()?;
    Ok(redeemed.map(|r| UserId(r.user_id)))
}
