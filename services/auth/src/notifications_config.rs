//! E-mail notification settings: `SMTP_URL` (unset: no mail, said once at start),
//! `MAIL_FROM`, `MAIL_RETRY_SECONDS` (30, doubling with each failed try up to an hour),
//! `MAIL_MAX_ATTEMPTS` (10), `REMINDER_HOURS_BEFORE` (24) and
//! `NOTIFICATIONS_WEBHOOK_SECRET` (the `whsec_` secret appointment-service signs its
//! events to `POST /internal/events` with; unset: that inbox refuses everything).

use common::config::{ConfigError, Secret, var_opt, var_or};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct NotificationSettings {
    /// `smtp://host:port` (plain), `smtp://host:port?tls=required` (STARTTLS) or
    /// `smtps://host:port`, with `user:password@` when the server wants a login.
    pub smtp_url: Option<Secret>,
    pub mail_from: String,
    /// A mail the server could not take for now is tried again after this, doubled with
    /// each failed try (at most an hour).
    pub retry: Duration,
    /// Tries before a mail the server keeps failing to take is given up (a permanent
    /// refusal gives it up at once).
    pub max_attempts: u32,
    pub reminder_before: Duration,
    pub webhook_secret: Option<Secret>,
    /// Where links in mail point (`PUBLIC_PORTAL_URL`): the web app's pages.
    pub portal_url: String,
}

impl NotificationSettings {
    pub fn from_env() -> Result<Self, ConfigError> {
        let secret = var_opt::<String>("NOTIFICATIONS_WEBHOOK_SECRET")?;
        if secret.as_deref().is_some_and(|s| !s.starts_with("whsec_")) {
            return Err(ConfigError::Invalid {
                name: "NOTIFICATIONS_WEBHOOK_SECRET",
                reason: "must be a whsec_ secret".into(),
            });
        }
        let hours: u64 = var_or("REMINDER_HOURS_BEFORE", 24)?;
        Ok(Self {
            smtp_url: var_opt::<String>("SMTP_URL")?.map(Secret::new),
            mail_from: var_or("MAIL_FROM", "Healthcare <no-reply@localhost>".to_owned())?,
            retry: Duration::from_secs(var_or("MAIL_RETRY_SECONDS", 30u64)?.max(1)),
            max_attempts: var_or("MAIL_MAX_ATTEMPTS", 10u32)?.max(1),
            reminder_before: Duration::from_secs(hours * 3600),
            webhook_secret: secret.map(Secret::new),
            portal_url: var_or("PUBLIC_PORTAL_URL", "http://localhost:8000".to_owned())?
                .trim_end_matches('/')
                .to_owned(),
        })
    }

    /// Off: no SMTP server, no inbox secret.
    pub fn off() -> Self {
        Self {
            smtp_url: None,
            mail_from: "Healthcare <no-reply@localhost>".into(),
            retry: Duration::from_secs(30),
            max_attempts: 10,
            reminder_before: Duration::from_secs(24 * 3600),
            webhook_secret: None,
            portal_url: "http://localhost:8000".into(),
        }
    }
}
