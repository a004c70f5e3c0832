//! Content negotiation for routes that answer more than one media type (`Accept`).

use actix_web::HttpRequest;
use actix_web::http::header::{Accept, Header, Quality};
use actix_web::mime;

/// Whether `Accept` names `wanted` and ranks it at least as high as `other`.
pub fn prefers(req: &HttpRequest, wanted: &mime::Mime, other: &mime::Mime) -> bool {
    let Ok(accept) = Accept::parse(req) else {
        return false;
    };
    let quality = |media_type: &mime::Mime| {
        accept
            .iter()
            .filter(|ranged| ranged.item == *media_type)
            .map(|ranged| ranged.quality)
            .max()
            .unwrap_or(Quality::ZERO)
    };
    let wanted = quality(wanted);
    wanted > Quality::ZERO && wanted >= quality(other)
}
