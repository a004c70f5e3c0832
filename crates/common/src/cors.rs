//! CORS from `CORS_ALLOWED_ORIGINS`: only listed origins get CORS headers (default: none,
//! so browsers on other origins are refused). Tokens travel in the Authorization header,
//! never in cookies, so credentials are never allowed and no origin is ever reflected.

use crate::ApiError;
use actix_cors::Cors;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{ResponseError, web};

/// What a browser page may use across origins.
const METHODS: [Method; 6] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
];
const REQUEST_HEADERS: [&str; 6] = [
    "authorization",
    "content-type",
    "accept",
    "idempotency-key",
    "x-request-id",
    "traceparent",
];

/// The origins allowed to call the API from a browser, for the preflight check.
#[derive(Debug, Clone, Default)]
pub struct AllowedOrigins(pub Vec<String>);

pub fn policy(allowed_origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(METHODS)
        .allowed_headers(REQUEST_HEADERS.map(header::HeaderName::from_static))
        .expose_headers([
            "x-request-id",
            "x-process-time",
            "x-total-count",
            "retry-after",
            "idempotent-replayed",
        ])
        .max_age(600)
        // An unlisted origin simply gets no CORS headers (the browser then refuses);
        // non-browser clients that happen to send Origin are not broken by a 400.
        .block_on_origin_mismatch(false);
    for origin in allowed_origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// Why a preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) would be
/// refused, if it would.
fn refusal(req: &ServiceRequest, allowed: &AllowedOrigins) -> Option<&'static str> {
    if req.method() != Method::OPTIONS {
        return None;
    }
    let headers = req.headers();
    let origin = headers.get(header::ORIGIN)?.to_str().unwrap_or_default();
    let method = headers.get(header::ACCESS_CONTROL_REQUEST_METHOD)?;
    if !allowed.0.iter().any(|o| o == origin) {
        return Some("this origin may not call the API from a browser (see CORS_ALLOWED_ORIGINS)");
    }
    let method_allowed = method
        .to_str()
        .ok()
        .and_then(|m| m.parse::<Method>().ok())
        .is_some_and(|m| METHODS.contains(&m));
    if !method_allowed {
        return Some("this method may not be used from a browser on another origin");
    }
    let requested = headers
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let headers_allowed = requested
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .all(|h| REQUEST_HEADERS.contains(&h.as_str()));
    (!headers_allowed)
        .then_some("a requested header may not be sent from a browser on another origin")
}

/// A preflight the policy refuses is answered here as a 403 problem, instead of actix-cors'
/// plain-text 400 (or a bare 200 without CORS headers), so a developer sees why.
pub async fn refuse_preflight(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let allowed = req
        .app_data::<web::Data<AllowedOrigins>>()
        .map(|a| a.get_ref().clone())
        .unwrap_or_default();
    if let Some(reason) = refusal(&req, &allowed) {
        let response = ApiError::Forbidden(reason).error_response();
        return Ok(req.into_response(response).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}
