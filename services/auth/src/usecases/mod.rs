//! What a request does once the route has extracted and validated it: hashing off the
//! async workers, the transaction, the domain's rules applied to what the database holds,
//! and the audit event that commits with the write. No HTTP here; routes map the results.

pub mod accounts;
pub mod bootstrap;
pub mod email_verification;
pub mod notifications;
pub mod password_attempts;
pub mod password_reset;
pub mod profile;
pub mod revocation;
pub mod sessions;

/// Policy knobs fixed at startup that the use cases share beyond the pool.
pub struct SessionPolicy {
    pub refresh_ttl: std::time::Duration,
    pub attempts: password_attempts::AttemptLimits,
    /// Sign-ups per client address per minute; 0 turns the limit off.
    pub sign_ups_per_address_per_minute: u32,
    /// Key for idempotency fingerprints (register bodies carry passwords).
    pub idempotency_secret: Vec<u8>,
    pub verification: email_verification::VerificationPolicy,
}
