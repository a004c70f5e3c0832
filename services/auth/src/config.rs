//! Settings, read once at startup. Variables (default):
//! `APP_ENV` (development; `production` requires `DATABASE_URL` and `JWT_PRIVATE_KEY_FILE`),
//! `HOST` (127.0.0.1), `PORT` (8001), `HTTP_WORKERS` (one per core),
//! `SHUTDOWN_TIMEOUT_SECONDS` (30),
//! `DATABASE_URL` (postgres://postgres@127.0.0.1:5432/healthcare_auth), `DB_MAX_CONNECTIONS` (8),
//! `DB_ACQUIRE_TIMEOUT_MS` (2000), `DB_STATEMENT_TIMEOUT_MS` (5000),
//! `JWT_ISSUER` (the token issuer when `PUBLIC_BASE_URL` is unset; else the previous one,
//! still accepted; unset: the service's own URL), `JWT_AUDIENCE` (healthcare), `ACCESS_TOKEN_TTL_SECONDS` (900), `REFRESH_TOKEN_TTL_DAYS` (30),
//! `JWT_PRIVATE_KEY_FILE` (unset: a key generated once under `DATA_DIR`),
//! `JWT_ADDITIONAL_PUBLIC_KEY_FILES` (comma-separated PEM public keys still accepted: rotation),
//! `DATA_DIR` (.data/auth-service), `BOOTSTRAP_ADMIN_EMAIL`, `BOOTSTRAP_ADMIN_PASSWORD`,
//! `LOGIN_RATE_LIMIT_PER_MINUTE` (10 failures per account and address; 0 = off),
//! `LOGIN_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE` (50), `LOGIN_RATE_LIMIT_PER_ADDRESS_PER_MINUTE`
//! (100), `LOGIN_ACCOUNT_CEILING_PER_HOUR` (40), `REGISTER_RATE_LIMIT_PER_ADDRESS_PER_MINUTE`
//! (10), `PUBLIC_PORTAL_URL` (http://localhost:8000: where links in mail point),
//! `EMAIL_VERIFICATION_TTL_HOURS` (168), `PASSWORD_RESET_TTL_MINUTES` (60), `PASSWORD_RESET_MAX_PER_HOUR` (5 mails per account),
//! `TRUSTED_PROXIES` (none),
//! `TLS_CERT_FILE` and `TLS_KEY_FILE` (unset: plain HTTP), `UPSTREAM_CA_FILE` (system roots only),
//! `PUBLIC_BASE_URL` (where clients reach the service, for the links it writes: FHIR Bundles,
//! the printed verify URL; else the request's own address),
//! `APPOINTMENT_SERVICE_URL` (http://127.0.0.1:8002),
//! `PRESCRIPTION_SERVICE_URL` (http://127.0.0.1:8003), `UPSTREAM_TIMEOUT_MS` (2000),
//! `REVOCATIONS_TOKEN` (required in production), `REVOCATION_REFRESH_SECONDS` (10),
//! `LOG_FORMAT` (text | json), `RUST_LOG` (info).

use crate::domain::rate_limit::LoginBudgets;
use common::audit::AuditSettings;
use common::config::{
    ConfigError, Environment, HttpSettings, LogFormat, Secret, environment, list, var_opt, var_or,
};
use common::db::DbSettings;
use common::upstream::UpstreamSettings;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Settings {
    pub environment: Environment,
    pub http: HttpSettings,
    pub database: DbSettings,
    pub audit: AuditSettings,
    pub tokens: TokenSettings,
    pub bootstrap_admin: Option<BootstrapAdmin>,
    /// Failed logins allowed per minute; 0 turns a budget off.
    pub login_limits: LoginBudgets,
    /// Sign-ups per client address per minute; 0 turns the limit off.
    pub register_rate_limit_per_address_per_minute: u32,
    pub peers: PeerSettings,
    pub log_format: LogFormat,
    /// `REVOCATIONS_TOKEN`: what the other services present to read the revocation list
    /// (required in production; the list is open without it, in development).
    pub revocations_token: Option<Secret>,
    /// How often this replica reloads the list others wrote (`REVOCATION_REFRESH_SECONDS`).
    pub revocation_refresh: Duration,
    pub notifications: crate::notifications_config::NotificationSettings,
    /// How long a password reset link works (`PASSWORD_RESET_TTL_MINUTES`).
    pub password_reset_ttl: Duration,
    /// Reset mails per account an hour (`PASSWORD_RESET_MAX_PER_HOUR`).
    pub password_reset_max_per_hour: u32,
    /// How long a verification link works (`EMAIL_VERIFICATION_TTL_HOURS`).
    pub email_verification_ttl: Duration,
}

/// Where the token signing key comes from: `JWT_PRIVATE_KEY_FILE`, or a development key
/// generated under `DATA_DIR` so tokens survive restarts.
pub use common::signing_key::KeySource as SigningKeySource;

#[derive(Debug, Clone)]
pub struct TokenSettings {
    /// `JWT_ISSUER`: the issuer when `PUBLIC_BASE_URL` is unset (see `Settings::issuer`).
    pub jwt_issuer: Option<String>,
    /// `aud` of issued tokens; every service requires it.
    pub audience: String,
    pub access_ttl: Duration,
    /// A login's absolute lifetime: refreshing never extends it.
    pub refresh_ttl: Duration,
    pub signing_key: SigningKeySource,
    /// Public keys of retired signing keys, published in the JWKS until their tokens expire.
    pub additional_public_keys: Vec<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct BootstrapAdmin {
    pub email: String,
    pub password: Secret,
    /// `BOOTSTRAP_ADMIN_RESET` (development only): an existing admin with another password
    /// gets this one (`cargo xtask admin-password`), instead of only a warning.
    pub reset: bool,
}

#[derive(Debug, Clone)]
pub struct PeerSettings {
    pub appointment_url: String,
    pub prescription_url: String,
    pub timeout: Duration,
}

/// `BOOTSTRAP_ADMIN_RESET=true` resets the admin's password at every start while set: a
/// development convenience that production refuses (it would undo every password change).
fn bootstrap_reset(production: bool) -> Result<bool, ConfigError> {
    let reset = var_or("BOOTSTRAP_ADMIN_RESET", false)?;
    if reset && production {
        return Err(ConfigError::Invalid {
            name: "BOOTSTRAP_ADMIN_RESET",
            reason: "is for development only".into(),
        });
    }
    Ok(reset)
}

impl Settings {
    pub fn from_env() -> Result<Self, ConfigError> {
        let environment = environment()?;
        let production = environment == Environment::Production;
        let signing_key = match var_opt::<PathBuf>("JWT_PRIVATE_KEY_FILE")? {
            Some(path) => SigningKeySource::File(path),
            None if production => {
                return Err(ConfigError::Missing {
                    name: "JWT_PRIVATE_KEY_FILE",
                });
            }
            None => SigningKeySource::Generated {
                dir: var_or("DATA_DIR", PathBuf::from(".data/auth-service"))?,
            },
        };
        let bootstrap_admin = match (
            var_opt::<String>("BOOTSTRAP_ADMIN_EMAIL")?,
            var_opt::<Secret>("BOOTSTRAP_ADMIN_PASSWORD")?,
        ) {
            (Some(email), Some(password)) => Some(BootstrapAdmin {
                email,
                password,
                reset: bootstrap_reset(production)?,
            }),
            (None, None) => None,
            (Some(_), None) => {
                return Err(ConfigError::Missing {
                    name: "BOOTSTRAP_ADMIN_PASSWORD",
                });
            }
            (None, Some(_)) => {
                return Err(ConfigError::Missing {
                    name: "BOOTSTRAP_ADMIN_EMAIL",
                });
            }
        };
        let http = HttpSettings::from_env(8001)?;
        Ok(Self {
            environment,
            database: DbSettings::from_env("healthcare_auth", environment)?,
            audit: AuditSettings::from_env(crate::SERVICE_NAME, environment)?,
            tokens: TokenSettings {
                jwt_issuer: var_opt("JWT_ISSUER")?,
                audience: var_or("JWT_AUDIENCE", common::auth::DEFAULT_AUDIENCE.to_owned())?,
                access_ttl: Duration::from_secs(var_or("ACCESS_TOKEN_TTL_SECONDS", 900)?),
                refresh_ttl: Duration::from_secs(
                    var_or::<u64>("REFRESH_TOKEN_TTL_DAYS", 30)? * 24 * 3600,
                ),
                signing_key,
                additional_public_keys: list("JWT_ADDITIONAL_PUBLIC_KEY_FILES")
                    .into_iter()
                    .map(PathBuf::from)
                    .collect(),
            },
            http,
            bootstrap_admin,
            login_limits: LoginBudgets {
                per_account_and_address: var_or("LOGIN_RATE_LIMIT_PER_MINUTE", 10)?,
                per_account: var_or("LOGIN_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE", 50)?,
                per_address: var_or("LOGIN_RATE_LIMIT_PER_ADDRESS_PER_MINUTE", 100)?,
                account_ceiling_per_hour: var_or("LOGIN_ACCOUNT_CEILING_PER_HOUR", 40)?,
            },
            register_rate_limit_per_address_per_minute: var_or(
                "REGISTER_RATE_LIMIT_PER_ADDRESS_PER_MINUTE",
                10,
            )?,
            peers: PeerSettings {
                appointment_url: var_or(
                    "APPOINTMENT_SERVICE_URL",
                    "http://127.0.0.1:8002".to_owned(),
                )?,
                prescription_url: var_or(
                    "PRESCRIPTION_SERVICE_URL",
                    "http://127.0.0.1:8003".to_owned(),
                )?,
                timeout: UpstreamSettings::timeout_from_env()?,
            },
            log_format: var_or("LOG_FORMAT", LogFormat::Text)?,
            revocations_token: match var_opt::<Secret>("REVOCATIONS_TOKEN")? {
                None if production => {
                    return Err(ConfigError::Missing {
                        name: "REVOCATIONS_TOKEN",
                    });
                }
                token => token,
            },
            revocation_refresh: Duration::from_secs(
                var_or::<u64>("REVOCATION_REFRESH_SECONDS", 10)?.max(1),
            ),
            notifications: crate::notifications_config::NotificationSettings::from_env()?,
            password_reset_ttl: Duration::from_secs(
                var_or::<u64>("PASSWORD_RESET_TTL_MINUTES", 60)?.max(1) * 60,
            ),
            password_reset_max_per_hour: var_or("PASSWORD_RESET_MAX_PER_HOUR", 5)?,
            email_verification_ttl: Duration::from_secs(
                var_or::<u64>("EMAIL_VERIFICATION_TTL_HOURS", 168)?.max(1) * 3600,
            ),
        })
    }

    /// `iss` of the tokens we sign (contract part 3, section 15): where clients reach us
    /// (`PUBLIC_BASE_URL`), else `JWT_ISSUER`, else our own URL.
    pub fn issuer(&self) -> String {
        match (&self.http.public_base_url, &self.tokens.jwt_issuer) {
            (None, Some(issuer)) => issuer.clone(),
            _ => self.http.own_url(),
        }
    }

    /// The issuer tokens signed before the issuer became a URL carry (`JWT_ISSUER`, else
    /// the old default): still accepted, so an upgrade signs nobody out.
    pub fn previous_issuer(&self) -> String {
        self.tokens
            .jwt_issuer
            .clone()
            .unwrap_or_else(|| common::auth::DEFAULT_ISSUER.to_owned())
    }

    /// The settings of a service started in-process by a test, read from nowhere: a free
    /// port, a small pool on `database_url`, a signing key generated under the temp dir,
    /// no rate limit and both peers down (nothing listens on port 9). Tests override what
    /// they are about.
    pub fn for_tests(database_url: &str) -> Self {
        Self {
            environment: Environment::Development,
            http: HttpSettings::ephemeral(),
            database: DbSettings::for_tests(database_url),
            audit: AuditSettings::for_tests(),
            tokens: TokenSettings {
                jwt_issuer: Some(common::auth::DEFAULT_ISSUER.into()),
                audience: common::auth::DEFAULT_AUDIENCE.into(),
                access_ttl: Duration::from_secs(900),
                refresh_ttl: Duration::from_secs(30 * 24 * 3600),
                signing_key: SigningKeySource::Generated {
                    dir: std::env::temp_dir().join("auth-service-test-key"),
                },
                additional_public_keys: Vec::new(),
            },
            bootstrap_admin: None,
            login_limits: LoginBudgets::OFF,
            register_rate_limit_per_address_per_minute: 0,
            peers: PeerSettings {
                appointment_url: "http://127.0.0.1:9".into(),
                prescription_url: "http://127.0.0.1:9".into(),
                timeout: Duration::from_millis(500),
            },
            log_format: LogFormat::Text,
            revocations_token: None,
            revocation_refresh: Duration::from_secs(1),
            notifications: crate::notifications_config::NotificationSettings::off(),
            password_reset_ttl: Duration::from_secs(3600),
            password_reset_max_per_hour: 5,
            email_verification_ttl: Duration::from_secs(168 * 3600),
        }
    }
}
