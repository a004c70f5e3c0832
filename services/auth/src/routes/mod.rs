//! The route table: the one place that lists every endpoint of auth-service.

mod analytics;
mod email_verification;
mod fhir;
mod fhir_resources;
mod inbox;
mod jwks;
mod login;
mod oauth;
mod password_reset;
mod profile;
mod register;
pub mod revocations;
mod sessions;
mod unlock;
mod users;
pub mod views;

use common::audit::{AuditedRoute, Resource};

/// Routes holding patient data: their reads and denials are audited by middleware.
pub const AUDITED: &[AuditedRoute] = &[
    AuditedRoute {
        route: "/users/profile",
        resource: Resource::UserProfile,
    },
    AuditedRoute {
        route: "/users/profile/password",
        resource: Resource::UserProfile,
    },
    AuditedRoute {
        route: "/users",
        resource: Resource::User,
    },
    AuditedRoute {
        route: "/users/",
        resource: Resource::User,
    },
    AuditedRoute {
        route: "/users/{id}",
        resource: Resource::User,
    },
    AuditedRoute {
        route: "/fhir/Patient/{id}",
        resource: Resource::User,
    },
];

common::route_table! {
    "/auth/register" => { post: register::register },
    "/auth/login" => { post: login::login },
    "/auth/token" => { post: oauth::token },
    "/auth/refresh" => { post: sessions::refresh },
    "/auth/logout" => { post: sessions::logout },
    "/auth/unlock" => { post: unlock::unlock },
    "/auth/password-reset" => { post: password_reset::request },
    "/auth/verify-email" => { post: email_verification::verify },
    "/auth/verify-email/resend" => { post: email_verification::resend },
    "/auth/password-reset/confirm" => { post: password_reset::confirm },
    "/auth/revocations" => { get: revocations::list },
    "/.well-known/jwks.json" => { get: jwks::jwks },
    "/.well-known/oauth-authorization-server" => { get: oauth::metadata },
    "/users/profile" => { get: profile::get_profile, put: profile::update_profile },
    "/users/profile/password" => { put: profile::change_password },
    "/users" => { get: users::list_users, post: users::create_user },
    "/users/" => { get: users::list_users, post: users::create_user },
    "/users/{id}" => { get: users::get_user, patch: users::change_access },
    "/admin/analytics" => { get: analytics::analytics },
    "/internal/events" => { post: inbox::receive },
    "/fhir/metadata" => { get: fhir::metadata },
    "/fhir/Patient/{id}" => { get: fhir::read_patient },
    "/fhir/Practitioner/{id}" => { get: fhir::read_practitioner },
}

/// auth-service's part of its OpenAPI document (the platform adds health, metrics, audit).
#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "auth-service", description = "Users, login, tokens, profiles and admin. Login limits count failed attempts only (per account and address, per account from every address but one that has not failed, per address), before any hashing; sign-ups are limited per address. /auth/token answers RFC 6749 error bodies; the RFC 8414 metadata's issuer, also the iss of every token, is PUBLIC_BASE_URL, else JWT_ISSUER, else the service's own http://HOST:PORT (tokens of the previous issuer, JWT_ISSUER or healthcare-auth, stay accepted until they expire); its URLs are built from PUBLIC_BASE_URL, else from the request's scheme and Host. Access tokens are RFC 9068: typ at+jwt, client_id healthcare-api for logins through this API. Conventions: errors are application/problem+json; a path id that is not a UUID answers 404 as a missing resource does; a body over 1 MiB 413; a URI over 16 KiB 414 and headers over 64 KiB (or one over 16 KiB) 431, as problems (beyond 64 KiB of URI or 128 KiB of head actix itself answers a bodiless 400 or 431); a method a path does not have 405 with Allow. A CORS preflight from an origin not in CORS_ALLOWED_ORIGINS, or for a method or request header the API does not take cross-origin, is a 403 problem. Names refuse control characters, CR and LF included (422). Every GET route also answers HEAD (same headers, no body). A request body still arriving after REQUEST_BODY_TIMEOUT_SECONDS (10) is a 408 problem. Dates and times outside the years 0001-9999 are 422. Access tokens must carry aud (JWT_AUDIENCE) and typ JWT or at+jwt; a crit header is refused; nbf and exp have 5 s of leeway, iat may be at most 60 s ahead; a token issued up to its subject's revocation (password change, logout everywhere, disabled account, a reused refresh token; to the second, the revocation's own second included, while tokens issued after it carry an iat no earlier than the next second) is refused, by this service within REVOCATION_REFRESH_SECONDS. The client address (login limits, audit) is the TCP peer, or the right-most untrusted X-Forwarded-For/Forwarded hop when the peer is in TRUSTED_PROXIES."),
    paths(
        register::register, login::login, oauth::token, oauth::metadata, sessions::refresh, sessions::logout, unlock::unlock,
        password_reset::request, password_reset::confirm, email_verification::verify,
        email_verification::resend, revocations::list,
        jwks::jwks, profile::get_profile, profile::update_profile, profile::change_password,
        users::list_users, users::create_user, users::get_user, users::change_access,
        analytics::analytics, inbox::receive,
        fhir::metadata, fhir::read_patient, fhir::read_practitioner,
    ),
    tags(
        (name = "auth", description = "Registration, login and tokens"),
        (name = "users", description = "Profiles and user administration"),
        (name = "admin", description = "Practice analytics"),
        (name = "notifications", description = "Events of the other services, turned into patients' e-mail"),
        (name = "fhir", description = "FHIR R4 (4.0.1), read-only, application/fhir+json; errors are OperationOutcomes with the native API's status codes"),
    )
)]
pub struct ApiDoc;
