//! The route table: the one place that lists every endpoint of appointment-service.

mod appointment_changes;
mod appointments;
mod calendars;
mod doctor_calendar;
mod doctor_profile;
mod doctors;
mod fhir;
mod fhir_directory;
mod fhir_resources;
mod stats;
mod stranded;
pub mod views;
mod waitlist;

use common::audit::{AuditedRoute, Resource};
use common::events::routes as webhooks;

/// Routes holding patient data: their reads and denials are audited by middleware. The
/// public directory is not: it holds what doctors publish, and anyone may read it.
pub const AUDITED: &[AuditedRoute] = &[
    AuditedRoute {
        route: "/doctors/profile",
        resource: Resource::DoctorProfile,
    },
    AuditedRoute {
        route: "/appointments",
        resource: Resource::Appointment,
    },
    AuditedRoute {
        route: "/admin/stranded-appointments",
        resource: Resource::Appointment,
    },
    AuditedRoute {
        route: "/appointments/",
        resource: Resource::Appointment,
    },
    AuditedRoute {
        route: "/appointments/{id}",
        resource: Resource::Appointment,
    },
    AuditedRoute {
        route: "/appointments/{id}/confirm",
        resource: Resource::Appointment,
    },
    AuditedRoute {
        route: "/appointments/{id}/ics",
        resource: Resource::Appointment,
    },
    AuditedRoute {
        route: "/waitlist",
        resource: Resource::WaitlistEntry,
    },
    AuditedRoute {
        route: "/waitlist/{id}",
        resource: Resource::WaitlistEntry,
    },
    AuditedRoute {
        route: "/fhir/Appointment",
        resource: Resource::Appointment,
    },
    AuditedRoute {
        route: "/fhir/Appointment/{id}",
        resource: Resource::Appointment,
    },
];

common::route_table! {
    // Before /doctors/{doctor_id}, which would otherwise take "profile" as an id.
    "/doctors/profile" => { post: doctor_profile::create, get: doctor_profile::get, put: doctor_profile::update },
    "/doctors/profile/time-off" => { post: doctor_calendar::add_time_off, get: doctor_calendar::list_time_off },
    "/doctors/profile/time-off/{id}" => { delete: doctor_calendar::delete_time_off },
    "/doctors/profile/hours" => { get: doctor_calendar::list_hours },
    "/doctors/profile/hours/{date}" => { put: doctor_calendar::set_hours, delete: doctor_calendar::clear_hours },
    "/doctors" => { get: doctors::directory },
    "/doctors/" => { get: doctors::directory },
    "/doctors/{doctor_id}" => { get: doctors::get_doctor },
    "/doctors/{doctor_id}/slots" => { get: doctors::free_slots },
    "/appointments" => { post: appointments::book, get: appointments::list },
    "/appointments/" => { post: appointments::book, get: appointments::list },
    "/appointments/{id}" => {
        get: appointments::get,
        put: appointment_changes::change,
        delete: appointment_changes::cancel,
    },
    "/appointments/{id}/confirm" => { post: appointments::confirm },
    "/appointments/{id}/ics" => { get: calendars::ics },
    "/calendar-feeds" => { post: calendars::create_feed, delete: calendars::delete_feed },
    "/calendar-feeds/{file}" => { get: calendars::read_feed },
    "/waitlist" => { post: waitlist::join, get: waitlist::list },
    "/waitlist/{id}" => { delete: waitlist::withdraw },
    "/admin/stats" => { get: stats::stats },
    "/admin/stranded-appointments" => { get: stranded::list },
    "/admin/webhooks" => { post: webhooks::create, get: webhooks::list },
    "/admin/webhooks/{id}" => { delete: webhooks::delete },
    "/admin/webhooks/{id}/deliveries" => { get: webhooks::deliveries },
    "/fhir/metadata" => { get: fhir::metadata },
    "/fhir/Appointment" => { get: fhir::search_appointments },
    "/fhir/Appointment/{id}" => { get: fhir::read_appointment },
    "/fhir/Slot" => { get: fhir_directory::search_slots },
    "/fhir/Schedule/{id}" => { get: fhir_directory::read_schedule },
    "/fhir/PractitionerRole" => { get: fhir_directory::search_roles },
}

/// appointment-service's part of its OpenAPI document (the platform adds the rest).
#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "appointment-service", description = "Doctor profiles, availability, free slots and appointments. Conventions: errors are application/problem+json; a path id that is not a UUID answers 404 as a missing resource does; a body over 1 MiB 413; a URI over 16 KiB 414 and headers over 64 KiB (or one over 16 KiB) 431, as problems (beyond 64 KiB of URI or 128 KiB of head actix itself answers a bodiless 400 or 431); a method a path does not have 405 with Allow. A CORS preflight from an origin not in CORS_ALLOWED_ORIGINS, or for a method or request header the API does not take cross-origin, is a 403 problem. Specialization, location and directory filters are one line: control characters, CR and LF included, answer 422; appointment notes may hold line breaks and tabs. Slot queries reach at most 730 days ahead (422 beyond); bookings reach as far as the doctor's booking_horizon_days (422 beyond). A 409 by a rule a client may want to act on has a type ending in that rule (late-cancellation, daily-booking-limit, stranded-appointments); one blocked by records lists their ids in conflicts. A 422's detail names each bad field and what is wrong. Every GET route also answers HEAD (same headers, no body). A request body still arriving after REQUEST_BODY_TIMEOUT_SECONDS (10) is a 408 problem. Dates and times outside the years 0001-9999 are 422. Access tokens must carry aud (JWT_AUDIENCE) and typ JWT or at+jwt; a crit header is refused; nbf and exp have 5 s of leeway, iat may be at most 60 s ahead; a token issued up to its subject's revocation (password change, logout everywhere, disabled account, a reused refresh token; to the second, the revocation's own second included, while tokens issued after it carry an iat no earlier than the next second) is refused, by this service within REVOCATION_REFRESH_SECONDS. The client address (login limits, audit) is the TCP peer, or the right-most untrusted X-Forwarded-For/Forwarded hop when the peer is in TRUSTED_PROXIES."),
    paths(
        doctor_profile::create, doctor_profile::get, doctor_profile::update,
        doctor_calendar::add_time_off, doctor_calendar::list_time_off, doctor_calendar::delete_time_off,
        doctor_calendar::list_hours, doctor_calendar::set_hours, doctor_calendar::clear_hours,
        doctors::directory, doctors::get_doctor, doctors::free_slots,
        appointments::book, appointments::list, appointments::get,
        appointment_changes::change, appointment_changes::cancel, appointments::confirm,
        calendars::ics, calendars::create_feed, calendars::delete_feed, calendars::read_feed,
        waitlist::join, waitlist::list, waitlist::withdraw, stats::stats, stranded::list,
        webhooks::create, webhooks::list, webhooks::delete, webhooks::deliveries,
        fhir::metadata, fhir::read_appointment, fhir::search_appointments,
        fhir_directory::search_slots, fhir_directory::read_schedule, fhir_directory::search_roles,
    ),
    tags(
        (name = "doctors", description = "Doctor profiles, the directory and free slots"),
        (name = "calendar", description = "A doctor's time off and date overrides"),
        (name = "waitlist", description = "Waiting for a freed slot, offered as a hold"),
        (name = "appointments", description = "Booking, rescheduling and cancelling"),
        (name = "calendar-feeds", description = "A patient's or doctor's private RFC 5545 feed of their visits, for calendar apps to subscribe to"),
        (name = "admin", description = "Figures for admin analytics, and the visits stranded with doctors who may no longer be booked"),
        (name = "webhooks", description = "Signed event deliveries to subscribers (Standard Webhooks)"),
        (name = "fhir", description = "FHIR R4 (4.0.1), read-only, application/fhir+json; errors are OperationOutcomes with the native API's status codes. Appointment statuses: booked, pending (a hold), fulfilled (completed), cancelled (also a lapsed hold), noshow"),
    )
)]
pub struct ApiDoc;
