//! OAuth2 for OAuth2 clients: `POST /auth/token` (password and refresh_token grants, RFC
//! 6749) and `GET /.well-known/oauth-authorization-server` (RFC 8414). Callers: anyone.
//!
//! Errors here are RFC 6749 section 5.2 bodies (`{"error", "error_description"}`,
//! `application/json`), which OAuth2 libraries read; a rate-limited attempt stays a 429
//! problem, and `/auth/login` keeps problem+json throughout.

use super::login::login_email;
use super::views::TokenPair;
use crate::domain::passwords::Passwords;
use crate::domain::tokens::TokenIssuer;
use crate::usecases::SessionPolicy;
use crate::usecases::sessions::{self, authenticate};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use common::ApiError;
use common::audit::{AuditContext, AuditLog};
use common::config::Secret;
use common::db::DbPool;
use serde::{Deserialize, Serialize};

/// The OAuth2 token request; a form without `grant_type` is a password grant.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct TokenForm {
    grant_type: Option<String>,
    username: Option<String>,
    password: Option<String>,
    refresh_token: Option<String>,
}

/// What a token request asks for.
enum Grant {
    Password { username: String, password: Secret },
    RefreshToken(String),
}

/// An RFC 6749 section 5.2 error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OAuthErrorBody {
    /// `invalid_request`, `invalid_grant` or `unsupported_grant_type`
    error: &'static str,
    error_description: String,
}

/// The token endpoint's error: an OAuth2 body, or (rate limit, outages) the usual problem.
#[derive(Debug)]
pub enum TokenError {
    OAuth(&'static str, String),
    Problem(ApiError),
}

impl std::fmt::Display for TokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::OAuth(error, description) => write!(f, "{error}: {description}"),
            Self::Problem(problem) => problem.fmt(f),
        }
    }
}

impl From<ApiError> for TokenError {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::Unauthenticated(why) => Self::OAuth("invalid_grant", why.to_owned()),
            ApiError::Validation(errors) => {
                let fields: Vec<String> = errors
                    .iter()
                    .map(|e| format!("{} {}", e.field, e.message))
                    .collect();
                Self::OAuth("invalid_request", fields.join("; "))
            }
            ApiError::BadRequest(why) => Self::OAuth("invalid_request", why),
            other => Self::Problem(other),
        }
    }
}

impl ResponseError for TokenError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::OAuth(..) => StatusCode::BAD_REQUEST,
            Self::Problem(problem) => problem.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::OAuth(error, description) => HttpResponse::BadRequest().json(OAuthErrorBody {
                error,
                error_description: description.clone(),
            }),
            Self::Problem(problem) => problem.error_response(),
        }
    }
}

impl TokenForm {
    fn grant(self) -> Result<Grant, TokenError> {
        let present = |value: Option<String>| value.filter(|s| !s.is_empty());
        let missing =
            |field: &str| TokenError::OAuth("invalid_request", format!("{field} is required"));
        match self.grant_type.as_deref().unwrap_or("password") {
            "password" => {
                let username = present(self.username).ok_or_else(|| missing("username"))?;
                let username = login_email(username).map_err(|why| {
                    TokenError::OAuth("invalid_request", format!("username {why}"))
                })?;
                let password = present(self.password).ok_or_else(|| missing("password"))?;
                Ok(Grant::Password {
                    username,
                    password: Secret::new(password),
                })
            }
            "refresh_token" => present(self.refresh_token)
                .map(Grant::RefreshToken)
                .ok_or_else(|| missing("refresh_token")),
            _ => Err(TokenError::OAuth(
                "unsupported_grant_type",
                "grant_type must be password or refresh_token".to_owned(),
            )),
        }
    }
}

/// `POST /auth/token`.
#[utoipa::path(post, path = "/auth/token", tag = "auth",
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "A token pair", body = TokenPair),
        (status = 400, description = "RFC 6749 error: invalid_request (malformed or missing fields), invalid_grant (wrong credentials, unknown or used refresh token), unsupported_grant_type", body = OAuthErrorBody),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn token(
    pool: web::Data<DbPool>,
    passwords: web::Data<Passwords>,
    issuer: web::Data<TokenIssuer>,
    policy: web::Data<SessionPolicy>,
    audit: AuditContext,
    log: web::Data<AuditLog>,
    form: Result<web::Form<TokenForm>, actix_web::Error>,
) -> Result<web::Json<TokenPair>, TokenError> {
    let form = form.map_err(|e| TokenError::OAuth("invalid_request", e.to_string()))?;
    let session = match form.into_inner().grant()? {
        Grant::Password { username, password } => {
            let user = authenticate(
                &pool, &passwords, &policy, &username, password, &audit, &log,
            )
            .await?;
            sessions::start(&pool, &issuer, &policy, &user, &audit).await?
        }
        Grant::RefreshToken(presented) => {
            sessions::rotate(&pool, &issuer, &presented, &audit, &log).await?
        }
    };
    Ok(web::Json(session.into()))
}

/// RFC 8414 authorization server metadata.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ServerMetadata {
    issuer: String,
    token_endpoint: String,
    jwks_uri: String,
    grant_types_supported: [&'static str; 2],
    token_endpoint_auth_methods_supported: [&'static str; 1],
    /// RFC 8414 requires the member; `none` until an authorization endpoint exists (no
    /// response type of the authorization endpoint is served).
    response_types_supported: [&'static str; 1],
}

/// `GET /.well-known/oauth-authorization-server`: the issuer as tokens carry it (RFC 8414
/// section 3.3: a client refuses metadata whose issuer differs), endpoints as this request
/// reached us unless `PUBLIC_BASE_URL` says where.
#[utoipa::path(get, path = "/.well-known/oauth-authorization-server", tag = "auth",
    responses((status = 200, description = "RFC 8414 metadata", body = ServerMetadata)))]
pub async fn metadata(
    req: HttpRequest,
    issuer: web::Data<TokenIssuer>,
) -> web::Json<ServerMetadata> {
    let base = common::http::public_base(&req);
    web::Json(ServerMetadata {
        issuer: issuer.issuer().to_owned(),
        token_endpoint: format!("{base}/auth/token"),
        jwks_uri: format!("{base}/.well-known/jwks.json"),
        grant_types_supported: ["password", "refresh_token"],
        token_endpoint_auth_methods_supported: ["none"],
        response_types_supported: ["none"],
    })
}
