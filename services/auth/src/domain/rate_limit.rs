//! Login and sign-up limits, per one-minute window, counted in the database so replicas
//! share them, and decided before any hashing (a refused attempt costs no argon2 time).
//!
//! Logins count **failures** only: a right password from an address that has not failed
//! is never the victim of someone else's guessing. Three budgets:
//! - per account and client address (`per_account_and_address`): past it, that address
//!   gets 429 for that account, even with the right password;
//! - per account from all addresses (`per_account`): past it, addresses that have failed
//!   on the account get 429; one that has not still logs in;
//! - per client address over all accounts (`per_address`).
//!
//! Every attempt is counted when it starts (so concurrent guesses cannot all slip past a
//! check), and handed back when it succeeds or is refused by a limit: what stays counted
//! are wrong passwords and unknown accounts. Sign-ups count every attempt per address.
//!
//! The current password that guards a password or e-mail change counts in the same
//! budgets as a login, so a stolen access token buys no more guesses than the login form.
//! An account is keyed by its id (however its address was typed: PostgreSQL's and Rust's
//! lower-casing differ on letters such as `İ`), an unknown one by the address as typed; an
//! IPv6 client by its /64, which one subscriber holds whole.

use chrono::{DateTime, Utc};
use common::ApiError;
use common::client_address::client_key;

pub const WINDOW_SECONDS: i64 = 60;

/// Failed logins allowed per window; 0 turns a budget off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginBudgets {
    pub per_account_and_address: u32,
    pub per_account: u32,
    pub per_address: u32,
    /// Failed attempts on one account in an hour, from all addresses together, past which
    /// only addresses that signed in to it before get through (contract part 3 section 10).
    pub account_ceiling_per_hour: u32,
}

impl LoginBudgets {
    /// No limit at all (then nothing is counted).
    pub const OFF: Self = Self {
        per_account_and_address: 0,
        per_account: 0,
        per_address: 0,
        account_ceiling_per_hour: 0,
    };
}

/// Whose password is being tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Account {
    Known(common::UserId),
    /// No account has the address typed: counted by that address, lower-cased.
    Unknown(String),
}

impl Account {
    pub fn unknown(typed_email: &str) -> Self {
        Self::Unknown(typed_email.trim().to_lowercase())
    }

    fn key(&self) -> String {
        match self {
            Self::Known(id) => format!("id:{id}"),
            Self::Unknown(email) => format!("email:{email}"),
        }
    }
}

/// The buckets one password attempt counts in: pair, account, address.
pub fn login_buckets(account: &Account, client_address: &str) -> [String; 3] {
    let (account, client) = (account.key(), client_key(client_address));
    [
        format!("pair:{account}|{client}"),
        format!("account:{account}"),
        format!("address:{client}"),
    ]
}

/// The bucket of the hourly ceiling: known accounts only (an unknown address has nothing
/// to protect).
pub fn ceiling_bucket(account: &Account) -> Option<String> {
    match account {
        Account::Known(id) => Some(format!("ceiling:{id}")),
        Account::Unknown(_) => None,
    }
}

/// Whether `count` (this attempt included) is past the hourly ceiling: then only an
/// address the account signed in from before gets through, and the rest wait until the
/// hour ends (or the owner unlocks the account).
pub fn decide_ceiling(
    ceiling: u32,
    count: &Count,
    known_address: bool,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    if known_address || !over(ceiling, count.attempts) {
        return Ok(());
    }
    let remaining = (count.window_start.timestamp() + 3600 - now.timestamp()).max(1);
    Err(ApiError::RateLimited {
        retry_after_secs: u64::try_from(remaining).unwrap_or(1),
    })
}

pub fn sign_up_bucket(client_address: &str) -> String {
    format!("register:{}", client_key(client_address))
}

/// A bucket's count in the current window, this attempt included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Count {
    pub bucket: String,
    pub attempts: i32,
    pub window_start: DateTime<Utc>,
}

fn over(budget: u32, attempts: i32) -> bool {
    budget > 0 && i64::from(attempts) > i64::from(budget)
}

fn retry_after(window_start: DateTime<Utc>, now: DateTime<Utc>) -> ApiError {
    let remaining = (window_start.timestamp() + WINDOW_SECONDS - now.timestamp()).max(1);
    ApiError::RateLimited {
        retry_after_secs: u64::try_from(remaining).unwrap_or(1),
    }
}

/// Lets a login attempt through, or answers 429 with the seconds until its window ends.
/// `counts` are those of `login_buckets`, after counting this attempt.
pub fn decide_login(
    budgets: LoginBudgets,
    counts: &[Count],
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let of = |prefix: &str| counts.iter().find(|c| c.bucket.starts_with(prefix));
    let (Some(pair), Some(account), Some(address)) = (of("pair:"), of("account:"), of("address:"))
    else {
        return Ok(());
    };
    let failed_here_before = pair.attempts > 1;
    if over(budgets.per_account_and_address, pair.attempts) {
        return Err(retry_after(pair.window_start, now));
    }
    if over(budgets.per_address, address.attempts) {
        return Err(retry_after(address.window_start, now));
    }
    if failed_here_before && over(budgets.per_account, account.attempts) {
        return Err(retry_after(account.window_start, now));
    }
    Ok(())
}

/// Lets a sign-up through, or answers 429.
pub fn decide_sign_up(per_address: u32, count: &Count, now: DateTime<Utc>) -> Result<(), ApiError> {
    if over(per_address, count.attempts) {
        return Err(retry_after(count.window_start, now));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUDGETS: LoginBudgets = LoginBudgets {
        per_account_and_address: 10,
        per_account: 50,
        per_address: 100,
        account_ceiling_per_hour: 40,
    };

    fn counts(pair: i32, account: i32, address: i32) -> Vec<Count> {
        let window_start = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let [p, a, d] = login_buckets(&Account::unknown("Ann@Example.com"), "203.0.113.9");
        [(p, pair), (a, account), (d, address)]
            .into_iter()
            .map(|(bucket, attempts)| Count {
                bucket,
                attempts,
                window_start,
            })
            .collect()
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_015, 0).unwrap()
    }

    #[test]
    fn the_eleventh_attempt_after_ten_failures_waits_for_the_window_to_end() {
        assert!(decide_login(BUDGETS, &counts(10, 10, 10), now()).is_ok());
        match decide_login(BUDGETS, &counts(11, 11, 11), now()) {
            Err(ApiError::RateLimited { retry_after_secs }) => assert_eq!(retry_after_secs, 45),
            other => panic!("expected 429, got {other:?}"),
        }
    }

    #[test]
    fn an_account_under_attack_still_admits_an_address_that_has_not_failed() {
        assert!(decide_login(BUDGETS, &counts(1, 80, 1), now()).is_ok());
        assert!(decide_login(BUDGETS, &counts(2, 80, 2), now()).is_err());
    }

    #[test]
    fn an_address_past_its_budget_is_refused_for_every_account() {
        assert!(decide_login(BUDGETS, &counts(1, 1, 101), now()).is_err());
    }

    #[test]
    fn an_ipv6_subscriber_counts_as_its_slash_64() {
        use common::client_address::client_key;
        assert_eq!(client_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(
            client_key("2001:db8:1:2:ffff::9"),
            client_key("2001:db8:1:2::1")
        );
        assert_ne!(client_key("2001:db8:1:3::1"), client_key("2001:db8:1:2::1"));
        assert_eq!(client_key("::ffff:203.0.113.9"), "203.0.113.9");
        assert_eq!(client_key("203.0.113.9"), "203.0.113.9");
    }

    #[test]
    fn zero_turns_a_budget_off() {
        assert!(decide_login(LoginBudgets::OFF, &counts(1000, 1000, 1000), now()).is_ok());
    }
}
