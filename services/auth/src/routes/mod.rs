//! The route table: the one place that lists every endpoint of auth-service.

mod analytics;
mod jwks;
mod login;
mod profile;
mod register;
mod sessions;
mod users;
pub mod views;

use actix_web::web;
use common::audit::AuditedRoute;

/// Routes holding patient data: their reads and denials are audited by middleware.
pub const AUDITED: &[AuditedRoute] = &[
    AuditedRoute {
        route: "/users/profile",
        resource_type: "user_profile",
    },
    AuditedRoute {
        route: "/users/profile/password",
        resource_type: "user_profile",
    },
    AuditedRoute {
        route: "/users",
        resource_type: "user",
    },
    AuditedRoute {
        route: "/users/",
        resource_type: "user",
    },
];

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.route("/auth/register", web::post().to(register::register))
        .route("/auth/login", web::post().to(login::login))
        .route("/auth/token", web::post().to(login::token))
        .route("/auth/refresh", web::post().to(sessions::refresh))
        .route("/auth/logout", web::post().to(sessions::logout))
        .route("/.well-known/jwks.json", web::get().to(jwks::jwks))
        .service(
            web::resource("/users/profile")
                .route(web::get().to(profile::get_profile))
                .route(web::put().to(profile::update_profile)),
        )
        .route(
            "/users/profile/password",
            web::put().to(profile::change_password),
        )
        .service(
            web::resource(["/users", "/users/"])
                .route(web::get().to(users::list_users))
                .route(web::post().to(users::create_user)),
        )
        .route("/admin/analytics", web::get().to(analytics::analytics));
}

/// What the handlers share beyond the pool: policy knobs fixed at startup.
pub struct SessionPolicy {
    pub refresh_ttl: std::time::Duration,
    pub login_rate_limit_per_minute: u32,
    /// Key for idempotency fingerprints (register bodies carry passwords).
    pub idempotency_secret: Vec<u8>,
}
