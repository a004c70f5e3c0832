//! The middleware every service wraps its app in: request id and trace context, timing,
//! body limit, default security headers, metrics, and one log line per request.

use crate::error::{
    ApiError, MAX_BODY_BYTES, MAX_HEADER_BYTES, MAX_HEADER_LINE_BYTES, MAX_URI_BYTES,
};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, ResponseError};
use std::time::Instant;
use tracing::Instrument;

pub const REQUEST_ID_HEADER: &str = "x-request-id";
pub const PROCESS_TIME_HEADER: &str = "x-process-time";

pub const TRACEPARENT_HEADER: &str = "traceparent";

/// Present in the app data when the service serves HTTPS itself: answers then carry HSTS.
#[derive(Debug, Clone, Copy)]
pub struct ServedOverTls;

/// What ties a request to the calls it makes: its `X-Request-Id`, and the W3C trace it
/// belongs to. Kept in the request's extensions; clients forward both on every call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId {
    id: String,
    /// `00-<trace id>-<parent id>-<flags>` for calls this request makes: the caller's
    /// trace id (or a new one) with this hop's own span id.
    traceparent: String,
}

impl RequestId {
    pub fn as_str(&self) -> &str {
        &self.id
    }

    pub fn traceparent(&self) -> &str {
        &self.traceparent
    }

    /// Adds `X-Request-Id` and `traceparent` to an outgoing call.
    pub fn forward(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        request
            .header(REQUEST_ID_HEADER, &self.id)
            .header(TRACEPARENT_HEADER, &self.traceparent)
    }

    fn new(id: String, incoming_traceparent: Option<&str>) -> Self {
        let random = uuid::Uuid::new_v4().simple().to_string();
        let span_id = &random[..16];
        let (trace_id, flags) = incoming_traceparent
            .and_then(parse_traceparent)
            .unwrap_or_else(|| (uuid::Uuid::new_v4().simple().to_string(), "01".to_owned()));
        Self {
            id,
            traceparent: format!("00-{trace_id}-{span_id}-{flags}"),
        }
    }
}

/// The trace id and flags of a valid version-00 `traceparent`.
fn parse_traceparent(value: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = value.trim().split('-').collect();
    let hex = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit());
    match parts.as_slice() {
        [version, trace, parent, flags]
            if *version == "00"
                && hex(trace, 32)
                && hex(parent, 16)
                && hex(flags, 2)
                && trace.bytes().any(|b| b != b'0') =>
        {
            Some((trace.to_ascii_lowercase(), flags.to_ascii_lowercase()))
        }
        _ => None,
    }
}

impl RequestId {
    /// The id the request-context middleware gave this request (a new one outside it).
    pub fn of(req: &actix_web::HttpRequest) -> Self {
        req.extensions()
            .get::<RequestId>()
            .cloned()
            .unwrap_or_else(|| RequestId::new(uuid::Uuid::new_v4().to_string(), None))
    }
}

impl actix_web::FromRequest for RequestId {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;
    fn from_request(req: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(Ok(Self::of(req)))
    }
}

/// A caller's id is echoed only when it is short printable ASCII, so it cannot smuggle
/// control characters into logs or headers.
fn accepted_request_id(value: &HeaderValue) -> Option<String> {
    let text = value.to_str().ok()?;
    let plausible =
        !text.is_empty() && text.len() <= 128 && text.bytes().all(|b| b.is_ascii_graphic());
    plausible.then(|| text.to_owned())
}

fn declared_length(req: &ServiceRequest) -> Option<usize> {
    req.headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// A request whose URI, headers or declared body are over the limits, refused before
/// anything reads it.
fn oversized(req: &ServiceRequest) -> Option<ApiError> {
    let uri = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    let (headers, longest) = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .fold((0, 0), |(total, longest), bytes| {
            (total + bytes, longest.max(bytes))
        });
    if uri > MAX_URI_BYTES {
        Some(ApiError::UriTooLong)
    } else if headers > MAX_HEADER_BYTES || longest > MAX_HEADER_LINE_BYTES {
        Some(ApiError::HeadersTooLarge)
    } else if declared_length(req).is_some_and(|len| len > MAX_BODY_BYTES) {
        Some(ApiError::PayloadTooLarge)
    } else {
        None
    }
}

pub async fn request_context(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    // Only a request that sends a body gets a deadline for it (no timer for a GET).
    let sends_body = declared_length(&req).is_some_and(|len| len > 0)
        || req.headers().contains_key(header::TRANSFER_ENCODING);
    if let Some(timeout) = req
        .app_data::<actix_web::web::Data<crate::body_deadline::BodyTimeout>>()
        .filter(|_| sends_body)
    {
        let within = timeout.0;
        crate::body_deadline::apply(&mut req, within);
    }
    let request_id = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(accepted_request_id)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let incoming_trace = req
        .headers()
        .get(TRACEPARENT_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let context = RequestId::new(request_id.clone(), incoming_trace.as_deref());
    crate::idle_connections::mark_used(&req);
    let trace_id = context
        .traceparent
        .get(3..35)
        .unwrap_or_default()
        .to_owned();
    req.extensions_mut().insert(context);
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        trace_id = %trace_id,
        method = %req.method(),
        path = %bounded_path(req.path()),
    );
    // No clone of the request may be held across `next.call`: routing needs it unshared.
    let mut response = if let Some(refusal) = oversized(&req) {
        req.into_response(refusal.error_response())
    } else {
        next.call(req)
            .instrument(span.clone())
            .await?
            .map_into_boxed_body()
    };

    let elapsed = started.elapsed();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        headers.insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    if let Ok(value) = HeaderValue::from_str(&format!("{:.6}", elapsed.as_secs_f64())) {
        headers.insert(HeaderName::from_static(PROCESS_TIME_HEADER), value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    // Nothing we serve may be framed (clickjacking); only the docs page is a page at all,
    // and it runs nothing but its own bundled scripts.
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let policy = if response.request().path().starts_with("/docs") {
        DOCS_CONTENT_SECURITY_POLICY
    } else {
        API_CONTENT_SECURITY_POLICY
    };
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(policy),
    );
    // Only over TLS (RFC 6797: a plain-HTTP answer must not carry it).
    if response
        .request()
        .app_data::<actix_web::web::Data<ServedOverTls>>()
        .is_some()
    {
        response.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }

    let status = response.status().as_u16();
    let route = response.request().match_pattern().unwrap_or_default();
    if let Some(metrics) = response
        .request()
        .app_data::<actix_web::web::Data<crate::metrics::Metrics>>()
    {
        // Unmatched paths share one label: raw paths would make unbounded series.
        let label = if route.is_empty() {
            "unmatched"
        } else {
            route.as_str()
        };
        let method = known_method(response.request().method());
        metrics.observe_request(method, label, status, elapsed);
    }
    let elapsed_ms = elapsed.as_secs_f64() * 1000.0;
    if is_routine_poll(status, &route) {
        tracing::debug!(parent: &span, status, route, elapsed_ms, "request finished");
    } else {
        tracing::info!(parent: &span, status, route, elapsed_ms, "request finished");
    }
    Ok(response)
}

/// JSON answers load nothing and may not be framed.
const API_CONTENT_SECURITY_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// Swagger UI: its own scripts, styles and images (icons are `data:` URIs), calls to this
/// service only ("Try it out"), never framed.
const DOCS_CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
     base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The method as a metrics label: any token is a valid HTTP method, so an unknown one is
/// `other`, or each invented method would make a new series.
fn known_method(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Routes machines poll (probes, scrapers, the other services every few seconds): their
/// successes log at debug, or at info they would bury what people do (the revocation
/// list alone is two requests every ten seconds).
const POLLED_ROUTES: [&str; 6] = [
    "/health",
    "/health/ready",
    "/metrics",
    "/auth/revocations",
    "/.well-known/jwks.json",
    "/.well-known/oauth-authorization-server",
];

/// A machine's poll that went as expected: logged at debug.
fn is_routine_poll(status: u16, route: &str) -> bool {
    status < 400 && POLLED_ROUTES.contains(&route)
}

/// Paths whose last segment is a secret (a calendar feed's URL is its only key): the log
/// keeps the prefix alone.
const SECRET_PATHS: [&str; 1] = ["/calendar-feeds/"];

/// A path as the access log records it: at most 256 characters, so a huge request line
/// cannot make a huge log line, and no secret a URL carries.
fn bounded_path(path: &str) -> std::borrow::Cow<'_, str> {
    const MAX: usize = 256;
    if let Some(prefix) = SECRET_PATHS
        .iter()
        .find(|prefix| path.len() > prefix.len() && path.starts_with(*prefix))
    {
        return format!("{prefix}[secret]").into();
    }
    match path.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...[cut]", &path[..cut]).into(),
        None => path.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_successful_polls_by_machines_are_quiet() {
        assert!(is_routine_poll(200, "/auth/revocations"));
        assert!(is_routine_poll(304, "/.well-known/jwks.json"));
        assert!(
            !is_routine_poll(401, "/auth/revocations"),
            "a refused poll is news"
        );
        assert!(!is_routine_poll(200, "/appointments"));
    }

    #[test]
    fn invented_methods_share_one_label_and_long_paths_are_cut() {
        let invented = actix_web::http::Method::from_bytes(b"BREW").unwrap();
        assert_eq!(known_method(&invented), "other");
        assert_eq!(known_method(&actix_web::http::Method::GET), "GET");
        assert_eq!(bounded_path("/appointments"), "/appointments");
        assert_eq!(
            bounded_path("/calendar-feeds/s3cr3t.ics"),
            "/calendar-feeds/[secret]"
        );
        assert_eq!(bounded_path("/calendar-feeds"), "/calendar-feeds");
        let long = bounded_path(&"/a".repeat(5000)).into_owned();
        assert!(long.len() < 300 && long.ends_with("...[cut]"));
    }

    #[test]
    fn a_valid_traceparent_keeps_its_trace_and_gets_our_span() {
        let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let context = RequestId::new("r1".into(), Some(incoming));
        let parts: Vec<&str> = context.traceparent().split('-').collect();
        assert_eq!(parts[1], "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_ne!(parts[2], "00f067aa0ba902b7");
        assert_eq!((parts[0], parts[3]), ("00", "01"));
    }

    #[test]
    fn an_invalid_traceparent_starts_a_new_trace() {
        for bad in [
            "",
            "garbage",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "01-abc-def-01",
        ] {
            let context = RequestId::new("r1".into(), Some(bad));
            assert!(
                parse_traceparent(context.traceparent()).is_some(),
                "{bad:?}"
            );
            assert!(
                !context
                    .traceparent()
                    .contains("00000000000000000000000000000000")
            );
        }
    }
}
