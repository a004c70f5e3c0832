use super::models::{NewRefreshToken, StoredRefreshToken};
use super::schema::refresh_tokens;
use chrono::Utc;
use common::UserId;
use diesel::prelude::*;

pub fn insert(conn: &mut PgConnection, token: &NewRefreshToken<'_>) -> QueryResult<usize> {
    diesel::insert_into(refresh_tokens::table)
        .values(token)
        .execute(conn)
}

/// Locks the row, so two requests presenting one token are decided one after the other.
pub fn find_for_update(
    conn: &mut PgConnection,
    token_hash: &[u8],
) -> QueryResult<Option<StoredRefreshToken>> {
    refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select(StoredRefreshToken::as_select())
        .for_update()
        .first(conn)
        .optional()
}

pub fn mark_rotated(conn: &mut PgConnection, id: uuid::Uuid) -> QueryResult<usize> {
    diesel::update(refresh_tokens::table.find(id))
        .set(refresh_tokens::rotated_at.eq(Utc::now()))
        .execute(conn)
}

pub fn revoke_family(conn: &mut PgConnection, family_id: uuid::Uuid) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(Utc::now()))
    .execute(conn)
}

pub fn revoke_all_for_user(conn: &mut PgConnection, user: UserId) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(Utc::now()))
    .execute(conn)
}

/// The family of `token_hash` if it belongs to `user`; others' tokens are invisible.
pub fn family_of(
    conn: &mut PgConnection,
    token_hash: &[u8],
    user: UserId,
) -> QueryResult<Option<uuid::Uuid>> {
    refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .filter(refresh_tokens::user_id.eq(user))
        .select(refresh_tokens::family_id)
        .first(conn)
        .optional()
}
