//! `GET /admin/stats`. Callers: admins (auth-service's analytics relays an admin's token).

use crate::db::prescriptions;
use actix_web::web;
use common::auth::AuthenticatedUser;
use common::contracts::stats::PrescriptionStats;
use common::db::{DbPool, with_conn};
use common::problem_responses::{Forbidden, Unauthenticated};
use common::{ApiError, Role};

#[utoipa::path(get, path = "/admin/stats", operation_id = "prescription_stats", tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Figures over all prescriptions", body = PrescriptionStats),
        Unauthenticated,
        Forbidden))]
pub async fn stats(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
) -> Result<web::Json<PrescriptionStats>, ApiError> {
    caller.require(&[Role::Admin])?;
    let total_prescriptions = with_conn(&pool, |conn| Ok(prescriptions::count(conn)?)).await?;
    Ok(web::Json(PrescriptionStats {
        total_prescriptions,
    }))
}
