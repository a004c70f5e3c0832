//! `POST /auth/login` (JSON) and `POST /auth/token` (OAuth2 form: password and
//! refresh_token grants). Callers: anyone.

use super::views::{LoginResponse, TokenPair, UserView};
use crate::domain::passwords::Passwords;
use crate::domain::tokens::TokenIssuer;
use crate::usecases::SessionPolicy;
use crate::usecases::sessions::{self, authenticate};
use actix_web::web;
use common::ApiError;
use common::audit::{AuditContext, AuditLog};
use common::config::Secret;
use common::db::DbPool;
use common::problem_responses::{Invalid, Malformed, RateLimited};
use common::validation::{Field, Validator};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct LoginForm {
    #[serde(default)]
    #[schema(value_type = String, required = true)]
    email: Field<String>,
    #[serde(default)]
    #[schema(value_type = String, required = true, format = Password)]
    password: Field<String>,
}

fn non_empty(raw: String) -> Result<String, String> {
    if raw.is_empty() {
        Err("must not be empty".to_owned())
    } else {
        Ok(raw)
    }
}

/// No address is longer than 254 characters (RFC 5321): a longer one is refused before the
/// rate limit or a hash spends anything on it.
fn login_email(raw: String) -> Result<String, String> {
    match raw.trim().chars().count() {
        0 => Err("must not be empty".to_owned()),
        1..=254 => Ok(raw),
        _ => Err("must be at most 254 characters".to_owned()),
    }
}

/// `POST /auth/login`. Callers: anyone.
#[utoipa::path(post, path = "/auth/login", tag = "auth",
    request_body = LoginForm,
    responses(
        (status = 200, description = "Tokens and the user", body = LoginResponse),
        Malformed,
        (status = 401, description = "Wrong email or password (one answer for both)", body = common::error::Problem, content_type = "application/problem+json"),
        Invalid,
        RateLimited))]
pub async fn login(
    pool: web::Data<DbPool>,
    passwords: web::Data<Passwords>,
    issuer: web::Data<TokenIssuer>,
    policy: web::Data<SessionPolicy>,
    audit: AuditContext,
    log: web::Data<AuditLog>,
    body: web::Json<LoginForm>,
) -> Result<web::Json<LoginResponse>, ApiError> {
    let form = body.into_inner();
    let mut v = Validator::new();
    let email = v.required("email", form.email, login_email);
    let password = v.required("password", form.password, non_empty);
    let (Some(email), Some(password)) = (email, password) else {
        return Err(v.into_error());
    };
    let user = authenticate(
        &pool,
        &passwords,
        &policy,
        &email,
        Secret::new(password),
        &audit,
        &log,
    )
    .await?;
    let session = sessions::start(&pool, &issuer, &policy, &user, &audit).await?;
    Ok(web::Json(LoginResponse {
        tokens: session.into(),
        user: UserView::from(&user),
    }))
}

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

impl TokenForm {
    /// The grant, or a 422 naming every missing field.
    fn grant(self) -> Result<Grant, ApiError> {
        let mut v = Validator::new();
        let present = |value: Option<String>| value.filter(|s| !s.is_empty());
        match self.grant_type.as_deref().unwrap_or("password") {
            "password" => {
                let required = || "is required".to_owned();
                let username = v.check(
                    "username",
                    present(self.username)
                        .ok_or_else(required)
                        .and_then(login_email),
                );
                let password = v.check("password", present(self.password).ok_or_else(required));
                match (username, password) {
                    (Some(username), Some(password)) => Ok(Grant::Password {
                        username,
                        password: Secret::new(password),
                    }),
                    _ => Err(v.into_error()),
                }
            }
            "refresh_token" => present(self.refresh_token)
                .map(Grant::RefreshToken)
                .ok_or_else(|| ApiError::validation("refresh_token", "is required")),
            _ => Err(ApiError::validation(
                "grant_type",
                "must be password or refresh_token",
            )),
        }
    }
}

/// `POST /auth/token`. Callers: anyone (OAuth2 clients).
#[utoipa::path(post, path = "/auth/token", tag = "auth",
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "A token pair", body = TokenPair),
        Malformed,
        (status = 401, description = "Wrong credentials or refresh token", body = common::error::Problem, content_type = "application/problem+json"),
        Invalid,
        RateLimited))]
pub async fn token(
    pool: web::Data<DbPool>,
    passwords: web::Data<Passwords>,
    issuer: web::Data<TokenIssuer>,
    policy: web::Data<SessionPolicy>,
    audit: AuditContext,
    log: web::Data<AuditLog>,
    form: web::Form<TokenForm>,
) -> Result<web::Json<TokenPair>, ApiError> {
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
