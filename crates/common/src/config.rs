//! Reading configuration from the environment, for each service's `Settings::from_env`.
//! An empty variable counts as unset, so `FOO=` in an env file falls back to the default.

use std::fmt::{self, Display};
use std::str::FromStr;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} must be set")]
    Missing { name: &'static str },
    #[error("{name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

fn raw(name: &'static str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse<T: FromStr>(name: &'static str, value: &str) -> Result<T, ConfigError>
where
    T::Err: Display,
{
    value.trim().parse::<T>().map_err(|e| ConfigError::Invalid {
        name,
        reason: e.to_string(),
    })
}

pub fn var_or<T: FromStr>(name: &'static str, default: T) -> Result<T, ConfigError>
where
    T::Err: Display,
{
    raw(name).map_or(Ok(default), |v| parse(name, &v))
}

pub fn var_opt<T: FromStr>(name: &'static str) -> Result<Option<T>, ConfigError>
where
    T::Err: Display,
{
    raw(name).map(|v| parse(name, &v)).transpose()
}

pub fn required<T: FromStr>(name: &'static str) -> Result<T, ConfigError>
where
    T::Err: Display,
{
    raw(name).map_or(Err(ConfigError::Missing { name }), |v| parse(name, &v))
}

/// A comma-separated list; empty or unset is an empty list.
pub fn list(name: &'static str) -> Vec<String> {
    raw(name)
        .map(|v| {
            v.split(',')
                .map(|item| item.trim().to_owned())
                .filter(|item| !item.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// `APP_ENV`: production refuses to start without the secrets development may generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

impl FromStr for Environment {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "development" | "dev" | "local" | "test" => Ok(Self::Development),
            "production" | "prod" => Ok(Self::Production),
            other => Err(format!(
                "unknown environment {other:?} (development or production)"
            )),
        }
    }
}

pub fn environment() -> Result<Environment, ConfigError> {
    var_or("APP_ENV", Environment::Development)
}

/// A value that must never reach a log: `Debug` and `Display` print `[REDACTED]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

/// How logs are written: human-readable lines, or one JSON object per line for collectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "text" | "pretty" | "plain" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            other => Err(format!("unknown log format {other:?} (text or json)")),
        }
    }
}

/// `HOST`, `PORT`, `HTTP_WORKERS`, `SHUTDOWN_TIMEOUT_SECONDS`, `SHUTDOWN_DRAIN_SECONDS`,
/// `CORS_ALLOWED_ORIGINS`, `TRUSTED_PROXIES`, `REQUEST_BODY_TIMEOUT_SECONDS`: how a service listens, whom it believes
/// about the client's address, and how it stops.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub host: std::net::IpAddr,
    pub port: u16,
    /// actix worker threads; unset means one per core.
    pub workers: Option<usize>,
    /// How long in-flight requests may finish after SIGTERM.
    pub shutdown_timeout: std::time::Duration,
    /// After SIGTERM, how long readiness reports 503 while requests are still served, so
    /// load balancers stop sending new ones before the listener closes.
    pub drain_period: std::time::Duration,
    /// Browser origins allowed to call the API (CORS); empty refuses every other origin.
    pub cors_allowed_origins: Vec<String>,
    /// Reverse proxies whose `X-Forwarded-For` / `Forwarded` headers name the client.
    pub trusted_proxies: crate::client_address::TrustedProxies,
    /// How long a request's body may take to arrive (then 408); the head has actix's 5 s.
    pub body_timeout: std::time::Duration,
    /// Serve HTTPS with these (`TLS_CERT_FILE`, `TLS_KEY_FILE`); unset: plain HTTP.
    pub tls: Option<crate::tls::TlsFiles>,
    /// Extra roots for calls to other services over `https://` (`UPSTREAM_CA_FILE`).
    pub upstream_ca: Option<std::path::PathBuf>,
    /// Where clients reach this service (`PUBLIC_BASE_URL`, e.g. behind a proxy's path
    /// prefix), for the absolute links it writes; unset: the request's own address.
    pub public_base_url: Option<String>,
}

/// `PUBLIC_BASE_URL`: an http(s) URL, kept without a trailing slash.
fn public_base_url() -> Result<Option<String>, ConfigError> {
    let Some(raw) = var_opt::<String>("PUBLIC_BASE_URL")? else {
        return Ok(None);
    };
    let base = raw.trim_end_matches('/');
    if !(base.starts_with("https://") || base.starts_with("http://")) || base.contains('?') {
        return Err(ConfigError::Invalid {
            name: "PUBLIC_BASE_URL",
            reason: "must be an http:// or https:// URL without a query".into(),
        });
    }
    Ok(Some(base.to_owned()))
}

impl HttpSettings {
    pub fn from_env(default_port: u16) -> Result<Self, ConfigError> {
        Ok(Self {
            host: var_or("HOST", std::net::IpAddr::from([127, 0, 0, 1]))?,
            port: var_or("PORT", default_port)?,
            workers: var_opt("HTTP_WORKERS")?,
            shutdown_timeout: std::time::Duration::from_secs(var_or(
                "SHUTDOWN_TIMEOUT_SECONDS",
                30,
            )?),
            drain_period: std::time::Duration::from_secs(var_or("SHUTDOWN_DRAIN_SECONDS", 0)?),
            cors_allowed_origins: list("CORS_ALLOWED_ORIGINS"),
            trusted_proxies: crate::client_address::TrustedProxies::parse(&list("TRUSTED_PROXIES"))
                .map_err(|reason| ConfigError::Invalid {
                    name: "TRUSTED_PROXIES",
                    reason,
                })?,
            body_timeout: std::time::Duration::from_secs(var_or(
                "REQUEST_BODY_TIMEOUT_SECONDS",
                10,
            )?),
            tls: tls_files()?,
            upstream_ca: var_opt("UPSTREAM_CA_FILE")?,
            public_base_url: public_base_url()?,
        })
    }

    /// Where clients reach this service by its settings alone, never by a request's `Host`
    /// (the token issuer must not vary with it): `PUBLIC_BASE_URL`, else its own scheme,
    /// host and port, `localhost` standing for an address that means every interface.
    pub fn own_url(&self) -> String {
        if let Some(base) = &self.public_base_url {
            return base.clone();
        }
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        let host = match self.host {
            host if host.is_unspecified() => "localhost".to_owned(),
            std::net::IpAddr::V6(v6) => format!("[{v6}]"),
            std::net::IpAddr::V4(v4) => v4.to_string(),
        };
        format!("{scheme}://{host}:{}", self.port)
    }

    /// For tests: loopback, a port the OS picks, two workers, a short drain.
    pub fn ephemeral() -> Self {
        Self {
            host: std::net::IpAddr::from([127, 0, 0, 1]),
            port: 0,
            workers: Some(2),
            shutdown_timeout: std::time::Duration::from_secs(1),
            drain_period: std::time::Duration::ZERO,
            cors_allowed_origins: Vec::new(),
            trusted_proxies: Default::default(),
            body_timeout: std::time::Duration::from_secs(10),
            tls: None,
            upstream_ca: None,
            public_base_url: None,
        }
    }
}

/// `TLS_CERT_FILE` and `TLS_KEY_FILE`: both or neither.
fn tls_files() -> Result<Option<crate::tls::TlsFiles>, ConfigError> {
    match (var_opt("TLS_CERT_FILE")?, var_opt("TLS_KEY_FILE")?) {
        (Some(cert), Some(key)) => Ok(Some(crate::tls::TlsFiles { cert, key })),
        (None, None) => Ok(None),
        (Some(_), None) => Err(ConfigError::Missing {
            name: "TLS_KEY_FILE",
        }),
        (None, Some(_)) => Err(ConfigError::Missing {
            name: "TLS_CERT_FILE",
        }),
    }
}
