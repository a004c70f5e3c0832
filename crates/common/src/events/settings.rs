//! Webhook delivery settings: `WEBHOOK_RETRY_BASE_SECONDS` (5), `WEBHOOK_MAX_ATTEMPTS` (15),
//! `WEBHOOK_ALLOW_PRIVATE_URLS` (false), `NATS_URL` for the JetStream relay, and the
//! subscriptions a service keeps from its own configuration (appointment-service: for
//! auth-service's e-mail and for prescription-service), each a URL and a secret read by
//! that service's config (`NotifyTarget::from_pair`).

use crate::config::{ConfigError, Secret, var_opt, var_or};
use std::time::Duration;

/// A subscription the service itself keeps (auth-service's inbox for e-mail,
/// prescription-service's for cancelled visits).
#[derive(Debug, Clone)]
pub struct NotifyTarget {
    pub url: String,
    /// `whsec_...`, the same value the receiver verifies with.
    pub secret: Secret,
}

impl NotifyTarget {
    /// The secret and the URL, which defaults to `default_url` (the peer's inbox under its
    /// `*_SERVICE_URL`): a service wired by the contract's variables alone needs only the
    /// shared secret. A URL without a secret is an error (`secret_variable` names it);
    /// neither is none (the caller says so loudly at start).
    pub fn with_default_url(
        url: Option<String>,
        default_url: String,
        secret: Option<String>,
        secret_variable: &'static str,
    ) -> Result<Option<Self>, ConfigError> {
        match (url, secret) {
            (None, None) => Ok(None),
            (url, secret) => {
                Self::from_pair(Some(url.unwrap_or(default_url)), secret, secret_variable)
            }
        }
    }

    /// A URL and its secret, both set or neither; `secret_variable` names the pair in the
    /// error.
    pub fn from_pair(
        url: Option<String>,
        secret: Option<String>,
        secret_variable: &'static str,
    ) -> Result<Option<Self>, ConfigError> {
        match (url, secret) {
            (Some(url), Some(secret)) if secret.starts_with("whsec_") => Ok(Some(Self {
                url,
                secret: Secret::new(secret),
            })),
            (None, None) => Ok(None),
            _ => Err(ConfigError::Invalid {
                name: secret_variable,
                reason: "set it (whsec_...) together with its webhook URL, or neither".into(),
            }),
        }
    }
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
    /// auth-service's inbox, for the patients' e-mail.
    pub notifications: Option<NotifyTarget>,
    /// prescription-service's inbox, for the prescriptions of cancelled visits.
    pub prescriptions: Option<NotifyTarget>,
    /// Where the relay publishes every event (`nats://host:4222`); none = no relay. A
    /// secret because it may carry credentials (`nats://user:password@host`).
    pub nats_url: Option<Secret>,
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
            notifications: None,
            prescriptions: None,
            nats_url: var_opt("NATS_URL")?,
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
            prescriptions: None,
            nats_url: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_dGVzdCBub3RpZmljYXRpb25zIHNlY3JldCBvZiAzMiBieXRlcw==";

    #[test]
    fn the_secret_alone_wires_a_target_at_its_default_url() {
        let default = "http://auth:8001/internal/events".to_owned();
        let wired = NotifyTarget::with_default_url(None, default.clone(), Some(SECRET.into()), "S")
            .unwrap()
            .unwrap();
        assert_eq!(wired.url, default);
        let elsewhere = NotifyTarget::with_default_url(
            Some("https://inbox.example/hooks".into()),
            default.clone(),
            Some(SECRET.into()),
            "S",
        )
        .unwrap()
        .unwrap();
        assert_eq!(elsewhere.url, "https://inbox.example/hooks");
        assert!(
            NotifyTarget::with_default_url(None, default.clone(), None, "S")
                .unwrap()
                .is_none()
        );
        assert!(
            NotifyTarget::with_default_url(Some("https://x".into()), default, None, "S").is_err(),
            "a URL without its secret is a mistake to say, not to guess"
        );
    }
}
