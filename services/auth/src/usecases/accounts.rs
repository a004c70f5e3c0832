//! Creating an account: self-registration (patients and doctors) and by an admin (any
//! role). Both go through `create`, after the password was hashed off the async workers.

use super::SessionPolicy;
use crate::db::models::{NewUser, User};
use crate::db::{login_attempts, refresh_tokens, revocations, users};
use crate::domain::account::NewAccount;
use crate::domain::account::{AccessChanges, ensure_not_self_lockout};
use crate::domain::rate_limit;
use chrono::Utc;
use common::audit::{Action, AuditContext, store as audit_store};
use common::auth::AuthenticatedUser;
use common::db::ConflictOnUnique;
use common::db::{DbPool, with_conn};
use common::{ApiError, Role, UserId};
use diesel::{Connection, PgConnection};

/// Counts a sign-up from `client_address` and refuses it (429) past
/// `REGISTER_RATE_LIMIT_PER_ADDRESS_PER_MINUTE`, before any hashing: sign-ups are an
/// argon2 CPU sink and, by their 409, an account oracle.
pub async fn admit_sign_up(
    pool: &DbPool,
    policy: &SessionPolicy,
    client_address: &str,
) -> Result<(), ApiError> {
    let per_address = policy.sign_ups_per_address_per_minute;
    if per_address == 0 {
        return Ok(());
    }
    let bucket = rate_limit::sign_up_bucket(client_address);
    with_conn(pool, move |conn| {
        let counted = login_attempts::record(conn, std::slice::from_ref(&bucket))?;
        match counted.first() {
            Some(count) => rate_limit::decide_sign_up(per_address, count, Utc::now()),
            None => Ok(()),
        }
    })
    .await
}

/// Inserts the user and its audit event together; an email already registered (in any
/// case) is a 409. `admin` is who created it, `None` for self-registration.
pub fn create(
    conn: &mut PgConnection,
    admin: Option<&AuthenticatedUser>,
    audit: &AuditContext,
    account: &NewAccount,
    password_hash: &str,
) -> Result<User, ApiError> {
    conn.transaction(|conn| {
        let user = users::insert(
            conn,
            &NewUser {
                id: UserId::new(),
                email: account.email.as_str(),
                password_hash,
                role: account.role,
                first_name: &account.first_name,
                last_name: &account.last_name,
                approved: account.approved,
                birth_date: account.details.birth_date,
                sex: account.details.sex.map(|s| s.as_str()),
                phone: account.details.phone.as_deref(),
                // What an admin made is vouched for; a sign-up proves it by the link.
                email_verified: admin.is_some(),
            },
        )
        .conflict_on_unique("an account with this email already exists")?;
        let event = audit
            .event(Action::UserCreate)
            .by(admin)
            .on(user.id)
            .patient((user.role == Role::Patient).then_some(user.id))
            .succeeded();
        audit_store::append(conn, &[event])?;
        Ok(user)
    })
}

/// An admin's change of an account's access. Any change that narrows it revokes the
/// account's access tokens (they claim the old role or approval); disabling also ends
/// every login of it (its refresh tokens are revoked in the same transaction). Unknown
/// account: 404.
pub fn change_access(
    conn: &mut PgConnection,
    admin: &AuthenticatedUser,
    audit: &AuditContext,
    target: UserId,
    changes: AccessChanges,
) -> Result<(User, Option<common::auth::revocations::Revocation>), ApiError> {
    ensure_not_self_lockout(admin.id, target, &changes)?;
    conn.transaction(|conn| {
        let change = users::AccessChange {
            disabled: changes.disabled,
            role: changes.role,
            approved: changes.approved,
        };
        let user =
            users::update_access(conn, target, &change)?.ok_or(ApiError::NotFound("user"))?;
        if changes.disabled == Some(true) {
            refresh_tokens::revoke_all_for_user(conn, target)?;
        }
        let revocation = if changes.outdates_tokens() {
            Some(super::revocation::revoke_now(conn, target)?)
        } else {
            None
        };
        let practising = user.role == Role::Doctor && user.approved && !user.disabled;
        revocations::set_practising(conn, target, practising)?;
        let event = audit
            .event(Action::UserAccessChange)
            .by(admin)
            .on(target)
            .patient((user.role == Role::Patient).then_some(user.id))
            .succeeded();
        audit_store::append(conn, &[event])?;
        Ok((user, revocation))
    })
}
