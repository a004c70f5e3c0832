//! `GET /admin/stats`. Callers: admins (auth-service's analytics relays an admin's token).

use crate::db::prescriptions;
use actix_web::web;
use common::auth::AuthenticatedUser;
use common::db::{DbPool, with_conn};
use common::{ApiError, Role};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Stats {
    total_prescriptions: i64,
}

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
