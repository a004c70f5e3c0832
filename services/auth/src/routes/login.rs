//! `POST /auth/login` (JSON) and `POST /auth/token` (OAuth2 form: password and
//! refresh_token grants). Callers: anyone.

use super::SessionPolicy;
use super::sessions::{rotate, start_session};
use super::views::{LoginResponse, TokenPair, UserView};
use crate::db::models::User;
use crate::db::{login_attempts, users};
use crate::domain::passwords::Passwords;
use crate::domain::rate_limit;
use crate::domain::tokens::TokenIssuer;
use actix_web::web;
use chrono::Utc;
use common::ApiError;
use common::audit::{AuditContext, AuditLog, Outcome};
use common::config::Secret;
use common::db::{DbPool, with_conn};
use common::validation::{Field, Validator};
use serde::Deserialize;

const BAD_CREDENTIALS: ApiError = ApiError::Unauthenticated("invalid email or password");

/// Checks the rate limit, then the password. An unknown email and a wrong password take
/// the same path (one argon2 verification) and give the same answer.
async fn authenticate(
    pool: &DbPool,
    passwords: &Passwords,
    policy: &SessionPolicy,
    email: &str,
    password: Secret,
    audit: &AuditContext,
    log: &AuditLog,
) -> Result<User, ApiError> {
    let client = audit.client_address.clone().unwrap_or_default();
    let normalized = email.trim().to_lowercase();
    let limit = policy.login_rate_limit_per_minute;
    let found = with_conn(pool, move |conn| {
        if limit > 0 {
            let buckets = rate_limit::buckets(&normalized, &client);
            let counts = login_attempts::record(conn, &buckets)?;
            rate_limit::decide(limit, &counts, Utc::now())?;
        }
        Ok(users::find_by_email(conn, &normalized)?)
    })
    .await;
    if let Err(ApiError::RateLimited { .. }) = &found {
        log.submit(audit.event(None, "auth.login", "session", None, None, Outcome::Denied));
    }
    let user = found?;
    // Longer than any password we accept: refuse without spending a hash on it.
    if password.expose().chars().count() > 128 {
        return Err(BAD_CREDENTIALS);
    }
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    match (passwords.verify(password, hash).await?, user) {
        (true, Some(user)) => Ok(user),
        (_, user) => {
            tracing::info!("login refused");
            // The account, when there is one, is named by id: never the email typed.
            let account = user.as_ref().map(|u| u.id.to_string());
            let patient = user
                .filter(|u| u.role == common::Role::Patient)
                .map(|u| u.id);
            log.submit(audit.event(
                None,
                "auth.login",
                "session",
                account,
                patient,
                Outcome::Failure,
            ));
            Err(BAD_CREDENTIALS)
        }
    }
}

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

/// `POST /auth/login`. Callers: anyone.
#[utoipa::path(post, path = "/auth/login", tag = "auth",
    request_body = LoginForm,
    responses(
        (status = 200, description = "Tokens and the user", body = LoginResponse),
        (status = 400, description = "Malformed JSON or wrong content type", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong email or password (one answer for both)", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named in errors", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts; see Retry-After", body = common::error::Problem, content_type = "application/problem+json")))]
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
    let email = v.required("email", form.email, non_empty);
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
    let tokens = start_session(&pool, &issuer, &policy, &user, &audit).await?;
    Ok(web::Json(LoginResponse {
        tokens,
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

/// `POST /auth/token`. Callers: anyone (OAuth2 clients).
#[utoipa::path(post, path = "/auth/token", tag = "auth",
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "A token pair", body = TokenPair),
        (status = 400, description = "Malformed JSON or wrong content type", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong credentials or refresh token", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named in errors", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts; see Retry-After", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn token(
    pool: web::Data<DbPool>,
    passwords: web::Data<Passwords>,
    issuer: web::Data<TokenIssuer>,
    policy: web::Data<SessionPolicy>,
    audit: AuditContext,
    log: web::Data<AuditLog>,
    form: web::Form<TokenForm>,
) -> Result<web::Json<TokenPair>, ApiError> {
    let form = form.into_inner();
    let mut v = Validator::new();
    match form.grant_type.as_deref().unwrap_or("password") {
        "password" => {
            let username = v.check(
                "username",
                form.username
                    .filter(|u| !u.is_empty())
                    .ok_or_else(|| "is required".to_owned()),
            );
            let password = v.check(
                "password",
                form.password
                    .filter(|p| !p.is_empty())
                    .ok_or_else(|| "is required".to_owned()),
            );
            let (Some(username), Some(password)) = (username, password) else {
                return Err(v.into_error());
            };
            let user = authenticate(
                &pool,
                &passwords,
                &policy,
                &username,
                Secret::new(password),
                &audit,
                &log,
            )
            .await?;
            Ok(web::Json(
                start_session(&pool, &issuer, &policy, &user, &audit).await?,
            ))
        }
        "refresh_token" => {
            let Some(presented) = form.refresh_token.filter(|t| !t.is_empty()) else {
                return Err(ApiError::validation("refresh_token", "is required"));
            };
            Ok(web::Json(
                rotate(&pool, &issuer, &presented, &audit, &log).await?,
            ))
        }
        _ => Err(ApiError::validation(
            "grant_type",
            "must be password or refresh_token",
        )),
    }
}
