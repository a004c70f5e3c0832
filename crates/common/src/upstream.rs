//! Calls to another of our services: one client per upstream, relaying the caller's bearer
//! token (the callee authorizes the caller exactly as it would a client), forwarding
//! `X-Request-Id` and `traceparent`, bounded by a timeout, recorded in the upstream
//! metrics, and with the callee's answer mapped to what our client should see.

use crate::ApiError;
use crate::auth::BearerToken;
use crate::config::{ConfigError, var_or};
use crate::metrics::Metrics;
use crate::middleware::RequestId;
use actix_web::web;
use serde::de::DeserializeOwned;
use std::time::{Duration, Instant};

/// What a call on the caller's behalf carries: their bearer token and the request's id and
/// trace. Extract it next to `AuthenticatedUser`, which proves the token valid.
#[derive(Debug, Clone)]
pub struct Relay {
    pub token: BearerToken,
    pub request_id: RequestId,
}

impl actix_web::FromRequest for Relay {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;
    fn from_request(req: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(BearerToken::of(req).map(|token| Self {
            token,
            request_id: RequestId::of(req),
        }))
    }
}

/// Where an upstream service is and how long it may take.
#[derive(Debug, Clone)]
pub struct UpstreamSettings {
    pub url: String,
    /// A slower answer is treated as no answer: 503, nothing written.
    pub timeout: Duration,
}

impl UpstreamSettings {
    /// `url_var` (else `default_url`) and `UPSTREAM_TIMEOUT_MS` (2000).
    pub fn from_env(url_var: &'static str, default_url: &str) -> Result<Self, ConfigError> {
        Ok(Self {
            url: var_or(url_var, default_url.to_owned())?,
            timeout: Self::timeout_from_env()?,
        })
    }

    /// An upstream at `url` that must answer within half a second, for tests.
    pub fn for_tests(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            timeout: Duration::from_millis(500),
        }
    }

    /// `UPSTREAM_TIMEOUT_MS` (2000), shared by every upstream of a service.
    pub fn timeout_from_env() -> Result<Duration, ConfigError> {
        Ok(Duration::from_millis(var_or("UPSTREAM_TIMEOUT_MS", 2000)?))
    }
}

/// Why an upstream call gave no value.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    /// 404 or 403: the thing is missing or the caller may not see it.
    #[error("not found")]
    NotFound,
    /// 401: the relayed token was refused.
    #[error("the access token is invalid")]
    Unauthenticated,
    /// Down, refusing, failing, too slow or answering nonsense.
    #[error(transparent)]
    Unavailable(ApiError),
}

impl UpstreamError {
    /// The error our client gets, naming the `resource` that was looked up.
    pub fn about(self, resource: &'static str) -> ApiError {
        match self {
            Self::NotFound => ApiError::NotFound(resource),
            Self::Unauthenticated => ApiError::Unauthenticated("the access token is invalid"),
            Self::Unavailable(error) => error,
        }
    }
}

pub struct Upstream {
    name: &'static str,
    http: reqwest::Client,
    metrics: web::Data<Metrics>,
    base_url: String,
}

impl Upstream {
    /// `http` carries the timeout; one `Upstream` serves every request.
    pub fn new(
        name: &'static str,
        http: reqwest::Client,
        metrics: web::Data<Metrics>,
        base_url: &str,
    ) -> Self {
        Self {
            name,
            http,
            metrics,
            base_url: base_url.trim_end_matches('/').to_owned(),
        }
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    /// `GET {base}{path}` as the caller, decoded as `T` on 200.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        relay: &Relay,
    ) -> Result<T, UpstreamError> {
        let unavailable =
            |e: anyhow::Error| UpstreamError::Unavailable(ApiError::unavailable(self.name, e));
        let started = Instant::now();
        let sent = relay
            .request_id
            .forward(self.http.get(format!("{}{path}", self.base_url)))
            .bearer_auth(&relay.token.0)
            .send()
            .await;
        let answered = sent.as_ref().is_ok_and(|r| !r.status().is_server_error());
        self.metrics
            .observe_upstream(self.name, started.elapsed(), answered);
        let response = sent.map_err(|e| unavailable(e.into()))?;
        match response.status().as_u16() {
            200 => response
                .json::<T>()
                .await
                .map_err(|e| unavailable(e.into())),
            403 | 404 => Err(UpstreamError::NotFound),
            401 => Err(UpstreamError::Unauthenticated),
            status => Err(unavailable(anyhow::anyhow!("GET {path} answered {status}"))),
        }
    }
}

/// The HTTP client a service's upstreams share (and its JWKS reloads): one connection pool,
/// every call bounded by `timeout`.
pub fn http_client(
    timeout: Duration,
    upstream_ca: Option<&std::path::Path>,
) -> anyhow::Result<reqwest::Client> {
    use anyhow::Context;
    let mut builder = reqwest::Client::builder().timeout(timeout);
    if let Some(path) = upstream_ca {
        builder = builder.tls_certs_merge(crate::tls::upstream_roots(path)?);
    }
    builder.build().context("building the HTTP client")
}
