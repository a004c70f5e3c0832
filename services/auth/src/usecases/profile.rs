//! A user's own account: changing the profile and the password.

use crate::db::models::User;
use crate::db::{refresh_tokens, users};
use crate::domain::account::{PasswordChange, ProfileChanges};
use crate::domain::passwords::Passwords;
use crate::domain::rate_limit::Account;
use crate::usecases::email_verification::{self, VerificationPolicy};
use crate::usecases::password_attempts::{self, AttemptLimits};
use common::ApiError;
use common::audit::{Action, AuditContext, AuditEvent, store as audit_store};
use common::auth::AuthenticatedUser;
use common::db::{ConflictOnUnique, DbPool, with_conn};
use diesel::{Connection, PgConnection};

fn own_profile_event(
    audit: &AuditContext,
    caller: &AuthenticatedUser,
    action: Action,
) -> AuditEvent {
    audit
        .event(action)
        .by(caller)
        .on(caller.id)
        .patient(caller.as_patient())
        .succeeded()
}

/// A new email needs the current password (403 when wrong, as for a password change;
/// counted in the login budgets, 429 past them); another account's email is a 409; an
/// account deleted meanwhile a 404.
pub async fn update(
    pool: &DbPool,
    passwords: &Passwords,
    policy: &super::SessionPolicy,
    caller: AuthenticatedUser,
    audit: AuditContext,
    mut changes: ProfileChanges,
) -> Result<User, ApiError> {
    if let Some(current) = changes.current_password.take() {
        let limits = &policy.attempts;
        ensure_current_password(pool, passwords, limits, &caller, &audit, current).await?;
    }
    let verification = policy.verification.clone();
    with_conn(pool, move |conn| {
        write_profile(conn, &caller, &audit, &changes, &verification)
    })
    .await
}

fn write_profile(
    conn: &mut PgConnection,
    caller: &AuthenticatedUser,
    audit: &AuditContext,
    changes: &ProfileChanges,
    verification: &VerificationPolicy,
) -> Result<User, ApiError> {
    conn.transaction(|conn| {
        let before = users::find(conn, caller.id)?.ok_or(ApiError::NotFound("user"))?;
        let moved = changes
            .email
            .as_ref()
            .is_some_and(|new| !new.as_str().eq_ignore_ascii_case(&before.email));
        audit_store::append(
            conn,
            &[own_profile_event(audit, caller, Action::ProfileUpdate)],
        )?;
        let update = users::ProfileUpdate {
            first_name: changes.first_name.as_deref(),
            last_name: changes.last_name.as_deref(),
            email: changes.email.as_ref().map(|e| e.as_str()),
            email_notifications: changes.email_notifications,
            birth_date: changes.details.birth_date.column().map(|d| d.copied()),
            sex: changes.details.sex.column().map(|s| s.map(|s| s.as_str())),
            phone: changes
                .details
                .phone
                .column()
                .map(|p| p.map(String::as_str)),
            // A new address is not proven until its link is used.
            email_verified: moved.then_some(false),
        };
        let user = users::update_profile(conn, caller.id, update)
            .conflict_on_unique("an account with this email already exists")?
            .ok_or(ApiError::NotFound("user"))?;
        if moved {
            email_verification::address_changed(conn, verification, &user, &before.email)?;
        }
        Ok(user)
    })
}

/// 403 unless `current` is the caller's password (not 401: the session itself is valid).
/// Counted in the account's login budgets before it is hashed: past them, 429.
async fn ensure_current_password(
    pool: &DbPool,
    passwords: &Passwords,
    limits: &AttemptLimits,
    caller: &AuthenticatedUser,
    audit: &AuditContext,
    current: common::config::Secret,
) -> Result<(), ApiError> {
    let (id, client) = (caller.id, audit.client_address.clone().unwrap_or_default());
    let limits = limits.clone();
    let (current_hash, counted) = with_conn(pool, move |conn| {
        let hash = users::find(conn, id)?
            .map(|u| u.password_hash)
            .ok_or(ApiError::NotFound("user"))?;
        let counted = password_attempts::count(conn, &limits, &Account::Known(id), &client)?;
        Ok((hash, counted))
    })
    .await?;
    if passwords.verify(current, Some(current_hash)).await? {
        with_conn(pool, move |conn| {
            password_attempts::hand_back(conn, &counted)
        })
        .await
    } else {
        Err(ApiError::Forbidden("the current password is incorrect"))
    }
}

/// A wrong current password is 403, not 401: the session itself is valid. Success ends
/// every login of the account (its refresh tokens are revoked with the change).
pub async fn change_password(
    pool: &DbPool,
    passwords: &Passwords,
    limits: &AttemptLimits,
    caller: AuthenticatedUser,
    audit: AuditContext,
    change: PasswordChange,
) -> Result<common::auth::revocations::Revocation, ApiError> {
    ensure_current_password(pool, passwords, limits, &caller, &audit, change.current).await?;
    let new_hash = passwords.hash(change.new).await?;
    with_conn(pool, move |conn| {
        conn.transaction(|conn| {
            users::set_password_hash(conn, caller.id, &new_hash)?;
            refresh_tokens::revoke_all_for_user(conn, caller.id)?;
            let revocation = super::revocation::revoke_now(conn, caller.id)?;
            let event = own_profile_event(&audit, &caller, Action::PasswordChange);
            audit_store::append(conn, &[event])?;
            Ok(revocation)
        })
    })
    .await
}
