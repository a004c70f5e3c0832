//! CORS from `CORS_ALLOWED_ORIGINS`: only listed origins get CORS headers (default: none,
//! so browsers on other origins are refused). Tokens travel in the Authorization header,
//! never in cookies, so credentials are never allowed and no origin is ever reflected.

use actix_cors::Cors;
use actix_web::http::{Method, header};

pub fn policy(allowed_origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::HeaderName::from_static("idempotency-key"),
            header::HeaderName::from_static("x-request-id"),
            header::HeaderName::from_static("traceparent"),
        ])
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
