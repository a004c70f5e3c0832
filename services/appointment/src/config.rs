//! Settings, read once at startup. Variables (default):
//! `APP_ENV` (development; `production` requires `DATABASE_URL`),
//! `HOST` (127.0.0.1), `PORT` (8002), `HTTP_WORKERS` (one per core), `SHUTDOWN_TIMEOUT_SECONDS` (30), `TRUSTED_PROXIES` (none),
//! `TLS_CERT_FILE` and `TLS_KEY_FILE` (unset: plain HTTP), `UPSTREAM_CA_FILE` (system roots only),
//! `PUBLIC_BASE_URL` (where clients reach the service, for the links it writes: FHIR Bundles,
//! the printed verify URL; else the request's own address),
//! `DATABASE_URL` (postgres://postgres@127.0.0.1:5432/healthcare_appointment),
//! `AUDIT_KEY_FILE` (required in production; else a key generated under `DATA_DIR`,
//! default `.data/appointment-service`), `DB_MAX_CONNECTIONS` (8), `DB_ACQUIRE_TIMEOUT_MS` (2000), `DB_STATEMENT_TIMEOUT_MS` (5000),
//! `AUTH_SERVICE_URL` (http://127.0.0.1:8001), `AUTH_PUBLIC_URL` (where clients reach
//! auth-service, for FHIR references to its Patients and Practitioners; `AUTH_SERVICE_URL`), `AUTH_JWKS_URL` (its /.well-known/jwks.json),
//! `JWT_PUBLIC_KEY_FILE` (static key instead of the JWKS), `JWT_ISSUER` (the issuer auth-service signed with before its URL, still accepted;
//! healthcare-auth; the current one is read from auth-service's RFC 8414 metadata),
//! `JWKS_REFETCH_INTERVAL_SECONDS` (5), `JWKS_REFRESH_SECONDS` (60), `JWT_AUDIENCE` (healthcare),
//! `AUTH_REVOCATIONS_URL` (its /auth/revocations), `REVOCATIONS_TOKEN` (required in production),
//! `REVOCATION_REFRESH_SECONDS` (10), `UPSTREAM_TIMEOUT_MS` (2000),
//! `HOLD_TTL_SECONDS` (300), `MAX_HOLDS_PER_PATIENT` (3), `WAITLIST_OFFER_TTL_SECONDS` (900),
//! `CALENDAR_FEED_PATIENT_NAMES` (false: a doctor's calendar feed names no patient),
//! `MAX_WAITLIST_ENTRIES_PER_PATIENT` (10), `CANCELLATION_GRACE_MINUTES` (15: a patient may
//! still cancel or move a booking inside the cancellation notice for this long after making it), `MAX_HOLDS_PER_DOCTOR_PER_ADDRESS` (4),
//! `WEBHOOK_RETRY_BASE_SECONDS` (5), `WEBHOOK_MAX_ATTEMPTS` (15), `WEBHOOK_ALLOW_PRIVATE_URLS` (false),
//! `NATS_URL` (no relay), `NOTIFICATIONS_WEBHOOK_SECRET` + `NOTIFICATIONS_WEBHOOK_URL`
//! (auth-service's inbox, for e-mail; default `AUTH_SERVICE_URL`/internal/events),
//! `PRESCRIPTIONS_WEBHOOK_SECRET` + `PRESCRIPTIONS_WEBHOOK_URL` (prescription-service's
//! inbox, for cancelled visits; default `PRESCRIPTION_SERVICE_URL` (http://127.0.0.1:8003)
//! /internal/events),
//! `EMAIL_VERIFICATION_REQUIRED` (false: see `common::auth::EmailVerification`),
//! `LOG_FORMAT` (text | json), `RUST_LOG` (info).

use crate::domain::appointment::CancellationGrace;
use crate::domain::calendar::CalendarSettings;
use common::audit::AuditSettings;
use common::auth::VerifierSettings;
use common::config::{
    ConfigError, Environment, HttpSettings, LogFormat, environment, var_opt, var_or,
};
use common::db::DbSettings;
use common::events::EventSettings;
use common::events::settings::NotifyTarget;
use common::fhir::references::{AUTH_SERVICE_KINDS, ReferenceBases};
use common::upstream::UpstreamSettings;

#[derive(Debug, Clone)]
pub struct Settings {
    pub environment: Environment,
    pub http: HttpSettings,
    pub database: DbSettings,
    pub audit: AuditSettings,
    pub tokens: VerifierSettings,
    /// `EMAIL_VERIFICATION_REQUIRED` (false).
    pub email_verification: common::auth::EmailVerification,
    pub auth_service: UpstreamSettings,
    /// Where FHIR references to auth-service's resources point (`AUTH_PUBLIC_URL`).
    pub fhir_references: ReferenceBases,
    pub holds: HoldSettings,
    pub cancellation_grace: CancellationGrace,
    pub calendar: CalendarSettings,
    pub events: EventSettings,
    pub log_format: LogFormat,
}

/// How long a slot is kept for a patient who has not confirmed yet.
#[derive(Debug, Clone, Copy)]
pub struct HoldSettings {
    /// A patient's own hold (`"hold": true` on booking).
    pub ttl: std::time::Duration,
    /// Unexpired holds one patient may have at once.
    pub max_per_patient: u32,
    /// A hold the waitlist offers: long enough to see the e-mail and answer it.
    pub offer_ttl: std::time::Duration,
    /// Waiting or offered waitlist entries one patient may have at once.
    pub max_waitlist_entries_per_patient: u32,
    /// Unexpired holds on one doctor asked from one client address (an IPv6 client's
    /// /64), whichever accounts asked; 0 turns it off.
    pub max_per_doctor_per_address: u32,
}

impl HoldSettings {
    pub fn from_env() -> Result<Self, ConfigError> {
        let seconds =
            |name: &'static str, default: u64| -> Result<std::time::Duration, ConfigError> {
                match var_or(name, default)? {
                    0 => Err(ConfigError::Invalid {
                        name,
                        reason: "must be at least 1 second".into(),
                    }),
                    n => Ok(std::time::Duration::from_secs(n)),
                }
            };
        Ok(Self {
            ttl: seconds("HOLD_TTL_SECONDS", 300)?,
            max_per_patient: var_or("MAX_HOLDS_PER_PATIENT", 3)?,
            offer_ttl: seconds("WAITLIST_OFFER_TTL_SECONDS", 900)?,
            max_waitlist_entries_per_patient: var_or("MAX_WAITLIST_ENTRIES_PER_PATIENT", 10)?,
            max_per_doctor_per_address: var_or("MAX_HOLDS_PER_DOCTOR_PER_ADDRESS", 4)?,
        })
    }

    pub fn defaults() -> Self {
        Self {
            ttl: std::time::Duration::from_secs(300),
            max_per_patient: 3,
            offer_ttl: std::time::Duration::from_secs(900),
            max_waitlist_entries_per_patient: 10,
            max_per_doctor_per_address: 4,
        }
    }
}

/// The host of `url`, for calendar `UID`s (`localhost` for an address that has none).
fn host_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|url| url.host_str().map(str::to_owned))
        .unwrap_or_else(|| "localhost".to_owned())
}

impl Settings {
    pub fn from_env() -> Result<Self, ConfigError> {
        let environment = environment()?;
        let auth_service = UpstreamSettings::from_env("AUTH_SERVICE_URL", "http://127.0.0.1:8001")?;
        let auth_inbox = format!("{}/internal/events", auth_service.url.trim_end_matches('/'));
        let http = HttpSettings::from_env(8002)?;
        Ok(Self {
            environment,
            calendar: CalendarSettings {
                uid_host: host_of(&http.own_url()),
                feed_patient_names: var_or("CALENDAR_FEED_PATIENT_NAMES", false)?,
            },
            http,
            database: DbSettings::from_env("healthcare_appointment", environment)?,
            audit: AuditSettings::from_env(crate::SERVICE_NAME, environment)?,
            tokens: VerifierSettings::from_env(&auth_service.url, environment)?,
            email_verification: common::auth::EmailVerification::from_env()?,
            fhir_references: ReferenceBases::default().served_by_peer(
                "AUTH_PUBLIC_URL",
                &auth_service.url,
                AUTH_SERVICE_KINDS,
            )?,
            auth_service,
            holds: HoldSettings::from_env()?,
            cancellation_grace: CancellationGrace(chrono::Duration::minutes(var_or(
                "CANCELLATION_GRACE_MINUTES",
                15,
            )?)),
            events: EventSettings {
                notifications: NotifyTarget::with_default_url(
                    var_opt("NOTIFICATIONS_WEBHOOK_URL")?,
                    auth_inbox,
                    var_opt("NOTIFICATIONS_WEBHOOK_SECRET")?,
                    "NOTIFICATIONS_WEBHOOK_SECRET",
                )?,
                prescriptions: NotifyTarget::with_default_url(
                    var_opt("PRESCRIPTIONS_WEBHOOK_URL")?,
                    format!(
                        "{}/internal/events",
                        var_or(
                            "PRESCRIPTION_SERVICE_URL",
                            "http://127.0.0.1:8003".to_owned()
                        )?
                        .trim_end_matches('/')
                    ),
                    var_opt("PRESCRIPTIONS_WEBHOOK_SECRET")?,
                    "PRESCRIPTIONS_WEBHOOK_SECRET",
                )?,
                ..EventSettings::from_env()?
            },
            log_format: var_or("LOG_FORMAT", LogFormat::Text)?,
        })
    }

    /// The settings of a service started in-process by a test, read from nowhere: a free
    /// port, a small pool on `database_url`, no trusted signing key and auth-service down
    /// (nothing listens on port 9). Tests override what they are about.
    pub fn for_tests(database_url: &str) -> Self {
        Self {
            environment: Environment::Development,
            http: HttpSettings::ephemeral(),
            database: DbSettings::for_tests(database_url),
            audit: AuditSettings::for_tests(),
            tokens: VerifierSettings::trusting(Vec::new()),
            email_verification: common::auth::EmailVerification::default(),
            auth_service: UpstreamSettings::for_tests("http://127.0.0.1:9"),
            fhir_references: ReferenceBases::default()
                .served_by("http://127.0.0.1:9", AUTH_SERVICE_KINDS),
            holds: HoldSettings::defaults(),
            cancellation_grace: CancellationGrace(chrono::Duration::minutes(15)),
            calendar: CalendarSettings {
                uid_host: "localhost".into(),
                feed_patient_names: false,
            },
            events: EventSettings::for_tests(),
            log_format: LogFormat::Text,
        }
    }
}
