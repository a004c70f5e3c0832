//! `POST /auth/refresh` (anyone holding a refresh token) and `POST /auth/logout` (a user).

use super::views::TokenPair;
use crate::domain::tokens::TokenIssuer;
use crate::usecases::{revocation, sessions};
use actix_web::{HttpResponse, web};
use common::ApiError;
use common::audit::{AuditContext, AuditLog};
use common::auth::{AuthenticatedUser, TokenVerifier};
use common::db::DbPool;
use common::problem_responses::{Invalid, Malformed, Unauthenticated};
use common::validation::{Field, Validator};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct RefreshForm {
    #[serde(default)]
    #[schema(value_type = String, required = true)]
    refresh_token: Field<String>,
}

fn refresh_token_of(form: RefreshForm) -> Result<String, ApiError> {
    let mut v = Validator::new();
    let token = v.required("refresh_token", form.refresh_token, |raw: String| {
        if raw.is_empty() || raw.len() > 512 {
            Err("must be a refresh token".to_owned())
        } else {
            Ok(raw)
        }
    });
    token.ok_or_else(|| v.into_error())
}

/// `POST /auth/refresh`. Callers: anyone holding a refresh token.
#[utoipa::path(post, path = "/auth/refresh", tag = "auth",
    request_body = RefreshForm,
    responses(
        (status = 200, description = "A new pair; the presented token stops working", body = TokenPair),
        Malformed,
        (status = 401, description = "Invalid, expired or already rotated, including by a concurrent refresh of the same token (then the whole login is revoked)", body = common::error::Problem, content_type = "application/problem+json"),
        Invalid))]
pub async fn refresh(
    pool: web::Data<DbPool>,
    issuer: web::Data<TokenIssuer>,
    audit: AuditContext,
    log: web::Data<AuditLog>,
    body: web::Json<RefreshForm>,
) -> Result<web::Json<TokenPair>, ApiError> {
    let presented = refresh_token_of(body.into_inner())?;
    let session = sessions::rotate(&pool, &issuer, &presented, &audit, &log).await?;
    Ok(web::Json(session.into()))
}

/// `POST /auth/logout`. Callers: any signed-in user, for a refresh token of their own;
/// ends that login (its whole family). Unknown or foreign tokens change nothing.
#[utoipa::path(post, path = "/auth/logout", tag = "auth",
    security(("bearer" = [])),
    request_body = LogoutForm,
    responses(
        (status = 204, description = "That login is over (with all: every login of the account, and its access tokens are refused everywhere within REVOCATION_REFRESH_SECONDS); an unknown or another user's refresh token changes nothing and also answers 204"),
        Malformed,
        Unauthenticated,
        Invalid))]
pub async fn logout(
    pool: web::Data<DbPool>,
    verifier: web::Data<TokenVerifier>,
    caller: AuthenticatedUser,
    audit: AuditContext,
    body: web::Json<LogoutForm>,
) -> Result<HttpResponse, ApiError> {
    let form = body.into_inner();
    if form.all == Field::Present(true) {
        let revocation = sessions::end_all(&pool, caller, &audit).await?;
        revocation::apply_here(&verifier, revocation);
    } else {
        let presented = refresh_token_of(RefreshForm {
            refresh_token: form.refresh_token,
        })?;
        sessions::end(&pool, caller, &audit, &presented).await?;
    }
    Ok(HttpResponse::NoContent().finish())
}

/// `{refresh_token}` ends that login; `{"all": true}` ends every login of the account.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct LogoutForm {
    /// Required unless `all` is true
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    refresh_token: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    all: Field<bool>,
}
