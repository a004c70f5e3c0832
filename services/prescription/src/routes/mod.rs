//! The route table: the one place that lists every endpoint of prescription-service.

mod amendments;
mod prescriptions;
mod stats;
pub mod views;

use actix_web::web;
use common::audit::AuditedRoute;

/// Routes holding patient data: their reads and denials are audited by middleware.
pub const AUDITED: &[AuditedRoute] = &[
    AuditedRoute {
        route: "/prescriptions",
        resource_type: "prescription",
    },
    AuditedRoute {
        route: "/prescriptions/",
        resource_type: "prescription",
    },
    AuditedRoute {
        route: "/prescriptions/{id}",
        resource_type: "prescription",
    },
    AuditedRoute {
        route: "/prescriptions/{id}/versions",
        resource_type: "prescription",
    },
];

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(["/prescriptions", "/prescriptions/"])
            .route(web::post().to(prescriptions::create))
            .route(web::get().to(prescriptions::list)),
    )
    .service(
        web::resource("/prescriptions/{id}")
            .route(web::get().to(prescriptions::get))
            .route(web::put().to(amendments::amend)),
    )
    .route(
        "/prescriptions/{id}/versions",
        web::get().to(amendments::versions),
    )
    .route("/admin/stats", web::get().to(stats::stats));
}
