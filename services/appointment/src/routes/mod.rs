//! The route table: the one place that lists every endpoint of appointment-service.

mod appointment_changes;
mod appointments;
mod doctor_profile;
mod doctors;
mod stats;
pub mod views;

use actix_web::web;
use common::audit::AuditedRoute;

/// Routes holding patient data: their reads and denials are audited by middleware. The
/// public directory is not: it holds what doctors publish, and anyone may read it.
pub const AUDITED: &[AuditedRoute] = &[
    AuditedRoute {
        route: "/doctors/profile",
        resource_type: "doctor_profile",
    },
    AuditedRoute {
        route: "/appointments",
        resource_type: "appointment",
    },
    AuditedRoute {
        route: "/appointments/",
        resource_type: "appointment",
    },
    AuditedRoute {
        route: "/appointments/{id}",
        resource_type: "appointment",
    },
];

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg // Before /doctors/{doctor_id}, which would otherwise take "profile" as an id.
        .service(
            web::resource("/doctors/profile")
                .route(web::post().to(doctor_profile::create))
                .route(web::get().to(doctor_profile::get))
                .route(web::put().to(doctor_profile::update)),
        )
        .route("/doctors", web::get().to(doctors::directory))
        .route("/doctors/", web::get().to(doctors::directory))
        .route("/doctors/{doctor_id}", web::get().to(doctors::get_doctor))
        .route(
            "/doctors/{doctor_id}/slots",
            web::get().to(doctors::free_slots),
        )
        .service(
            web::resource(["/appointments", "/appointments/"])
                .route(web::post().to(appointments::book))
                .route(web::get().to(appointments::list)),
        )
        .service(
            web::resource("/appointments/{id}")
                .route(web::get().to(appointments::get))
                .route(web::put().to(appointment_changes::change))
                .route(web::delete().to(appointment_changes::cancel)),
        )
        .route("/admin/stats", web::get().to(stats::stats));
}
