//! `POST/GET/PUT /doctors/profile`. Callers: doctors, for their own profile; writing it
//! needs an admin's approval of the account (403 before). The name is
//! fetched from auth-service with the doctor's token each time the profile is written.

use super::views::ProfileView;
use crate::clients::auth::AuthClient;
use crate::db::models::ProfileRow;
use crate::db::profiles;
use crate::domain::profile::ProfileForm;
use crate::usecases;
use actix_web::{HttpResponse, web};
use common::audit::AuditContext;
use common::auth::AuthenticatedUser;
use common::db::{DbPool, with_conn};
use common::problem_responses::{Forbidden, Invalid, Malformed, Unauthenticated};
use common::upstream::Relay;
use common::{ApiError, Role};

/// `POST /doctors/profile` -> 201; a second profile -> 409; auth-service down -> 503; a
/// doctor awaiting an admin's approval (token claim `approved: false`) -> 403.
#[utoipa::path(post, path = "/doctors/profile", operation_id = "create_own_doctor_profile", tag = "doctors",
    security(("bearer" = [])),
    request_body = crate::domain::profile::ProfileForm,
    responses(
        (status = 201, description = "The new profile", body = ProfileView),
        Malformed,
        Unauthenticated,
        Forbidden,
        (status = 409, description = "This doctor already has a profile", body = common::error::Problem, content_type = "application/problem+json"),
        Invalid,
        (status = 503, description = "auth-service is down or too slow; nothing was written", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    pool: web::Data<DbPool>,
    auth: web::Data<AuthClient>,
    caller: AuthenticatedUser,
    relay: Relay,
    audit: AuditContext,
    body: web::Json<ProfileForm>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Doctor])?;
    caller.require_approved()?;
    let fields = body.into_inner().apply(None)?;
    let name = auth.own_name(&relay).await?;
    let row = ProfileRow::new(&fields, name.first_name, name.last_name);
    let profile = with_conn(&pool, move |conn| {
        usecases::profiles::create(conn, &caller, &audit, &row)
    })
    .await?;
    Ok(HttpResponse::Created().json(ProfileView::from(profile)))
}

/// `GET /doctors/profile` -> the caller's profile, 404 before it is created.
#[utoipa::path(get, path = "/doctors/profile", operation_id = "get_own_doctor_profile", tag = "doctors",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's own profile", body = ProfileView),
        Unauthenticated,
        Forbidden,
        (status = 404, description = "No profile yet", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn get(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
) -> Result<web::Json<ProfileView>, ApiError> {
    caller.require(&[Role::Doctor])?;
    let profile = with_conn(&pool, move |conn| {
        profiles::find_by_user(conn, caller.id)?.ok_or(ApiError::NotFound("doctor profile"))
    })
    .await?;
    Ok(web::Json(profile.into()))
}

/// `PUT /doctors/profile`: any field; the name is refreshed from auth-service. A doctor
/// whose approval was withdrawn -> 403.
#[utoipa::path(put, path = "/doctors/profile", operation_id = "update_own_doctor_profile", tag = "doctors",
    security(("bearer" = [])),
    request_body = crate::domain::profile::ProfileForm,
    responses(
        (status = 200, description = "The profile as changed", body = ProfileView),
        Malformed,
        Unauthenticated,
        Forbidden,
        (status = 404, description = "No profile yet", body = common::error::Problem, content_type = "application/problem+json"),
        Invalid,
        (status = 503, description = "auth-service is down or too slow; nothing was written", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn update(
    pool: web::Data<DbPool>,
    auth: web::Data<AuthClient>,
    caller: AuthenticatedUser,
    relay: Relay,
    audit: AuditContext,
    body: web::Json<ProfileForm>,
) -> Result<web::Json<ProfileView>, ApiError> {
    caller.require(&[Role::Doctor])?;
    caller.require_approved()?;
    let current = with_conn(&pool, move |conn| {
        profiles::find_by_user(conn, caller.id)?.ok_or(ApiError::NotFound("doctor profile"))
    })
    .await?;
    let fields = body.into_inner().apply(Some(&current.fields()))?;
    let name = auth.own_name(&relay).await?;
    let row = ProfileRow::new(&fields, name.first_name, name.last_name);
    let profile = with_conn(&pool, move |conn| {
        usecases::profiles::update(conn, &caller, &audit, &row)
    })
    .await?;
    Ok(web::Json(profile.into()))
}
