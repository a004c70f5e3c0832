//! Login rate limit: at most N attempts per one-minute window per account and per client
//! address (counted whether they succeed or not, and before any hashing, so a limited
//! attempt costs no argon2 time). The counters live in the database so replicas share them.

use chrono::{DateTime, Utc};
use common::ApiError;

pub const WINDOW_SECONDS: i64 = 60;

pub fn buckets(normalized_email: &str, client_address: &str) -> [String; 2] {
    [
        format!("account:{normalized_email}"),
        format!("address:{client_address}"),
    ]
}

/// Given the counts after recording this attempt, lets it through or answers 429 with the
/// seconds until the window ends.
pub fn decide(
    per_minute: u32,
    counts: &[(i32, DateTime<Utc>)],
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let limited = counts
        .iter()
        .filter(|(attempts, _)| i64::from(*attempts) > i64::from(per_minute))
        .map(|(_, window_start)| *window_start)
        .max();
    match limited {
        None => Ok(()),
        Some(window_start) => {
            let remaining = (window_start.timestamp() + WINDOW_SECONDS - now.timestamp()).max(1);
            Err(ApiError::RateLimited {
                retry_after_secs: u64::try_from(remaining).unwrap_or(1),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_attempt_over_the_limit_waits_for_the_window_to_end() {
        let window = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let now = window + chrono::Duration::seconds(15);
        assert!(decide(10, &[(10, window), (3, window)], now).is_ok());
        match decide(10, &[(11, window), (3, window)], now) {
            Err(ApiError::RateLimited { retry_after_secs }) => assert_eq!(retry_after_secs, 45),
            other => panic!("expected 429, got {other:?}"),
        }
    }
}
