//! `/health` (liveness: the process serves HTTP), `/health/ready` (readiness: the
//! database answers and the service is not shutting down) and `/metrics`. Load balancers
//! route by readiness; orchestrators restart by liveness.

use actix_web::{HttpResponse, web};
use serde_json::json;

/// The service's name as `/health` reports it, for example `auth-service`.
#[derive(Debug, Clone, Copy)]
pub struct ServiceName(pub &'static str);

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct HealthStatus {
    /// `ok` (liveness) or `ready` (readiness).
    pub status: String,
    pub service: String,
}

/// Liveness: the process serves HTTP; no dependencies are checked.
#[utoipa::path(get, path = "/health", operation_id = "liveness", tag = "operations", responses((status = 200, description = "The process is up", body = HealthStatus)))]
pub async fn live(name: web::Data<ServiceName>) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok", "service": name.0 }))
}

/// Readiness: the database answers and the service is not shutting down.
#[utoipa::path(get, path = "/health/ready", operation_id = "readiness", tag = "operations",
    responses((status = 200, description = "Ready: the database answers and the service is not shutting down", body = HealthStatus), (status = 503, description = "Not ready: the database does not answer, or the service is shutting down", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn ready(
    name: web::Data<ServiceName>,
    pool: web::Data<crate::db::DbPool>,
    lifecycle: Option<web::Data<crate::lifecycle::Lifecycle>>,
) -> Result<HttpResponse, crate::ApiError> {
    if lifecycle.is_some_and(|l| l.is_draining()) {
        return Err(crate::ApiError::unavailable(
            "service",
            anyhow::anyhow!("shutting down"),
        ));
    }
    crate::db::ping(&pool).await?;
    Ok(HttpResponse::Ok().json(json!({ "status": "ready", "service": name.0 })))
}

/// Where a service's other public paths are, relative to `/` so they hold under a proxy's
/// path prefix.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Landing {
    pub service: String,
    pub docs: String,
    pub openapi: String,
    pub health: String,
    pub ready: String,
    pub metrics: String,
}

/// `GET /`: the service's name and links to its docs, document, health and metrics.
#[utoipa::path(get, path = "/", operation_id = "landing", tag = "operations", responses((status = 200, description = "Links to the docs, the OpenAPI document, health, readiness and metrics (relative)", body = Landing)))]
pub async fn landing(name: web::Data<ServiceName>) -> HttpResponse {
    HttpResponse::Ok().json(Landing {
        service: name.0.to_owned(),
        docs: "docs/".into(),
        openapi: "openapi.json".into(),
        health: "health".into(),
        ready: "health/ready".into(),
        metrics: "metrics".into(),
    })
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::http::get_resource("/", landing))
        .service(crate::http::get_resource("/health", live))
        .service(crate::http::get_resource("/health/ready", ready))
        .service(crate::http::get_resource(
            "/metrics",
            crate::metrics::endpoint,
        ));
}
