//! The route table: the one place that lists every endpoint of prescription-service.

mod amendments;
mod prescriptions;
mod stats;
pub mod views;

use common::audit::{AuditedRoute, Resource};

/// Routes holding patient data: their reads and denials are audited by middleware.
pub const AUDITED: &[AuditedRoute] = &[
    AuditedRoute {
        route: "/prescriptions",
        resource: Resource::Prescription,
    },
    AuditedRoute {
        route: "/prescriptions/",
        resource: Resource::Prescription,
    },
    AuditedRoute {
        route: "/prescriptions/{id}",
        resource: Resource::Prescription,
    },
    AuditedRoute {
        route: "/prescriptions/{id}/versions",
        resource: Resource::Prescription,
    },
];

common::route_table! {
    "/prescriptions" => { post: prescriptions::create, get: prescriptions::list },
    "/prescriptions/" => { post: prescriptions::create, get: prescriptions::list },
    "/prescriptions/{id}" => { get: prescriptions::get, put: amendments::amend },
    "/prescriptions/{id}/versions" => { get: amendments::versions },
    "/admin/stats" => { get: stats::stats },
}

/// prescription-service's part of its OpenAPI document (the platform adds the rest).
#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "prescription-service", description = "Prescriptions tied to appointments, with kept history. Conventions: errors are application/problem+json; a path id that is not a UUID answers 404 as a missing resource does; a body over 1 MiB 413; a method a path does not have 405 with Allow. Medicine name, dosage, duration and frequency are one line: control characters, CR and LF included, answer 422; notes and instructions may hold line breaks and tabs."),
    paths(
        prescriptions::create, prescriptions::list, prescriptions::get,
        amendments::amend, amendments::versions, stats::stats,
    ),
    tags(
        (name = "prescriptions", description = "Prescribing, reading and amending"),
        (name = "admin", description = "Figures for admin analytics"),
    )
)]
pub struct ApiDoc;
