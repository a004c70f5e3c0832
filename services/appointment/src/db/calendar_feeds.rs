//! Private calendar feeds: one per person, found by the hash of the secret in its URL.

use super::schema::calendar_feeds;
use common::UserId;
use diesel::prelude::*;
use diesel::upsert::excluded;

/// Whose feed it is and what they are to their appointments.
#[derive(Debug, Clone, Queryable)]
pub struct FeedOwner {
    pub owner_id: UserId,
    pub owner_role: String,
}

/// Makes `secret_hash` `owner`'s feed, replacing the one they had (its URL stops working).
pub fn replace(
    conn: &mut PgConnection,
    owner: UserId,
    role: &str,
    secret_hash: &[u8],
) -> QueryResult<()> {
    diesel::insert_into(calendar_feeds::table)
        .values((
            calendar_feeds::owner_id.eq(owner),
            calendar_feeds::owner_role.eq(role),
            calendar_feeds::secret_hash.eq(secret_hash),
        ))
        .on_conflict(calendar_feeds::owner_id)
        .do_update()
        .set((
            calendar_feeds::owner_role.eq(excluded(calendar_feeds::owner_role)),
            calendar_feeds::secret_hash.eq(excluded(calendar_feeds::secret_hash)),
            calendar_feeds::created_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Whether `owner` had a feed to end.
pub fn delete(conn: &mut PgConnection, owner: UserId) -> QueryResult<bool> {
    diesel::delete(calendar_feeds::table.filter(calendar_feeds::owner_id.eq(owner)))
        .execute(conn)
        .map(|deleted| deleted > 0)
}

pub fn owner_of(conn: &mut PgConnection, secret_hash: &[u8]) -> QueryResult<Option<FeedOwner>> {
    calendar_feeds::table
        .filter(calendar_feeds::secret_hash.eq(secret_hash))
        .select((calendar_feeds::owner_id, calendar_feeds::owner_role))
        .first(conn)
        .optional()
}
