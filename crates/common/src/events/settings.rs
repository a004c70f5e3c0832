//! Webhook delivery settings: `WEBHOOK_RETRY_BASE_SECONDS` (5), `WEBHOOK_MAX_ATTEMPTS` (15),
//! `WEBHOOK_ALLOW_PRIVATE_URLS` (false).

use crate::config::{ConfigError, var_or};
use std::time::Duration;

#[derive(Debug, Clone, Copy)]
pub struct EventSettings {
    /// The first retry's delay; each next one doubles it (with jitter).
    pub retry_base: Duration,
    /// Attempts before a delivery is `failed`: 15 from 5 s is about a day.
    pub max_attempts: u32,
    /// Lets subscriptions reach private, loopback and link-local addresses (a receiver
    /// inside the clinic's network, or a test's).
    pub allow_private_urls: bool,
    /// A receiver answers within this, or the attempt failed.
    pub timeout: Duration,
}

impl EventSettings {
    pub fn from_env() -> Result<Self, ConfigError> {
        let base: u64 = var_or("WEBHOOK_RETRY_BASE_SECONDS", 5)?;
        let attempts: u32 = var_or("WEBHOOK_MAX_ATTEMPTS", 15)?;
        if base == 0 || attempts == 0 {
            return Err(ConfigError::Invalid {
                name: "WEBHOOK_RETRY_BASE_SECONDS",
                reason: "it and WEBHOOK_MAX_ATTEMPTS must be at least 1".into(),
            });
        }
        Ok(Self {
            retry_base: Duration::from_secs(base),
            max_attempts: attempts,
            allow_private_urls: var_or("WEBHOOK_ALLOW_PRIVATE_URLS", false)?,
            timeout: Duration::from_secs(10),
        })
    }

    /// What a test starts with: the defaults, private addresses allowed (its receiver is on
    /// loopback).
    pub fn for_tests() -> Self {
        Self {
            retry_base: Duration::from_secs(5),
            max_attempts: 15,
            allow_private_urls: true,
            timeout: Duration::from_secs(10),
        }
    }
}
