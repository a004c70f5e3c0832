//! `GET /admin/stats`. Callers: admins (auth-service's analytics relays an admin's token).

use crate::db::appointments;
use crate::domain::appointment::Status;
use actix_web::web;
use common::auth::AuthenticatedUser;
use common::db::{DbPool, with_conn};
use common::{ApiError, Role};
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Stats {
    total_appointments: i64,
    booked: i64,
    completed: i64,
    cancelled: i64,
    no_show: i64,
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
    let counts = with_conn(&pool, |conn| Ok(appointments::count_by_status(conn)?)).await?;
    let of = |status: Status| {
        counts
            .iter()
            .find(|(s, _)| s.0 == status)
            .map_or(0, |(_, n)| *n)
    };
    Ok(web::Json(Stats {
        total_appointments: counts.iter().map(|(_, n)| n).sum(),
        booked: of(Status::Booked),
        completed: of(Status::Completed),
        cancelled: of(Status::Cancelled),
        no_show: of(Status::NoShow),
    }))
}
