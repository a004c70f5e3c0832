//! `GET/PUT /users/profile` and `PUT /users/profile/password`. Callers: any signed-in
//! user, for their own account only.

use super::views::UserView;
use crate::db::users;
use crate::domain::account::{PasswordChangeForm, ProfileForm};
use crate::domain::passwords::Passwords;
use crate::usecases::{SessionPolicy, profile, revocation};
use actix_web::{HttpResponse, web};
use common::ApiError;
use common::audit::AuditContext;
use common::auth::{AuthenticatedUser, TokenVerifier};
use common::db::{DbPool, with_conn};
use common::problem_responses::{Invalid, Malformed, RateLimited, Unauthenticated};

/// `GET /users/profile`.
#[utoipa::path(get, path = "/users/profile", tag = "users",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's own account", body = UserView),
        Unauthenticated,
        (status = 404, description = "The account no longer exists", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn get_profile(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
) -> Result<web::Json<UserView>, ApiError> {
    let user = with_conn(&pool, move |conn| {
        users::find(conn, caller.id)?.ok_or(ApiError::NotFound("user"))
    })
    .await?;
    Ok(web::Json(UserView::from(&user)))
}

/// `PUT /users/profile`: any of first_name, last_name, email.
#[utoipa::path(put, path = "/users/profile", tag = "users",
    security(("bearer" = [])),
    request_body = crate::domain::account::ProfileForm,
    responses(
        (status = 200, description = "The account as changed", body = UserView),
        Malformed,
        Unauthenticated,
        (status = 403, description = "current_password is wrong (changing the email needs it)", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Email taken", body = common::error::Problem, content_type = "application/problem+json"),
        Invalid,
        RateLimited))]
pub async fn update_profile(
    pool: web::Data<DbPool>,
    passwords: web::Data<Passwords>,
    policy: web::Data<SessionPolicy>,
    caller: AuthenticatedUser,
    audit: AuditContext,
    body: web::Json<ProfileForm>,
) -> Result<web::Json<UserView>, ApiError> {
    let changes = body.into_inner().validate()?;
    let user = profile::update(&pool, &passwords, &policy, caller, audit, changes).await?;
    Ok(web::Json(UserView::from(&user)))
}

/// `PUT /users/profile/password`. A wrong current password is 403, not 401: the session
/// itself is valid. Success ends every login of the account (refresh tokens revoked).
#[utoipa::path(put, path = "/users/profile/password", tag = "users",
    security(("bearer" = [])),
    request_body = crate::domain::account::PasswordChangeForm,
    responses(
        (status = 204, description = "Changed; every login of the account ended"),
        Malformed,
        Unauthenticated,
        (status = 403, description = "current_password is wrong", body = common::error::Problem, content_type = "application/problem+json"),
        Invalid,
        RateLimited))]
pub async fn change_password(
    pool: web::Data<DbPool>,
    passwords: web::Data<Passwords>,
    policy: web::Data<SessionPolicy>,
    verifier: web::Data<TokenVerifier>,
    caller: AuthenticatedUser,
    audit: AuditContext,
    body: web::Json<PasswordChangeForm>,
) -> Result<HttpResponse, ApiError> {
    let change = body.into_inner().validate()?;
    let revocation =
        profile::change_password(&pool, &passwords, &policy.attempts, caller, audit, change)
            .await?;
    revocation::apply_here(&verifier, revocation);
    Ok(HttpResponse::NoContent().finish())
}
