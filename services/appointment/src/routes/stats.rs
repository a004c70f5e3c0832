//! `GET /admin/stats`. Callers: admins (auth-service's analytics relays an admin's token).

use crate::db::appointments;
use crate::domain::appointment::Status;
use actix_web::web;
use common::auth::AuthenticatedUser;
use common::db::{DbPool, with_conn};
use common::{ApiError, Role};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Stats {
    total_appointments: i64,
    booked: i64,
    completed: i64,
    cancelled: i64,
    no_show: i64,
}

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
