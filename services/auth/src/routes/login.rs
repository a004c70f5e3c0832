//! `POST /auth/login` (JSON). Callers: anyone. The OAuth2 form is `oauth.rs`.

use super::views::{LoginResponse, UserView};
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
pub(super) fn login_email(raw: String) -> Result<String, String> {
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
