//! `GET /admin/analytics`. Callers: admins. User figures come from our own database;
//! appointment and prescription figures from those services, fetched concurrently with the
//! admin's token. A service that does not answer in time is listed in `degraded` and its
//! figures are null: the answer is still 200.

use crate::clients::stats::StatsClient;
use crate::db::users;
use actix_web::web;
use chrono::{DateTime, Utc};
use common::auth::AuthenticatedUser;
use common::contracts::stats::{AppointmentStats, PrescriptionStats};
use common::db::{DbPool, with_conn};
use common::problem_responses::{Forbidden, Unauthenticated};
use common::upstream::Relay;
use common::{ApiError, Role};
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserFigures {
    total_patients: i64,
    total_doctors: i64,
    total_admins: i64,
    total_users: i64,
}

#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct AppointmentFigures {
    total_appointments: Option<i64>,
    booked: Option<i64>,
    completed: Option<i64>,
    cancelled: Option<i64>,
    no_show: Option<i64>,
    late_cancellations: Option<i64>,
    no_show_rate: Option<f64>,
}

impl From<AppointmentStats> for AppointmentFigures {
    fn from(s: AppointmentStats) -> Self {
        Self {
            total_appointments: Some(s.total_appointments),
            booked: Some(s.booked),
            completed: Some(s.completed),
            cancelled: Some(s.cancelled),
            no_show: Some(s.no_show),
            late_cancellations: Some(s.late_cancellations),
            no_show_rate: Some(s.no_show_rate),
        }
    }
}

#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct PrescriptionFigures {
    total_prescriptions: Option<i64>,
}

impl From<PrescriptionStats> for PrescriptionFigures {
    fn from(s: PrescriptionStats) -> Self {
        Self {
            total_prescriptions: Some(s.total_prescriptions),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Analytics {
    users: UserFigures,
    appointments: AppointmentFigures,
    prescriptions: PrescriptionFigures,
    generated_at: DateTime<Utc>,
    degraded: Vec<&'static str>,
}

#[utoipa::path(get, path = "/admin/analytics", tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Figures; services that did not answer are in degraded with null figures", body = Analytics),
        Unauthenticated,
        Forbidden))]
pub async fn analytics(
    pool: web::Data<DbPool>,
    stats: web::Data<StatsClient>,
    caller: AuthenticatedUser,
    relay: Relay,
) -> Result<web::Json<Analytics>, ApiError> {
    caller.require(&[Role::Admin])?;
    let (counts, (appointments, prescriptions)) = tokio::join!(
        with_conn(&pool, |conn| Ok(users::count_by_role(conn)?)),
        stats.fetch_all(&relay),
    );
    let counts = counts?;
    let of = |role: Role| {
        counts
            .iter()
            .find(|(r, _)| *r == role)
            .map_or(0, |(_, n)| *n)
    };
    let users = UserFigures {
        total_patients: of(Role::Patient),
        total_doctors: of(Role::Doctor),
        total_admins: of(Role::Admin),
        total_users: counts.iter().map(|(_, n)| n).sum(),
    };
    let mut degraded = Vec::new();
    if appointments.is_none() {
        degraded.push("appointment-service");
    }
    if prescriptions.is_none() {
        degraded.push("prescription-service");
    }
    Ok(web::Json(Analytics {
        users,
        appointments: appointments.map(Into::into).unwrap_or_default(),
        prescriptions: prescriptions.map(Into::into).unwrap_or_default(),
        generated_at: Utc::now(),
        degraded,
    }))
}
