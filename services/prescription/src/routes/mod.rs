//! The route table: the one place that lists every endpoint of prescription-service.

mod amendments;
mod dispensing;
mod fhir;
mod fhir_resources;
pub mod inbox;
mod prescriptions;
pub mod print;
mod signatures;
mod stats;
pub mod views;

use common::audit::{AuditedRoute, Resource};
use common::events::routes as webhooks;

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
    AuditedRoute {
        route: "/prescriptions/{id}/status",
        resource: Resource::Prescription,
    },
    AuditedRoute {
        route: "/prescriptions/{id}/dispense",
        resource: Resource::Prescription,
    },
    AuditedRoute {
        route: "/prescriptions/{id}/jws",
        resource: Resource::Prescription,
    },
    AuditedRoute {
        route: "/prescriptions/{id}/pdf",
        resource: Resource::Prescription,
    },
    AuditedRoute {
        route: "/fhir/MedicationRequest",
        resource: Resource::Prescription,
    },
    AuditedRoute {
        route: "/fhir/MedicationRequest/{id}",
        resource: Resource::Prescription,
    },
    AuditedRoute {
        route: "/fhir/MedicationRequest/{id}/_history/{version}",
        resource: Resource::Prescription,
    },
];

common::route_table! {
    "/prescriptions" => { post: prescriptions::create, get: prescriptions::list },
    "/prescriptions/" => { post: prescriptions::create, get: prescriptions::list },
    "/prescriptions/{id}" => { get: prescriptions::get, put: amendments::amend },
    "/prescriptions/{id}/versions" => { get: amendments::versions },
    "/prescriptions/{id}/status" => { post: amendments::change_status },
    "/prescriptions/{id}/dispense" => { post: dispensing::dispense },
    "/prescriptions/{id}/jws" => { get: signatures::jws },
    "/prescriptions/{id}/pdf" => { get: print::pdf },
    "/prescriptions/{id}/verify" => { get: signatures::verify },
    "/.well-known/jwks.json" => { get: signatures::jwks },
    "/internal/events" => { post: inbox::receive },
    "/admin/stats" => { get: stats::stats },
    "/admin/webhooks" => { post: webhooks::create, get: webhooks::list },
    "/admin/webhooks/{id}" => { delete: webhooks::delete },
    "/admin/webhooks/{id}/deliveries" => { get: webhooks::deliveries },
    "/fhir/metadata" => { get: fhir::metadata },
    "/fhir/MedicationRequest" => { get: fhir::search },
    "/fhir/MedicationRequest/{id}" => { get: fhir::read },
    "/fhir/MedicationRequest/{id}/_history/{version}" => { get: fhir::vread },
}

/// prescription-service's part of its OpenAPI document (the platform adds the rest).
#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "prescription-service", description = "Prescriptions tied to appointments, with kept history. Conventions: errors are application/problem+json; a path id that is not a UUID answers 404 as a missing resource does; a body over 1 MiB 413; a URI over 16 KiB 414 and headers over 64 KiB (or one over 16 KiB) 431, as problems (beyond 64 KiB of URI or 128 KiB of head actix itself answers a bodiless 400 or 431); a method a path does not have 405 with Allow. A CORS preflight from an origin not in CORS_ALLOWED_ORIGINS, or for a method or request header the API does not take cross-origin, is a 403 problem. Medicine name, dosage, duration and frequency are one line: control characters, CR and LF included, answer 422; notes and instructions may hold line breaks and tabs. Every GET route also answers HEAD (same headers, no body). A request body still arriving after REQUEST_BODY_TIMEOUT_SECONDS (10) is a 408 problem. Dates and times outside the years 0001-9999 are 422. Access tokens must carry aud (JWT_AUDIENCE) and typ JWT or at+jwt; a crit header is refused; nbf and exp have 5 s of leeway, iat may be at most 60 s ahead; a token issued up to its subject's revocation (password change, logout everywhere, disabled account, a reused refresh token; to the second, the revocation's own second included, while tokens issued after it carry an iat no earlier than the next second) is refused, by this service within REVOCATION_REFRESH_SECONDS. The client address (login limits, audit) is the TCP peer, or the right-most untrusted X-Forwarded-For/Forwarded hop when the peer is in TRUSTED_PROXIES."),
    paths(
        prescriptions::create, prescriptions::list, prescriptions::get,
        amendments::amend, amendments::versions, amendments::change_status, dispensing::dispense,
        signatures::jws, print::pdf, signatures::verify, signatures::jwks, inbox::receive, stats::stats,
        webhooks::create, webhooks::list, webhooks::delete, webhooks::deliveries,
        fhir::metadata, fhir::search, fhir::read, fhir::vread,
    ),
    tags(
        (name = "prescriptions", description = "Prescribing, reading and amending"),
        (name = "admin", description = "Figures for admin analytics"),
        (name = "webhooks", description = "Signed event deliveries to subscribers (Standard Webhooks)"),
        (name = "events", description = "Events of other services this one acts on"),
        (name = "fhir", description = "FHIR R4 (4.0.1), read-only, application/fhir+json; errors are OperationOutcomes with the native API's status codes. A prescription is one MedicationRequest: several medicines are named together in medicationCodeableConcept, each has its own dosageInstruction in order, and dispenseRequest is the first medicine's"),
    )
)]
pub struct ApiDoc;
