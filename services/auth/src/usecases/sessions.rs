//! Logins and their sessions: checking a password under the rate limit, starting a
//! session, rotating its refresh token, ending it.

use super::{SessionPolicy, password_attempts};
use crate::db::models::{NewRefreshToken, User};
use crate::db::{refresh_tokens, revocations, users};
use crate::domain::passwords::Passwords;
use crate::domain::rate_limit::Account;
use crate::domain::refresh::{Presented, classify};
use crate::domain::tokens::{Subject, TokenIssuer, hash_refresh_token, new_refresh_token};
use chrono::Utc;
use common::audit::{Action, AuditContext, AuditEvent, AuditLog, Outcome, store as audit_store};
use common::auth::AuthenticatedUser;
use common::config::Secret;
use common::db::{DbPool, with_conn};
use common::{ApiError, Role};
use diesel::Connection;

const BAD_CREDENTIALS: ApiError = ApiError::Unauthenticated("invalid email or password");
const INVALID_REFRESH: ApiError =
    ApiError::Unauthenticated("the refresh token is invalid or expired");

/// An access token and the refresh token that renews it.
#[derive(Debug)]
pub struct Session {
    pub access_token: String,
    pub expires_in: u64,
    pub refresh_token: String,
}

/// Checks the rate limit, then the password. An unknown email and a wrong password take
/// the same path (one argon2 verification) and give the same answer.
pub async fn authenticate(
    pool: &DbPool,
    passwords: &Passwords,
    policy: &SessionPolicy,
    email: &str,
    password: Secret,
    audit: &AuditContext,
    log: &AuditLog,
) -> Result<User, ApiError> {
    let client = audit.client_address.clone().unwrap_or_default();
    let typed = email.trim().to_owned();
    let limits = policy.attempts.clone();
    let from = client.clone();
    let found = with_conn(pool, move |conn| {
        let user = users::find_by_email(conn, &typed)?;
        let account = match &user {
            Some(user) => Account::Known(user.id),
            None => Account::unknown(&typed),
        };
        let counted = password_attempts::count(conn, &limits, &account, &client)?;
        Ok((counted, user))
    })
    .await;
    if let Err(ApiError::RateLimited { .. }) = &found {
        log.submit(audit.event(Action::Login).denied());
    }
    let (counted, user) = found?;
    // Longer than any password we accept: refuse without spending a hash on it.
    if password.expose().chars().count() > 128 {
        return Err(BAD_CREDENTIALS);
    }
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    match (passwords.verify(password, hash).await?, user) {
        // A disabled account gets the answer of a wrong password: nothing to probe.
        (true, Some(user)) if !user.disabled => {
            let id = user.id;
            with_conn(pool, move |conn| {
                password_attempts::hand_back(conn, &counted)?;
                password_attempts::signed_in_from(conn, id, &from)
            })
            .await?;
            Ok(user)
        }
        (_, user) => {
            tracing::info!("login refused");
            // The account, when there is one, is named by id: never the email typed.
            let mut event = audit.event(Action::Login);
            if let Some(user) = &user {
                event = event.on(user.id).patient(patient_of(user));
            }
            log.submit(event.failed());
            Err(BAD_CREDENTIALS)
        }
    }
}

/// Issues an access token and the first refresh token of a new login (a new family).
pub async fn start(
    pool: &DbPool,
    issuer: &TokenIssuer,
    policy: &SessionPolicy,
    user: &User,
    audit: &AuditContext,
) -> Result<Session, ApiError> {
    let refresh = new_refresh_token()?;
    let lifetime =
        chrono::Duration::from_std(policy.refresh_ttl).map_err(|e| ApiError::Internal(e.into()))?;
    let user_id = user.id;
    let hash = refresh.hash.clone();
    let event = session_event(audit, user, Action::Login, Outcome::Success);
    let not_before = with_conn(pool, move |conn| {
        audit_store::append(conn, &[event])?;
        refresh_tokens::insert(
            conn,
            &NewRefreshToken {
                id: uuid::Uuid::now_v7(),
                family_id: uuid::Uuid::now_v7(),
                user_id,
                token_hash: &hash,
                expires_at: Utc::now() + lifetime,
            },
        )?;
        Ok(revocations::not_before_of(conn, user_id)?)
    })
    .await?;
    let access = issuer.access_token(&subject(user, not_before))?;
    Ok(Session {
        access_token: access.token,
        expires_in: access.expires_in,
        refresh_token: refresh.token,
    })
}

fn patient_of(user: &User) -> Option<common::UserId> {
    (user.role == Role::Patient).then_some(user.id)
}

/// What `user`'s access tokens assert: always read from the account as it is now.
fn subject(user: &User, not_before: Option<chrono::DateTime<Utc>>) -> Subject<'_> {
    Subject {
        id: user.id,
        role: user.role,
        given_name: &user.first_name,
        family_name: &user.last_name,
        approved: user.approved,
        not_before,
        birth_date: user.birth_date,
        sex: user.sex.as_deref(),
        email_verified: user.email_verified,
    }
}

/// An event about `user`'s own session; patients' events carry their id as patient id.
fn session_event(
    audit: &AuditContext,
    user: &User,
    action: Action,
    outcome: Outcome,
) -> AuditEvent {
    let actor = AuthenticatedUser {
        id: user.id,
        role: user.role,
        approved: user.approved,
        email_verified: user.email_verified,
    };
    audit
        .event(action)
        .by(&actor)
        .on(user.id)
        .patient(patient_of(user))
        .outcome(outcome)
}

enum Rotation {
    Rotated(User, Option<chrono::DateTime<Utc>>),
    ReuseDetected { family_id: uuid::Uuid },
    Refused,
}

/// Exchanges a refresh token for a new pair. The row is locked while deciding, so of two
/// requests presenting one token only the first rotates it; the second is a reuse, which
/// ends the whole login: its refresh tokens, and every access token of the account
/// issued so far (other logins' clients refresh theirs and carry on).
pub async fn rotate(
    pool: &DbPool,
    issuer: &TokenIssuer,
    presented: &str,
    audit: &AuditContext,
    log: &AuditLog,
) -> Result<Session, ApiError> {
    let context = audit.clone();
    let presented_hash = hash_refresh_token(presented);
    let next = new_refresh_token()?;
    let next_hash = next.hash.clone();
    let outcome = with_conn(pool, move |conn| {
        conn.transaction::<_, ApiError, _>(|conn| {
            let Some(row) = refresh_tokens::find_for_update(conn, &presented_hash)? else {
                return Ok(Rotation::Refused);
            };
            match classify(row.rotated_at, row.revoked_at, row.expires_at, Utc::now()) {
                Presented::Dead => Ok(Rotation::Refused),
                Presented::Reused => {
                    refresh_tokens::revoke_family(conn, row.family_id)?;
                    super::revocation::revoke_now(conn, row.user_id)?;
                    if let Some(user) = users::find(conn, row.user_id)? {
                        let event =
                            session_event(&context, &user, Action::RefreshReuse, Outcome::Failure);
                        audit_store::append(conn, &[event])?;
                    }
                    Ok(Rotation::ReuseDetected {
                        family_id: row.family_id,
                    })
                }
                Presented::Usable => {
                    let Some(user) = users::find(conn, row.user_id)?.filter(|u| !u.disabled) else {
                        return Ok(Rotation::Refused);
                    };
                    refresh_tokens::mark_rotated(conn, row.id)?;
                    let event = session_event(&context, &user, Action::Refresh, Outcome::Success);
                    audit_store::append(conn, &[event])?;
                    refresh_tokens::insert(
                        conn,
                        &NewRefreshToken {
                            id: uuid::Uuid::now_v7(),
                            family_id: row.family_id,
                            user_id: row.user_id,
                            token_hash: &next_hash,
                            expires_at: row.expires_at,
                        },
                    )?;
                    let not_before = revocations::not_before_of(conn, user.id)?;
                    Ok(Rotation::Rotated(user, not_before))
                }
            }
        })
    })
    .await?;
    match outcome {
        Rotation::Rotated(user, not_before) => {
            let access = issuer.access_token(&subject(&user, not_before))?;
            Ok(Session {
                access_token: access.token,
                expires_in: access.expires_in,
                refresh_token: next.token,
            })
        }
        Rotation::ReuseDetected { family_id } => {
            tracing::warn!(%family_id, "rotated refresh token presented again; login revoked");
            Err(INVALID_REFRESH)
        }
        Rotation::Refused => {
            log.submit(audit.event(Action::Refresh).failed());
            Err(INVALID_REFRESH)
        }
    }
}

/// Ends the login `presented` belongs to (its whole family), if it is the caller's;
/// unknown or another user's tokens change nothing.
pub async fn end(
    pool: &DbPool,
    caller: AuthenticatedUser,
    audit: &AuditContext,
    presented: &str,
) -> Result<(), ApiError> {
    let hash = hash_refresh_token(presented);
    let event = audit
        .event(Action::Logout)
        .by(&caller)
        .on(caller.id)
        .patient(caller.as_patient())
        .succeeded();
    with_conn(pool, move |conn| {
        conn.transaction::<_, ApiError, _>(|conn| {
            if let Some(family_id) = refresh_tokens::family_of(conn, &hash, caller.id)? {
                refresh_tokens::revoke_family(conn, family_id)?;
                audit_store::append(conn, &[event])?;
            }
            Ok(())
        })
    })
    .await
}

/// Ends every login of the caller and refuses their access tokens everywhere (`logout`
/// with `all`), in one transaction with its audit event.
pub async fn end_all(
    pool: &DbPool,
    caller: AuthenticatedUser,
    audit: &AuditContext,
) -> Result<common::auth::revocations::Revocation, ApiError> {
    let event = audit
        .event(Action::Logout)
        .by(&caller)
        .on(caller.id)
        .patient(caller.as_patient())
        .succeeded();
    with_conn(pool, move |conn| {
        conn.transaction::<_, ApiError, _>(|conn| {
            refresh_tokens::revoke_all_for_user(conn, caller.id)?;
            let revocation = super::revocation::revoke_now(conn, caller.id)?;
            audit_store::append(conn, &[event])?;
            Ok(revocation)
        })
    })
    .await
}
