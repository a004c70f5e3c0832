//! The OpenAPI parts every service shares: the bearer security scheme, the platform's own
//! endpoints (health, metrics, audit), and the route-table macro whose list a test checks
//! against the document, so no registered route can be missing from it.

use utoipa::Modify;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

/// Adds the `bearer` scheme (EdDSA JWT access tokens from auth-service).
pub struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "Access token from auth-service (POST /auth/login), EdDSA-signed",
                    ))
                    .build(),
            ),
        );
    }
}

/// This document (OpenAPI 3.1, JSON).
#[utoipa::path(get, path = "/openapi.json", operation_id = "openapi_document", tag = "operations",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json", body = Object)))]
#[expect(
    dead_code,
    reason = "documents the route utoipa-swagger-ui serves; only its OpenAPI path is used"
)]
async fn openapi_json() {}

/// Interactive documentation (Swagger UI), served with its assets by the service itself.
#[utoipa::path(get, path = "/docs", operation_id = "docs", tag = "operations",
    responses((status = 308, description = "Redirects to /docs/, the Swagger UI page")))]
#[expect(
    dead_code,
    reason = "documents the redirect the platform registers; only its OpenAPI path is used"
)]
async fn docs() {}

#[derive(OpenApi)]
#[openapi(
    paths(
        openapi_json,
        docs,
        crate::health::landing,
        crate::health::live,
        crate::health::ready,
        crate::metrics::endpoint,
        crate::audit::routes::list,
        crate::audit::routes::check,
    ),
    components(schemas(
        crate::error::Problem,
        crate::error::FieldError,
        crate::fhir::outcome::OperationOutcome,
        crate::fhir::outcome::Issue
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "operations", description = "Health, readiness and metrics"),
        (name = "audit", description = "The service's audit trail (admins)"),
    )
)]
struct PlatformDoc;

/// The routes every service gets from `Platform`, as `(method, path)`.
pub const PLATFORM_ROUTES: &[(&str, &str)] = &[
    ("get", "/"),
    ("get", "/health"),
    ("get", "/health/ready"),
    ("get", "/metrics"),
    ("get", "/admin/audit"),
    ("get", "/admin/audit/verify"),
    ("get", "/openapi.json"),
    ("get", "/docs"),
];

/// A service's own document with the platform's paths, schemas and security merged in.
pub fn document(service: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    service.merge_from(PlatformDoc::openapi())
}

/// One method of a `route_table!` resource; GET also answers HEAD (same headers, no body).
#[macro_export]
macro_rules! route_for {
    ($resource:expr, get, $handler:path) => {
        $resource
            .route(actix_web::web::get().to($handler))
            .route(actix_web::web::head().to($handler))
    };
    ($resource:expr, $method:ident, $handler:path) => {
        $resource.route(actix_web::web::$method().to($handler))
    };
}

/// Declares a service's routes once: `config` registers them, `ROUTES` lists them as
/// `(method, path)` for the test that checks the OpenAPI document covers every one.
#[macro_export]
macro_rules! route_table {
    ($( $path:literal => { $( $method:ident : $handler:path ),+ $(,)? } ),* $(,)?) => {
        pub fn config(cfg: &mut actix_web::web::ServiceConfig) {
            $(
                let mut resource = actix_web::web::resource($path);
                $( resource = $crate::route_for!(resource, $method, $handler); )+
                cfg.service(resource.default_service(actix_web::web::to(|| {
                    $crate::error::method_not_allowed(concat!($( stringify!($method), " " ),+))
                })));
            )*
        }

        pub const ROUTES: &[(&str, &str)] = &[ $( $( (stringify!($method), $path) ),+ ),* ];
    };
}

/// Swagger UI's start script, in place of the one utoipa-swagger-ui writes: the document's
/// URL is relative (`../openapi.json` from `/docs/`), so the page finds it when a proxy
/// serves the service under a path prefix, and `validatorUrl: null` keeps the browser from
/// sending the document to validator.swagger.io (it describes a private API, and an
/// air-gapped network cannot reach it anyway).
pub const SWAGGER_INITIALIZER: &str = r##"window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: "../openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout"
  });
};
"##;

pub(crate) async fn swagger_initializer() -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("application/javascript; charset=utf-8")
        .body(SWAGGER_INITIALIZER)
}
