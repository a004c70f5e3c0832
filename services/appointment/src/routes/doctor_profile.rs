//! `POST/GET/PUT /doctors/profile`. Callers: doctors, for their own profile. The name is
//! fetched from auth-service with the doctor's token each time the profile is written.

use super::views::ProfileView;
use crate::clients::auth::AuthClient;
use crate::db::models::ProfileRow;
use crate::db::profiles;
use crate::domain::profile::ProfileForm;
use actix_web::{HttpResponse, web};
use common::audit::{AuditContext, Outcome, store as audit_store};
use common::auth::{AuthenticatedUser, BearerToken};
use common::db::{DbPool, with_conn};
use common::middleware::RequestId;
use common::{ApiError, Role};
use diesel::Connection;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// `POST /doctors/profile` -> 201; a second profile -> 409; auth-service down -> 503.
#[utoipa::path(post, path = "/doctors/profile", tag = "doctors",
    security(("bearer" = [])),
    request_body = crate::domain::profile::ProfileForm,
    responses(
        (status = 201, body = ProfileView),
        (status = 400, description = "Malformed JSON or wrong content type", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, invalid or expired access token", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller's role may not do this", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "This doctor already has a profile", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named in errors", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "auth-service is down or too slow; nothing was written", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    pool: web::Data<DbPool>,
    auth: web::Data<AuthClient>,
    caller: AuthenticatedUser,
    token: BearerToken,
    request_id: RequestId,
    audit: AuditContext,
    body: web::Json<ProfileForm>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Doctor])?;
    let fields = body.into_inner().apply(None)?;
    let name = auth.own_name(&token, &request_id).await?;
    let row = ProfileRow::new(&fields, name.first_name, name.last_name);
    let profile = with_conn(&pool, move |conn| {
        conn.transaction::<_, ApiError, _>(|conn| {
            let profile = profiles::insert(conn, caller.id, &row).map_err(|e| match e {
                DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                    ApiError::Conflict("this doctor already has a profile".into())
                }
                other => other.into(),
            })?;
            let event = audit.event(
                Some(&caller),
                "doctor_profile.create",
                "doctor_profile",
                Some(profile.id.to_string()),
                None,
                Outcome::Success,
            );
            audit_store::append(conn, &[event])?;
            Ok(profile)
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(ProfileView::from(profile)))
}

/// `GET /doctors/profile` -> the caller's profile, 404 before it is created.
#[utoipa::path(get, path = "/doctors/profile", tag = "doctors",
    security(("bearer" = [])),
    responses(
        (status = 200, body = ProfileView),
        (status = 401, description = "Missing, invalid or expired access token", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller's role may not do this", body = common::error::Problem, content_type = "application/problem+json"),
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

/// `PUT /doctors/profile`: any field; the name is refreshed from auth-service.
#[utoipa::path(put, path = "/doctors/profile", tag = "doctors",
    security(("bearer" = [])),
    request_body = crate::domain::profile::ProfileForm,
    responses(
        (status = 200, body = ProfileView),
        (status = 400, description = "Malformed JSON or wrong content type", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, invalid or expired access token", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller's role may not do this", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No profile yet", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named in errors", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "auth-service is down or too slow; nothing was written", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn update(
    pool: web::Data<DbPool>,
    auth: web::Data<AuthClient>,
    caller: AuthenticatedUser,
    token: BearerToken,
    request_id: RequestId,
    audit: AuditContext,
    body: web::Json<ProfileForm>,
) -> Result<web::Json<ProfileView>, ApiError> {
    caller.require(&[Role::Doctor])?;
    let current = with_conn(&pool, move |conn| {
        profiles::find_by_user(conn, caller.id)?.ok_or(ApiError::NotFound("doctor profile"))
    })
    .await?;
    let fields = body.into_inner().apply(Some(&current.fields()))?;
    let name = auth.own_name(&token, &request_id).await?;
    let row = ProfileRow::new(&fields, name.first_name, name.last_name);
    let profile = with_conn(&pool, move |conn| {
        conn.transaction::<_, ApiError, _>(|conn| {
            let profile = profiles::update(conn, caller.id, &row)?
                .ok_or(ApiError::NotFound("doctor profile"))?;
            let event = audit.event(
                Some(&caller),
                "doctor_profile.update",
                "doctor_profile",
                Some(profile.id.to_string()),
                None,
                Outcome::Success,
            );
            audit_store::append(conn, &[event])?;
            Ok(profile)
        })
    })
    .await?;
    Ok(web::Json(profile.into()))
}
