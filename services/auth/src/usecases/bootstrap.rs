//! The first admin, from `BOOTSTRAP_ADMIN_EMAIL` and `BOOTSTRAP_ADMIN_PASSWORD`, made at
//! start; and what to say when that password no longer logs in.

use crate::config::BootstrapAdmin;
use crate::db::models::{NewUser, User};
use crate::db::{refresh_tokens, users};
use crate::domain::account::{Email, check_password};
use crate::domain::passwords::Passwords;
use common::db::{DbPool, with_conn};
use common::sqlstate::SqlState;
use common::{ApiError, Role, UserId};

/// Creates the first admin if no account has that email yet. Replicas starting together
/// may race; the unique index lets one win and the others find it.
pub async fn ensure_admin(
    pool: &DbPool,
    passwords: &Passwords,
    admin: &BootstrapAdmin,
) -> anyhow::Result<()> {
    let email = Email::parse(admin.email.clone())
        .map_err(|e| anyhow::anyhow!("BOOTSTRAP_ADMIN_EMAIL {e}"))?;
    let password = check_password(admin.password.expose().to_owned())
        .map_err(|e| anyhow::anyhow!("BOOTSTRAP_ADMIN_PASSWORD {e}"))?;
    let typed = email.as_str().to_owned();
    let existing = with_conn(pool, move |conn| Ok(users::find_by_email(conn, &typed)?)).await?;
    if let Some(user) = existing {
        return check_bootstrap_password(pool, passwords, admin, user, password).await;
    }
    let hash = passwords.hash(password).await?;
    let created = with_conn(pool, move |conn| {
        let inserted = users::insert(
            conn,
            &NewUser {
                id: UserId::new(),
                email: email.as_str(),
                password_hash: &hash,
                role: Role::Admin,
                first_name: "Bootstrap",
                last_name: "Admin",
                approved: true,
                birth_date: None,
                sex: None,
                phone: None,
                email_verified: true,
            },
        );
        match inserted {
            Ok(user) => Ok(Some(user)),
            Err(e) if SqlState::of(&e) == Some(SqlState::UniqueViolation) => Ok(None),
            Err(e) => Err(ApiError::from(e)),
        }
    })
    .await?;
    if let Some(user) = created {
        tracing::info!(user_id = %user.id, "bootstrap admin created");
    }
    Ok(())
}

/// The admin exists: its password is its own business, but a `BOOTSTRAP_ADMIN_PASSWORD`
/// that no longer logs in is said at start (a wiped `.data/` with the databases kept
/// makes `cargo xtask up` print such a password), or, with `BOOTSTRAP_ADMIN_RESET`, made
/// the admin's password again (its logins end).
async fn check_bootstrap_password(
    pool: &DbPool,
    passwords: &Passwords,
    admin: &BootstrapAdmin,
    user: User,
    password: common::config::Secret,
) -> anyhow::Result<()> {
    if passwords
        .verify(password.clone(), Some(user.password_hash.clone()))
        .await?
    {
        return Ok(());
    }
    if !admin.reset {
        tracing::warn!(user_id = %user.id, "the bootstrap admin exists with another password than BOOTSTRAP_ADMIN_PASSWORD, which therefore does not log in (it only creates the account). In development run `cargo xtask admin-password` (or `cargo xtask reset` to start over); elsewhere log in with the current password, or remove BOOTSTRAP_ADMIN_PASSWORD once the admin exists");
        return Ok(());
    }
    let hash = passwords.hash(password).await?;
    let id = user.id;
    with_conn(pool, move |conn| {
        use diesel::Connection;
        conn.transaction(|conn| {
            users::set_password_hash(conn, id, &hash)?;
            refresh_tokens::revoke_all_for_user(conn, id)?;
            Ok::<_, diesel::result::Error>(())
        })?;
        Ok(())
    })
    .await?;
    tracing::warn!(user_id = %id, "bootstrap admin password reset to BOOTSTRAP_ADMIN_PASSWORD (BOOTSTRAP_ADMIN_RESET)");
    Ok(())
}
