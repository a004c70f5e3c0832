//! Webhook delivery settings: `WEBHOOK_RETRY_BASE_SECONDS` (5), `WEBHOOK_MAX_ATTEMPTS` (15),
//! `WEBHOOK_ALLOW_PRIVATE_URLS` (false), and the subscription the service keeps for
//! auth-service's e-mail notifications: `NOTIFICATIONS_WEBHOOK_URL` with
//! `NOTIFICATIONS_WEBHOOK_SECRET` (both or neither).

use crate::config::{ConfigError, Secret, var_opt, var_or};
use std::time::Duration;

/// A subscription the service itself keeps (e-mail notifications: auth-service's inbox).
#[derive(Debug, Clone)]
pub struct NotifyTarget {
    pub url: String,
    /// `whsec_...`, the same value auth-service verifies with.
    pub secret: Secret,
}

#[derive(Debug, Clone)]
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
    pub notifications: Option<NotifyTarget>,
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
        let notifications = match (
            var_opt::<String>("NOTIFICATIONS_WEBHOOK_URL")?,
            var_opt::<String>("NOTIFICATIONS_WEBHOOK_SECRET")?,
        ) {
            (Some(url), Some(secret)) if secret.starts_with("whsec_") => Some(NotifyTarget {
                url,
                secret: Secret::new(secret),
            }),
            (None, None) => None,
            _ => {
                return Err(ConfigError::Invalid {
                    name: "NOTIFICATIONS_WEBHOOK_SECRET",
                    reason:
                        "set it (whsec_...) together with NOTIFICATIONS_WEBHOOK_URL, or neither"
                            .into(),
                });
            }
        };
        Ok(Self {
            retry_base: Duration::from_secs(base),
            max_attempts: attempts,
            allow_private_urls: var_or("WEBHOOK_ALLOW_PRIVATE_URLS", false)?,
            timeout: Duration::from_secs(10),
            notifications,
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
            notifications: None,
        }
    }
}
