//! `POST /auth/refresh` (anyone holding a refresh token) and `POST /auth/logout` (a user),
//! plus starting a session, which login and the token grant share.

use super::SessionPolicy;
use super::views::TokenPair;
use crate::db::models::{NewRefreshToken, User};
use crate::db::{refresh_tokens, users};
use crate::domain::refresh::{Presented, classify};
use crate::domain::tokens::{TokenIssuer, hash_refresh_token, new_refresh_token};
use actix_web::{HttpResponse, web};
use chrono::Utc;
use common::ApiError;
use common::audit::{AuditContext, AuditLog, Outcome, store as audit_store};
use common::auth::AuthenticatedUser;
use common::db::{DbPool, with_conn};
use common::validation::{Field, Validator};
use diesel::Connection;
use serde::Deserialize;

const INVALID_REFRESH: ApiError =
    ApiError::Unauthenticated("the refresh token is invalid or expired");

/// Issues an access token and the first refresh token of a new login (a new family).
pub(super) async fn start_session(
    pool: &DbPool,
    issuer: &TokenIssuer,
    policy: &SessionPolicy,
    user: &User,
    audit: &AuditContext,
) -> Result<TokenPair, ApiError> {
    let access = issuer.access_token(user.id, user.role)?;
    let refresh = new_refresh_token()?;
    let lifetime =
        chrono::Duration::from_std(policy.refresh_ttl).map_err(|e| ApiError::Internal(e.into()))?;
    let user_id = user.id;
    let hash = refresh.hash.clone();
    let event = session_event(audit, user, "auth.login", Outcome::Success);
    with_conn(pool, move |conn| {
        audit_store::append(conn, &[event])?;
        refresh_tokens::insert(
            conn,
            &NewRefreshToken {
                id: uuid::Uuid::now_v7(),
                family_id: uuid::Uuid::now_v7(),
                user_id,
                token_hash: &hash,
                expires_at: Utc::now() + lifetime,
            },
        )?;
        Ok(())
    })
    .await?;
    Ok(TokenPair {
        access_token: access.token,
        token_type: "bearer",
        expires_in: access.expires_in,
        refresh_token: refresh.token,
    })
}

/// An event about `user`'s own session; patients' events carry their id as patient id.
pub(super) fn session_event(
    audit: &AuditContext,
    user: &User,
    action: &str,
    outcome: Outcome,
) -> common::audit::AuditEvent {
    let actor = AuthenticatedUser {
        id: user.id,
        role: user.role,
    };
    let patient = (user.role == common::Role::Patient).then_some(user.id);
    audit.event(
        Some(&actor),
        action,
        "session",
        Some(user.id.to_string()),
        patient,
        outcome,
    )
}

enum Rotation {
    Rotated(User),
    ReuseDetected { family_id: uuid::Uuid },
    Refused,
}

/// Exchanges a refresh token for a new pair. The row is locked while deciding, so of two
/// requests presenting one token only the first rotates it; the second is a reuse.
pub(super) async fn rotate(
    pool: &DbPool,
    issuer: &TokenIssuer,
    presented: &str,
    audit: &AuditContext,
    log: &AuditLog,
) -> Result<TokenPair, ApiError> {
    let context = audit.clone();
    let presented_hash = hash_refresh_token(presented);
    let next = new_refresh_token()?;
    let next_hash = next.hash.clone();
    let outcome = with_conn(pool, move |conn| {
        conn.transaction::<_, ApiError, _>(|conn| {
            let Some(row) = refresh_tokens::find_for_update(conn, &presented_hash)? else {
                return Ok(Rotation::Refused);
            };
            match classify(row.rotated_at, row.revoked_at, row.expires_at, Utc::now()) {
                Presented::Dead => Ok(Rotation::Refused),
                Presented::Reused => {
                    refresh_tokens::revoke_family(conn, row.family_id)?;
                    if let Some(user) = users::find(conn, row.user_id)? {
                        let event =
                            session_event(&context, &user, "auth.refresh_reuse", Outcome::Failure);
                        audit_store::append(conn, &[event])?;
                    }
                    Ok(Rotation::ReuseDetected {
                        family_id: row.family_id,
                    })
                }
                Presented::Usable => {
                    let Some(user) = users::find(conn, row.user_id)? else {
                        return Ok(Rotation::Refused);
                    };
                    refresh_tokens::mark_rotated(conn, row.id)?;
                    let event = session_event(&context, &user, "auth.refresh", Outcome::Success);
                    audit_store::append(conn, &[event])?;
                    refresh_tokens::insert(
                        conn,
                        &NewRefreshToken {
                            id: uuid::Uuid::now_v7(),
                            family_id: row.family_id,
                            user_id: row.user_id,
                            token_hash: &next_hash,
                            expires_at: row.expires_at,
                        },
                    )?;
                    Ok(Rotation::Rotated(user))
                }
            }
        })
    })
    .await?;
    match outcome {
        Rotation::Rotated(user) => {
            let access = issuer.access_token(user.id, user.role)?;
            Ok(TokenPair {
                access_token: access.token,
                token_type: "bearer",
                expires_in: access.expires_in,
                refresh_token: next.token,
            })
        }
        Rotation::ReuseDetected { family_id } => {
            tracing::warn!(%family_id, "rotated refresh token presented again; login revoked");
            Err(INVALID_REFRESH)
        }
        Rotation::Refused => {
            log.submit(audit.event(
                None,
                "auth.refresh",
                "session",
                None,
                None,
                Outcome::Failure,
            ));
            Err(INVALID_REFRESH)
        }
    }
}

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
        (status = 400, description = "Malformed JSON or wrong content type", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Invalid, expired or already rotated, including by a concurrent refresh of the same token (then the whole login is revoked)", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named in errors", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn refresh(
    pool: web::Data<DbPool>,
    issuer: web::Data<TokenIssuer>,
    audit: AuditContext,
    log: web::Data<AuditLog>,
    body: web::Json<RefreshForm>,
) -> Result<web::Json<TokenPair>, ApiError> {
    let presented = refresh_token_of(body.into_inner())?;
    Ok(web::Json(
        rotate(&pool, &issuer, &presented, &audit, &log).await?,
    ))
}

/// `POST /auth/logout`. Callers: any signed-in user, for a refresh token of their own;
/// ends that login (its whole family). Unknown or foreign tokens change nothing.
#[utoipa::path(post, path = "/auth/logout", tag = "auth",
    security(("bearer" = [])),
    request_body = RefreshForm,
    responses(
        (status = 204, description = "That login is over; an unknown or another user's refresh token changes nothing and also answers 204"),
        (status = 400, description = "Malformed JSON or wrong content type", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, invalid or expired access token", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named in errors", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn logout(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    audit: AuditContext,
    body: web::Json<RefreshForm>,
) -> Result<HttpResponse, ApiError> {
    let hash = hash_refresh_token(&refresh_token_of(body.into_inner())?);
    let patient = (caller.role == common::Role::Patient).then_some(caller.id);
    let event = audit.event(
        Some(&caller),
        "auth.logout",
        "session",
        Some(caller.id.to_string()),
        patient,
        Outcome::Success,
    );
    with_conn(&pool, move |conn| {
        conn.transaction::<_, ApiError, _>(|conn| {
            if let Some(family_id) = refresh_tokens::family_of(conn, &hash, caller.id)? {
                refresh_tokens::revoke_family(conn, family_id)?;
                audit_store::append(conn, &[event])?;
            }
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
