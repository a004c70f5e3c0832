//! `GET /admin/stats`. Callers: admins (auth-service's analytics relays an admin's token).

use crate::db::prescriptions;
use actix_web::web;
use common::auth::AuthenticatedUser;
use common::db::{DbPool, with_conn};
use common::{ApiError, Role};
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Stats {
    total_prescriptions: i64,
}

#[utoipa::path(get, path = "/admin/stats", tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Stats),
        (status = 401, description = "Missing, invalid or expired access token", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller's role may not do this", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn stats(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
) -> Result<web::Json<Stats>, ApiError> {
    caller.require(&[Role::Admin])?;
    let total_prescriptions = with_conn(&pool, |conn| Ok(prescriptions::count(conn)?)).await?;
    Ok(web::Json(Stats {
        total_prescriptions,
    }))
}
