//! Settings, read once at startup. Variables (default):
//! `APP_ENV` (development; `production` requires `DATABASE_URL`),
//! `HOST` (127.0.0.1), `PORT` (8003), `HTTP_WORKERS` (one per core), `SHUTDOWN_TIMEOUT_SECONDS` (30), `TRUSTED_PROXIES` (none),
//! `TLS_CERT_FILE` and `TLS_KEY_FILE` (unset: plain HTTP), `UPSTREAM_CA_FILE` (system roots only),
//! `PUBLIC_BASE_URL` (where clients reach the service, for the links it writes: FHIR Bundles,
//! the printed verify URL; else the request's own address),
//! `DATABASE_URL` (postgres://postgres@127.0.0.1:5432/healthcare_prescription),
//! `AUDIT_KEY_FILE` (required in production; else a key generated under `DATA_DIR`,
//! default `.data/prescription-service`), `DB_MAX_CONNECTIONS` (8), `DB_ACQUIRE_TIMEOUT_MS` (2000), `DB_STATEMENT_TIMEOUT_MS` (5000),
//! `APPOINTMENT_SERVICE_URL` (http://127.0.0.1:8002), `UPSTREAM_TIMEOUT_MS` (2000),
//! `AUTH_SERVICE_URL` (http://127.0.0.1:8001), `AUTH_PUBLIC_URL` and `APPOINTMENT_PUBLIC_URL`
//! (where clients reach the peers, for FHIR references to their resources; their
//! `*_SERVICE_URL`), `AUTH_JWKS_URL` (its /.well-known/jwks.json),
//! `JWT_PUBLIC_KEY_FILE` (static key instead of the JWKS), `JWT_ISSUER` (the issuer auth-service signed with before its URL, still accepted;
//! healthcare-auth; the current one is read from auth-service's RFC 8414 metadata),
//! `JWKS_REFETCH_INTERVAL_SECONDS` (5), `JWKS_REFRESH_SECONDS` (60), `JWT_AUDIENCE` (healthcare),
//! `AUTH_REVOCATIONS_URL` (its /auth/revocations), `REVOCATIONS_TOKEN` (required in production),
//! `REVOCATION_REFRESH_SECONDS` (10), `WEBHOOK_RETRY_BASE_SECONDS` (5), `WEBHOOK_MAX_ATTEMPTS` (15),
//! `WEBHOOK_ALLOW_PRIVATE_URLS` (false), `NATS_URL` (no relay),
//! `PRESCRIPTION_SIGNING_KEY_FILE` (required in production; else a key generated under
//! `DATA_DIR`), `PRESCRIPTION_ADDITIONAL_PUBLIC_KEY_FILES` (retired keys still published),
//! `PRESCRIPTIONS_WEBHOOK_SECRET` (what appointment-service signs cancelled visits with),
//! `EMAIL_VERIFICATION_REQUIRED` (false: see `common::auth::EmailVerification`),
//! `LOG_FORMAT` (text | json), `RUST_LOG` (info).

use common::audit::AuditSettings;
use common::auth::VerifierSettings;
use common::config::{
    ConfigError, Environment, HttpSettings, LogFormat, environment, list, var_opt, var_or,
};
use common::db::DbSettings;
use common::events::EventSettings;
use common::fhir::references::{APPOINTMENT_SERVICE_KINDS, AUTH_SERVICE_KINDS, ReferenceBases};
use common::signing_key::SigningSettings;
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
    pub appointment_service: UpstreamSettings,
    /// Where FHIR references to the peers' resources point (`AUTH_PUBLIC_URL`,
    /// `APPOINTMENT_PUBLIC_URL`).
    pub fhir_references: ReferenceBases,
    pub events: EventSettings,
    /// The key every version is signed with.
    pub signing: SigningSettings,
    /// What appointment-service signs its cancelled-visit deliveries with (`whsec_...`);
    /// unset: `POST /internal/events` refuses every delivery.
    pub inbox_secret: Option<common::config::Secret>,
    pub log_format: LogFormat,
}

impl Settings {
    pub fn from_env() -> Result<Self, ConfigError> {
        let environment = environment()?;
        let auth_url = var_or("AUTH_SERVICE_URL", "http://127.0.0.1:8001".to_owned())?;
        let appointment_service =
            UpstreamSettings::from_env("APPOINTMENT_SERVICE_URL", "http://127.0.0.1:8002")?;
        Ok(Self {
            environment,
            http: HttpSettings::from_env(8003)?,
            database: DbSettings::from_env("healthcare_prescription", environment)?,
            audit: AuditSettings::from_env(crate::SERVICE_NAME, environment)?,
            tokens: VerifierSettings::from_env(&auth_url, environment)?,
            email_verification: common::auth::EmailVerification::from_env()?,
            fhir_references: ReferenceBases::default()
                .served_by_peer("AUTH_PUBLIC_URL", &auth_url, AUTH_SERVICE_KINDS)?
                .served_by_peer(
                    "APPOINTMENT_PUBLIC_URL",
                    &appointment_service.url,
                    APPOINTMENT_SERVICE_KINDS,
                )?,
            appointment_service,
            events: EventSettings::from_env()?,
            signing: SigningSettings::from_env(
                var_opt("PRESCRIPTION_SIGNING_KEY_FILE")?,
                list("PRESCRIPTION_ADDITIONAL_PUBLIC_KEY_FILES"),
                crate::usecases::signing::KEY_NAMES,
                crate::SERVICE_NAME,
                environment,
            )?,
            inbox_secret: var_opt("PRESCRIPTIONS_WEBHOOK_SECRET")?,
            log_format: var_or("LOG_FORMAT", LogFormat::Text)?,
        })
    }

    /// The settings of a service started in-process by a test, read from nowhere: a free
    /// port, a small pool on `database_url`, no trusted signing key and appointment-service
    /// down (nothing listens on port 9). Tests override what they are about.
    pub fn for_tests(database_url: &str) -> Self {
        Self {
            environment: Environment::Development,
            http: HttpSettings::ephemeral(),
            database: DbSettings::for_tests(database_url),
            audit: AuditSettings::for_tests(),
            tokens: VerifierSettings::trusting(Vec::new()),
            email_verification: common::auth::EmailVerification::default(),
            appointment_service: UpstreamSettings::for_tests("http://127.0.0.1:9"),
            fhir_references: ReferenceBases::default()
                .served_by("http://127.0.0.1:9", AUTH_SERVICE_KINDS)
                .served_by("http://127.0.0.1:9", APPOINTMENT_SERVICE_KINDS),
            events: EventSettings::for_tests(),
            signing: SigningSettings::for_tests(),
            inbox_secret: None,
            log_format: LogFormat::Text,
        }
    }
}
