//! The route table: the one place that lists every endpoint of prescription-service.

mod amendments;
mod prescriptions;
mod stats;
pub mod views;

use actix_web::web;

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
