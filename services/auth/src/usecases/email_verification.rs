//! Proving an address is the account owner's (contract part 3, section 8): a one-time
//! link at sign-up and on every change of address (the old address is told), a resend at
//! most five times an hour, and `email_verified` in the next token.

use crate::db::models::User;
use crate::db::{email_verifications, notifications, users};
use crate::domain::notifications as mails;
use crate::domain::tokens::{hash_refresh_token, new_refresh_token};
use chrono::Utc;
use common::db::{DbPool, with_conn};
use common::{ApiError, UserId};
use diesel::{Connection, PgConnection};
use std::time::Duration;

/// Links a user may have sent an hour by asking again.
const RESENDS_PER_HOUR: i64 = 5;

/// `EMAIL_VERIFICATION_TTL_HOURS` (168) and where the link points (`PUBLIC_PORTAL_URL`).
#[derive(Debug, Clone)]
pub struct VerificationPolicy {
    pub ttl: Duration,
    pub portal_url: String,
}

/// Queues a verification link for `email` (the address `user` now has), in the caller's
/// transaction.
pub fn send_link(
    conn: &mut PgConnection,
    policy: &VerificationPolicy,
    user: &User,
    email: &str,
) -> Result<(), ApiError> {
    let token = new_refresh_token()?;
    let ttl = chrono::Duration::from_std(policy.ttl).unwrap_or(chrono::Duration::days(7));
    email_verifications::issue(conn, user.id, email, &token.hash, Utc::now() + ttl)?;
    let link = format!("{}/verify-email?token={}", policy.portal_url, token.token);
    let mail = mails::verify_email(&user.first_name, &link, ttl.num_hours());
    notifications::queue_mail_to(conn, user.id, Some(email), &mail)?;
    Ok(())
}

/// After the address changed from `old_email`: a link for the new one, a notice to the
/// old one.
pub fn address_changed(
    conn: &mut PgConnection,
    policy: &VerificationPolicy,
    user: &User,
    old_email: &str,
) -> Result<(), ApiError> {
    send_link(conn, policy, user, &user.email)?;
    notifications::queue_mail_to(
        conn,
        user.id,
        Some(old_email),
        &mails::email_changed(&user.first_name),
    )?;
    Ok(())
}

/// The account the token verifies, now verified; 400 `invalid-token` when it is unknown,
/// used, expired or for an address the account has left.
pub async fn verify(pool: &DbPool, token: String) -> Result<User, ApiError> {
    let token_hash = hash_refresh_token(&token);
    with_conn(pool, move |conn| {
        conn.transaction(|conn| {
            let user =
                email_verifications::redeem(conn, &token_hash)?.ok_or(ApiError::InvalidToken)?;
            users::find(conn, user)?.ok_or(ApiError::InvalidToken)
        })
    })
    .await
}

/// A new link for the caller's unverified address, unless five went out this hour or the
/// address is verified already (both answered the same: nothing to do).
pub async fn resend(
    pool: &DbPool,
    policy: &VerificationPolicy,
    caller: UserId,
) -> Result<(), ApiError> {
    let policy = policy.clone();
    with_conn(pool, move |conn| {
        conn.transaction(|conn| {
            users::lock(conn, caller)?;
            let user = users::find(conn, caller)?.ok_or(ApiError::NotFound("user"))?;
            let hour_ago = Utc::now() - chrono::Duration::hours(1);
            let sent = email_verifications::issued_since(conn, caller, hour_ago)?;
            if user.email_verified || sent >= RESENDS_PER_HOUR {
                return Ok(());
            }
            send_link(conn, &policy, &user, &user.email)
        })
    })
    .await
}
