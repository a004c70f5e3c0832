//! Counting a typed password against the failure budgets (`domain::rate_limit`) before it
//! is hashed, and handing the attempt back when it was right. Logins and the current
//! password that guards a password or e-mail change go through here alike.
//!
//! Past the hourly ceiling of an account, an address that never signed in to it is
//! refused even with the right password, and the owner is mailed one unlock link per
//! locked hour (`POST /auth/unlock`).

use crate::db::{login_attempts, notifications, sign_ins, users};
use crate::domain::notifications as mails;
use crate::domain::rate_limit::{self, Account, Count, LoginBudgets};
use crate::domain::tokens::{hash_refresh_token, new_refresh_token};
use chrono::Utc;
use common::client_address::client_key;
use common::{ApiError, UserId};
use diesel::PgConnection;

/// The budgets, and where the unlock link points.
#[derive(Debug, Clone)]
pub struct AttemptLimits {
    pub budgets: LoginBudgets,
    pub portal_url: String,
}

/// What one attempt counted, to hand back when the password was right.
#[derive(Debug, Default)]
pub struct Counted {
    minute: Vec<Count>,
    hourly: Option<Count>,
}

/// Counts one attempt on `account` from `client` and answers what was counted, or 429
/// when a budget or the ceiling is spent (the attempt is then handed back: a refusal is
/// no failure).
pub fn count(
    conn: &mut PgConnection,
    limits: &AttemptLimits,
    account: &Account,
    client: &str,
) -> Result<Counted, ApiError> {
    let budgets = limits.budgets;
    if budgets == LoginBudgets::OFF {
        return Ok(Counted::default());
    }
    let minute = login_attempts::record(conn, &rate_limit::login_buckets(account, client))?;
    let hourly = match (
        budgets.account_ceiling_per_hour,
        rate_limit::ceiling_bucket(account),
    ) {
        (0, _) | (_, None) => None,
        (_, Some(bucket)) => Some(login_attempts::record_hourly(conn, &bucket)?),
    };
    let counted = Counted { minute, hourly };
    let decided = rate_limit::decide_login(budgets, &counted.minute, Utc::now())
        .and_then(|()| check_ceiling(conn, limits, account, client, counted.hourly.as_ref()));
    if let Err(limited) = decided {
        hand_back(conn, &counted)?;
        return Err(limited);
    }
    Ok(counted)
}

fn check_ceiling(
    conn: &mut PgConnection,
    limits: &AttemptLimits,
    account: &Account,
    client: &str,
    hourly: Option<&Count>,
) -> Result<(), ApiError> {
    let (Account::Known(user), Some(count)) = (account, hourly) else {
        return Ok(());
    };
    let ceiling = limits.budgets.account_ceiling_per_hour;
    if count.attempts <= i32::try_from(ceiling).unwrap_or(i32::MAX) {
        return Ok(());
    }
    let known = sign_ins::is_known(conn, *user, &client_key(client))?;
    let decided = rate_limit::decide_ceiling(ceiling, count, known, Utc::now());
    if decided.is_err() {
        mail_unlock_link(conn, *user, &limits.portal_url)?;
    }
    decided
}

/// Issues the owner's unlock link and queues its mail, once per locked hour.
fn mail_unlock_link(
    conn: &mut PgConnection,
    user: UserId,
    portal_url: &str,
) -> Result<(), ApiError> {
    let token = new_refresh_token()?;
    if !sign_ins::issue_unlock(conn, user, &token.hash)? {
        return Ok(());
    }
    if let Some(account) = users::find(conn, user)? {
        let link = format!("{portal_url}/unlock?token={}", token.token);
        notifications::queue_mail(conn, user, &mails::unlock(&account.first_name, &link))?;
        tracing::warn!(user = %user, "login ceiling reached; unlock link mailed to the owner");
    }
    Ok(())
}

/// A right password is no failure: its counted attempt is handed back; and the address it
/// came from is one the account signed in from.
pub fn hand_back(conn: &mut PgConnection, counted: &Counted) -> Result<(), ApiError> {
    if !counted.minute.is_empty() {
        login_attempts::release(conn, &counted.minute)?;
    }
    if let Some(hourly) = &counted.hourly {
        login_attempts::release(conn, std::slice::from_ref(hourly))?;
    }
    Ok(())
}

/// `user` signed in from `client` with the right password.
pub fn signed_in_from(conn: &mut PgConnection, user: UserId, client: &str) -> Result<(), ApiError> {
    Ok(sign_ins::remember(conn, user, &client_key(client))?)
}

/// `POST /auth/unlock`: the owner's link lifts the ceiling for the rest of the hour. A
/// token unknown, used or of an hour gone: 400 `invalid-token`.
pub fn unlock(conn: &mut PgConnection, token: &str) -> Result<(), ApiError> {
    let user =
        sign_ins::redeem_unlock(conn, &hash_refresh_token(token))?.ok_or(ApiError::InvalidToken)?;
    if let Some(bucket) = rate_limit::ceiling_bucket(&Account::Known(user)) {
        login_attempts::clear_hourly(conn, &bucket)?;
    }
    Ok(())
}
