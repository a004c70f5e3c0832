//! Revoking a user's access tokens everywhere (see `common::auth::revocations`).

use crate::db::revocations;
use chrono::{DateTime, SubsecRound, Utc};
use common::UserId;
use common::auth::TokenVerifier;
use common::auth::revocations::Revocation;
use diesel::{PgConnection, QueryResult};

/// Refuses every token of `user` issued up to now, in the caller's transaction. A token's
/// `iat` has whole seconds, so `not_before` is the next whole second: every token of this
/// second is refused, even one issued a moment before (a refresh racing the revocation).
/// Tokens issued after it carry an `iat` of at least `not_before` (`tokens::Subject`), so
/// the new login after a password change works at once.
pub fn revoke_now(conn: &mut PgConnection, user: UserId) -> QueryResult<Revocation> {
    let not_before: DateTime<Utc> = Utc::now().trunc_subsecs(0) + chrono::Duration::seconds(1);
    revocations::revoke(conn, user, not_before)?;
    Ok(Revocation {
        sub: user,
        not_before,
        practising: None,
    })
}

/// This replica refuses the tokens at once; the others and the other services within
/// `REVOCATION_REFRESH_SECONDS`, when they poll.
pub fn apply_here(verifier: &TokenVerifier, revocation: Revocation) {
    verifier.revocations().merge(&[revocation]);
}
