//! Getting back into an account by e-mail (contract part 3, section 8). Asking answers
//! the same, at once, for any address: the lookup, the token and the mail happen after
//! the answer, so neither the body nor the time tells whether the address has an account.
//! Using the link sets the password and ends every login, as a password change does.

use crate::db::{notifications, password_resets, refresh_tokens, users};
use crate::domain::notifications as mails;
use crate::domain::passwords::Passwords;
use crate::domain::tokens::{hash_refresh_token, new_refresh_token};
use chrono::Utc;
use common::audit::{Action, AuditContext, store as audit_store};
use common::auth::revocations::Revocation;
use common::config::Secret;
use common::db::{DbPool, with_conn};
use common::{ApiError, Role};
use diesel::{Connection, PgConnection};
use std::time::Duration;

/// `PASSWORD_RESET_TTL_MINUTES` (60) and `PASSWORD_RESET_MAX_PER_HOUR` (5 mails per
/// account), and where the link points (`PUBLIC_PORTAL_URL`).
#[derive(Debug, Clone)]
pub struct ResetPolicy {
    pub ttl: Duration,
    pub max_per_hour: u32,
    pub portal_url: String,
}

/// Queues the reset mail for `email`'s account, if there is an enabled one and it has
/// not had `max_per_hour` this hour; runs after the request was answered.
pub fn mail_link(
    conn: &mut PgConnection,
    policy: &ResetPolicy,
    email: &str,
) -> Result<(), ApiError> {
    conn.transaction(|conn| {
        let Some(user) = users::find_by_email(conn, email)?.filter(|u| !u.disabled) else {
            return Ok(());
        };
        // Requests for one account queue here, so the hourly cap holds however many race.
        users::lock(conn, user.id)?;
        let hour_ago = Utc::now() - chrono::Duration::hours(1);
        let sent = password_resets::issued_since(conn, user.id, hour_ago)?;
        if sent >= i64::from(policy.max_per_hour) {
            tracing::info!(user = %user.id, "password reset asked past the hourly cap; no mail");
            return Ok(());
        }
        let token = new_refresh_token()?;
        let ttl = chrono::Duration::from_std(policy.ttl).unwrap_or(chrono::Duration::hours(1));
        password_resets::issue(conn, user.id, &token.hash, Utc::now() + ttl)?;
        let link = format!("{}/reset-password?token={}", policy.portal_url, token.token);
        let mail = mails::password_reset(&user.first_name, &link, ttl.num_minutes());
        notifications::queue_mail(conn, user.id, &mail)?;
        Ok(())
    })
}

/// Sets `new_password` on the account the token names and ends its logins everywhere;
/// the token is used up. An unknown, used, voided or expired token: 400 `invalid-token`,
/// before any hashing (a bad link costs no argon2).
pub async fn confirm(
    pool: &DbPool,
    passwords: &Passwords,
    audit: AuditContext,
    token: String,
    new_password: Secret,
) -> Result<Revocation, ApiError> {
    let token_hash = hash_refresh_token(&token);
    let lookup = token_hash.clone();
    with_conn(pool, move |conn| {
        password_resets::holder(conn, &lookup)?.ok_or(ApiError::InvalidToken)
    })
    .await?;
    let new_hash = passwords.hash(new_password).await?;
    with_conn(pool, move |conn| {
        conn.transaction(|conn| {
            // Of two requests with one token, the second finds it used here.
            let user_id =
                password_resets::redeem(conn, &token_hash)?.ok_or(ApiError::InvalidToken)?;
            let user = users::find(conn, user_id)?.ok_or(ApiError::InvalidToken)?;
            users::set_password_hash(conn, user.id, &new_hash)?;
            refresh_tokens::revoke_all_for_user(conn, user.id)?;
            let revocation = super::revocation::revoke_now(conn, user.id)?;
            let event = audit
                .event(Action::PasswordReset)
                .on(user.id)
                .patient((user.role == Role::Patient).then_some(user.id))
                .succeeded();
            audit_store::append(conn, &[event])?;
            notifications::queue_mail(conn, user.id, &mails::password_changed(&user.first_name))?;
            Ok(revocation)
        })
    })
    .await
}
