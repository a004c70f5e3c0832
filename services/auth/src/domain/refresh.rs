//! What presenting a refresh token means, from the state of its row.

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presented {
    /// Current and alive: rotate it.
    Usable,
    /// Already rotated: someone is replaying an old token, so the login it belongs to is
    /// treated as stolen and every token of its family is revoked.
    Reused,
    /// Revoked (logout, password change, earlier reuse) or past the login's lifetime.
    Dead,
}

pub fn classify(
    rotated_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Presented {
    if revoked_at.is_some() || expires_at <= now {
        Presented::Dead
    } else if rotated_at.is_some() {
        Presented::Reused
    } else {
        Presented::Usable
    }
}
