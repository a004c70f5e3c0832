//! Counting a typed password against the failure budgets (`domain::rate_limit`) before it
//! is hashed, and handing the attempt back when it was right. Logins and the current
//! password that guards a password or e-mail change go through here alike.

use crate::db::login_attempts;
use crate::domain::rate_limit::{self, Account, Count, LoginBudgets};
use chrono::Utc;
use common::ApiError;
use diesel::PgConnection;

/// Counts one attempt on `account` from `client` and answers what was counted, or 429
/// when a budget is spent (the attempt is then handed back: a refusal is no failure).
pub fn count(
    conn: &mut PgConnection,
    budgets: LoginBudgets,
    account: &Account,
    client: &str,
) -> Result<Vec<Count>, ApiError> {
    if budgets == LoginBudgets::OFF {
        return Ok(Vec::new());
    }
    let counted = login_attempts::record(conn, &rate_limit::login_buckets(account, client))?;
    if let Err(limited) = rate_limit::decide_login(budgets, &counted, Utc::now()) {
        login_attempts::release(conn, &counted)?;
        return Err(limited);
    }
    Ok(counted)
}

/// A right password is no failure: its counted attempt is handed back.
pub fn hand_back(conn: &mut PgConnection, counted: &[Count]) -> Result<(), ApiError> {
    if !counted.is_empty() {
        login_attempts::release(conn, counted)?;
    }
    Ok(())
}
