//! `GET/PUT /users/profile` and `PUT /users/profile/password`. Callers: any signed-in
//! user, for their own account only.

use super::views::UserView;
use crate::db::{refresh_tokens, users};
use crate::domain::account::{PasswordChangeForm, ProfileForm};
use crate::domain::passwords::Passwords;
use actix_web::{HttpResponse, web};
use common::ApiError;
use common::audit::{AuditContext, AuditEvent, Outcome, store as audit_store};
use common::auth::AuthenticatedUser;
use common::db::{DbPool, with_conn};
use diesel::Connection;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

fn own_profile_event(audit: &AuditContext, caller: &AuthenticatedUser, action: &str) -> AuditEvent {
    let patient = (caller.role == common::Role::Patient).then_some(caller.id);
    audit.event(
        Some(caller),
        action,
        "user_profile",
        Some(caller.id.to_string()),
        patient,
        Outcome::Success,
    )
}

/// `GET /users/profile`.
#[utoipa::path(get, path = "/users/profile", tag = "users",
    security(("bearer" = [])),
    responses(
        (status = 200, body = UserView),
        (status = 401, description = "Missing, invalid or expired access token", body = common::error::Problem, content_type = "application/problem+json"),
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
        (status = 200, body = UserView),
        (status = 400, description = "Malformed JSON or wrong content type", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, invalid or expired access token", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Email taken", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named in errors", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn update_profile(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    audit: AuditContext,
    body: web::Json<ProfileForm>,
) -> Result<web::Json<UserView>, ApiError> {
    let changes = body.into_inner().validate()?;
    let event = own_profile_event(&audit, &caller, "user_profile.update");
    let user = with_conn(&pool, move |conn| {
        conn.transaction::<_, ApiError, _>(|conn| {
            audit_store::append(conn, &[event])?;
            let update = users::ProfileUpdate {
                first_name: changes.first_name.as_deref(),
                last_name: changes.last_name.as_deref(),
                email: changes.email.as_ref().map(|e| e.as_str()),
            };
            users::update_profile(conn, caller.id, update)
                .map_err(|e| match e {
                    DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                        ApiError::Conflict("an account with this email already exists".into())
                    }
                    other => other.into(),
                })?
                .ok_or(ApiError::NotFound("user"))
        })
    })
    .await?;
    Ok(web::Json(UserView::from(&user)))
}

/// `PUT /users/profile/password`. A wrong current password is 403, not 401: the session
/// itself is valid. Success ends every login of the account (refresh tokens revoked).
#[utoipa::path(put, path = "/users/profile/password", tag = "users",
    security(("bearer" = [])),
    request_body = crate::domain::account::PasswordChangeForm,
    responses(
        (status = 204, description = "Changed; every login of the account ended"),
        (status = 400, description = "Malformed JSON or wrong content type", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, invalid or expired access token", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "current_password is wrong", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named in errors", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn change_password(
    pool: web::Data<DbPool>,
    passwords: web::Data<Passwords>,
    caller: AuthenticatedUser,
    audit: AuditContext,
    body: web::Json<PasswordChangeForm>,
) -> Result<HttpResponse, ApiError> {
    let change = body.into_inner().validate()?;
    let current_hash = with_conn(&pool, move |conn| {
        users::find(conn, caller.id)?
            .map(|u| u.password_hash)
            .ok_or(ApiError::NotFound("user"))
    })
    .await?;
    if !passwords.verify(change.current, Some(current_hash)).await? {
        return Err(ApiError::Forbidden("the current password is incorrect"));
    }
    let new_hash = passwords.hash(change.new).await?;
    with_conn(&pool, move |conn| {
        conn.transaction::<_, ApiError, _>(|conn| {
            users::set_password_hash(conn, caller.id, &new_hash)?;
            refresh_tokens::revoke_all_for_user(conn, caller.id)?;
            let event = own_profile_event(&audit, &caller, "user_profile.password_change");
            audit_store::append(conn, &[event])?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
