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

pub use crate::client_address::client_address;
