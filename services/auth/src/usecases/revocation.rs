//! Revoking a user's access tokens everywhere (see `common::auth::revocations`).

use crate::db::revocations;
use chrono::{DateTime, SubsecRound, Utc};
use common::UserId;
use common::auth::TokenVerifier;
use common::auth::revocations::Revocation;
use diesel::{PgConnection, QueryResult};

/// Refuses every token of `user` issued before this second, in the caller's transaction.
/// A token's `iat` has whole seconds: one issued later in this same second (the new login
/// after a password change) stays valid.
pub fn revoke_now(conn: &mut PgConnection, user: UserId) -> QueryResult<Revocation> {
    let not_before: DateTime<Utc> = Utc::now().trunc_subsecs(0);
    revocations::revoke(conn, user, not_before)?;
    Ok(Revocation {
        sub: user,
        not_before,
    })
}

/// This replica refuses the tokens at once; the others and the other services within
/// `REVOCATION_REFRESH_SECONDS`, when they poll.
pub fn apply_here(verifier: &TokenVerifier, revocation: Revocation) {
    verifier.revocations().merge(&[revocation]);
}
