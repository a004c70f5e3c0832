//! One error envelope for every service: RFC 9457 `application/problem+json`.
//!
//! Handlers return `ApiError`; extractor failures (JSON, form, query, path) are turned into
//! the same body by the `*_config` functions, so a client parses one shape whatever failed.
//! A 5xx logs its cause chain once and tells the client nothing about internals.

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError, UrlencodedError};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use serde::{Deserialize, Serialize};

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// Bodies larger than this are refused with 413 before they are read.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Request heads beyond these are refused with a 414 or 431 problem before routing. Below
/// what actix itself enforces (a URI over 64 KiB, or a head over 128 KiB, gets actix's
/// own bodiless 400 or 431, which no service code can reach), and above anything a real
/// client sends (RFC 9110 asks for at least 8,000 octets of URI).
pub const MAX_URI_BYTES: usize = 16 * 1024;
pub const MAX_HEADER_BYTES: usize = 64 * 1024;
pub const MAX_HEADER_LINE_BYTES: usize = 16 * 1024;

/// One invalid field of a 422: its name (or path, `medicines[2].dosage`) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// RFC 9457 problem details, the body of every error (`application/problem+json`).
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The ids of the records standing in the way of a 409 (e.g. the appointments a time
    /// off would strand), when there are some.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<uuid::Uuid>,
}

/// Where the `type` of a problem with a rule of its own points: a stable identifier a
/// client can match on (`type` ends in the rule's name), not a page to fetch.
pub const PROBLEM_TYPE_BASE: &str = "https://healthcare.example/problems/";

/// A 409 that a client may want to tell apart from the others, named in its `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictRule {
    /// A patient cancelling or rescheduling inside the doctor's cancellation notice.
    LateCancellation,
    /// One more booking than the doctor allows one patient on one day.
    DailyBookingLimit,
    /// Time off or changed hours would leave appointments outside the doctor's hours.
    StrandedAppointments,
    /// A medicine the patient already has in another active prescription.
    DuplicateTherapy,
}

impl ConflictRule {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LateCancellation => "late-cancellation",
            Self::DailyBookingLimit => "daily-booking-limit",
            Self::StrandedAppointments => "stranded-appointments",
            Self::DuplicateTherapy => "duplicate-therapy",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the request body is malformed: {0}")]
    BadRequest(String),
    /// A one-time token from a mail (unlock, and later reset and verification) that is
    /// unknown, used, voided or expired: one answer for all four, `type` ending in
    /// `invalid-token`.
    #[error("the token is invalid, used or expired")]
    InvalidToken,
    #[error("the request is invalid: {}", describe(.0))]
    Validation(Vec<FieldError>),
    #[error("{0}")]
    Unauthenticated(&'static str),
    #[error("{0}")]
    Forbidden(&'static str),
    /// `EMAIL_VERIFICATION_REQUIRED` and a patient whose token says the address is not
    /// verified: 403, `type` ending in `email-unverified`.
    #[error(
        "verify your e-mail address first: open the link we sent, or ask for a new one (POST /auth/verify-email/resend), then refresh your token"
    )]
    EmailUnverified,
    /// Also what a caller gets for a resource it may not see, so ids cannot be probed.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The path exists but not with this method; lists the methods it has.
    #[error("this path accepts only {0}")]
    MethodNotAllowed(String),
    #[error("{0}")]
    Conflict(String),
    /// A 409 by a named rule, with the ids of what stands in the way.
    #[error("{detail}")]
    ConflictBy {
        rule: ConflictRule,
        detail: String,
        conflicts: Vec<uuid::Uuid>,
    },
    #[error("the request body exceeds {MAX_BODY_BYTES} bytes")]
    PayloadTooLarge,
    #[error("the request URI exceeds {MAX_URI_BYTES} bytes")]
    UriTooLong,
    #[error(
        "the request headers exceed {MAX_HEADER_BYTES} bytes, or one header {MAX_HEADER_LINE_BYTES}"
    )]
    HeadersTooLarge,
    #[error("the request body did not arrive in time")]
    RequestTimeout,
    #[error("too many attempts; retry after {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: u64 },
    /// A dependency (database, another service) is down, saturated or too slow.
    #[error("{service} is temporarily unavailable")]
    Unavailable {
        service: &'static str,
        #[source]
        source: anyhow::Error,
    },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    pub fn unavailable(service: &'static str, source: impl Into<anyhow::Error>) -> Self {
        Self::Unavailable {
            service,
            source: source.into(),
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let detail = match self {
            Self::Internal(_) => None,
            other => Some(other.to_string()),
        };
        let errors = match self {
            Self::Validation(errors) => errors.clone(),
            _ => Vec::new(),
        };
        let (kind, conflicts) = match self {
            Self::ConflictBy {
                rule, conflicts, ..
            } => (
                format!("{PROBLEM_TYPE_BASE}{}", rule.as_str()),
                conflicts.clone(),
            ),
            Self::InvalidToken => (format!("{PROBLEM_TYPE_BASE}invalid-token"), Vec::new()),
            Self::EmailUnverified => (format!("{PROBLEM_TYPE_BASE}email-unverified"), Vec::new()),
            _ => ("about:blank".to_owned(), Vec::new()),
        };
        Problem {
            kind,
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail,
            errors,
            conflicts,
        }
    }
}

/// The fields of a 422 in one line, so `detail` alone says what was wrong
/// (`appointment_time falls in the doctor's break 12:00-13:00`).
fn describe(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{} {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) | Self::InvalidToken => StatusCode::BAD_REQUEST,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) | Self::EmailUnverified => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) | Self::ConflictBy { .. } => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UriTooLong => StatusCode::URI_TOO_LONG,
            Self::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Internal(cause) => tracing::error!(error = ?cause, "request failed"),
            Self::Unavailable { service, source } => {
                tracing::warn!(service, error = %format!("{source:#}"), "dependency unavailable")
            }
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_CONTENT_TYPE));
        match self {
            Self::Unauthenticated(_) => {
                response
                    .insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
            }
            Self::RateLimited { retry_after_secs } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            Self::MethodNotAllowed(allowed) => {
                response.insert_header((header::ALLOW, allowed.as_str()));
            }
            _ => {}
        }
        // Serializing this plain struct cannot fail; fall back to an empty body rather than panic.
        response.body(serde_json::to_vec(&self.problem()).unwrap_or_default())
    }
}

impl From<diesel::result::Error> for ApiError {
    /// Decided by the error's SQLSTATE (`crate::sqlstate`), never by reading its text here.
    fn from(error: diesel::result::Error) -> Self {
        use crate::sqlstate::SqlState;
        if matches!(error, diesel::result::Error::NotFound) {
            return Self::NotFound("resource");
        }
        match SqlState::of(&error) {
            Some(SqlState::UniqueViolation) => Self::Conflict("the resource already exists".into()),
            // The database is away or overloaded (a statement timeout, a restart, a
            // socket closed under a pooled connection), not us broken: retry later.
            Some(state) if state.is_transient() => Self::unavailable("database", error),
            // Text PostgreSQL cannot store (a NUL). Validation refuses those first; this
            // keeps a field it missed a client error, not a 500.
            Some(state) if state.is_unstorable_text() => {
                Self::BadRequest("the request holds text that cannot be stored (NUL)".into())
            }
            _ => Self::Internal(error.into()),
        }
    }
}

fn json_error(error: JsonPayloadError) -> ApiError {
    match error {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            ApiError::PayloadTooLarge
        }
        JsonPayloadError::ContentType => {
            ApiError::BadRequest("expected Content-Type: application/json".into())
        }
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            ApiError::validation("body", format!("unexpected shape: {e}"))
        }
        JsonPayloadError::Deserialize(e) => ApiError::BadRequest(format!("invalid JSON: {e}")),
        JsonPayloadError::Payload(e) if crate::body_deadline::is_timeout(&e) => {
            ApiError::RequestTimeout
        }
        other => ApiError::BadRequest(other.to_string()),
    }
}

fn form_error(error: UrlencodedError) -> ApiError {
    match error {
        UrlencodedError::Overflow { .. } => ApiError::PayloadTooLarge,
        UrlencodedError::ContentType => {
            ApiError::BadRequest("expected Content-Type: application/x-www-form-urlencoded".into())
        }
        UrlencodedError::Parse(_) => ApiError::BadRequest("invalid form body".into()),
        UrlencodedError::Payload(e) if crate::body_deadline::is_timeout(&e) => {
            ApiError::RequestTimeout
        }
        other => ApiError::BadRequest(other.to_string()),
    }
}

fn query_error(error: QueryPayloadError) -> ApiError {
    ApiError::validation("query", error.to_string())
}

fn path_error(_error: PathError) -> ApiError {
    // A path segment that is not a valid id names no resource.
    ApiError::NotFound("resource")
}

pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(MAX_BODY_BYTES)
        .error_handler(|e, _req: &HttpRequest| json_error(e).into())
}

pub fn form_config() -> web::FormConfig {
    web::FormConfig::default()
        .limit(MAX_BODY_BYTES)
        .error_handler(|e, _req: &HttpRequest| form_error(e).into())
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|e, _req: &HttpRequest| query_error(e).into())
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|e, _req: &HttpRequest| path_error(e).into())
}

/// Registers the extractor configurations above, so every extractor failure is a problem body.
pub fn register_extractor_configs(cfg: &mut web::ServiceConfig) {
    cfg.app_data(json_config())
        .app_data(form_config())
        .app_data(query_config())
        .app_data(path_config());
}

/// The answer for a known path called with a method it does not have; `methods` are
/// the route table's (`"get put"`).
pub async fn method_not_allowed(methods: &'static str) -> Result<HttpResponse, ApiError> {
    let mut allowed: Vec<String> = methods.split_whitespace().map(str::to_uppercase).collect();
    // Every GET route also answers HEAD.
    if let Some(get) = allowed.iter().position(|m| m == "GET") {
        allowed.insert(get + 1, "HEAD".to_owned());
    }
    Err(ApiError::MethodNotAllowed(allowed.join(", ")))
}

/// The answer for a path no route matches.
pub async fn route_not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound("route"))
}
