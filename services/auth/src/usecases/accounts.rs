//! Creating an account: self-registration (patients and doctors) and by an admin (any
//! role). Both go through `create`, after the password was hashed off the async workers.

use crate::db::models::{NewUser, User};
use crate::db::users;
use crate::domain::account::NewAccount;
use common::audit::{Action, AuditContext, store as audit_store};
use common::auth::AuthenticatedUser;
use common::db::ConflictOnUnique;
use common::{ApiError, Role, UserId};
use diesel::{Connection, PgConnection};

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
