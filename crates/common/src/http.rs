//! Small HTTP helpers shared by handlers.

use actix_web::HttpResponse;
use serde::Serialize;

pub const TOTAL_COUNT_HEADER: &str = "X-Total-Count";

/// A page of a list: the items as a JSON array, the total before paging in `X-Total-Count`.
pub fn paged<T: Serialize>(items: &[T], total: i64) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((TOTAL_COUNT_HEADER, total.to_string()))
        .json(items)
}

/// The client's address as seen by this process (the peer of the TCP connection).
/// Forwarded headers are not trusted: a client could set them to dodge rate limits.
pub fn client_address(req: &actix_web::HttpRequest) -> String {
    req.peer_addr()
        .map(|addr| addr.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}
