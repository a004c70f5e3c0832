//! `GET /admin/stats`. Callers: admins (auth-service's analytics relays an admin's token).

use crate::db::appointments;
use crate::domain::appointment::Status;
use actix_web::web;
use common::auth::AuthenticatedUser;
use common::contracts::stats::AppointmentStats;
use common::db::{DbPool, with_conn};
use common::problem_responses::{Forbidden, Unauthenticated};
use common::{ApiError, Role};

#[utoipa::path(get, path = "/admin/stats", operation_id = "appointment_stats", tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Appointments per status, late cancellations and the no-show rate", body = AppointmentStats),
        Unauthenticated,
        Forbidden))]
pub async fn stats(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
) -> Result<web::Json<AppointmentStats>, ApiError> {
    caller.require(&[Role::Admin])?;
    let (counts, late_cancellations) = with_conn(&pool, |conn| {
        Ok((
            appointments::count_by_status(conn)?,
            appointments::count_late_cancellations(conn)?,
        ))
    })
    .await?;
    let of = |status: Status| {
        counts
            .iter()
            .find(|(s, _)| s.0 == status)
            .map_or(0, |(_, n)| *n)
    };
    Ok(web::Json(AppointmentStats {
        total_appointments: counts.iter().map(|(_, n)| n).sum(),
        booked: of(Status::Booked),
        completed: of(Status::Completed),
        cancelled: of(Status::Cancelled),
        no_show: of(Status::NoShow),
        late_cancellations,
        no_show_rate: AppointmentStats::no_show_rate(of(Status::Completed), of(Status::NoShow)),
    }))
}
