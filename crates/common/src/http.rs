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

/// A page of patient data: like `paged`, and the ids of what it holds are recorded in the
/// read's audit event (a list read says what it showed, not only that it happened).
pub fn paged_records<T: Serialize>(
    items: &[T],
    total: i64,
    id: impl Fn(&T) -> String,
) -> HttpResponse {
    let mut response = paged(items, total);
    response
        .extensions_mut()
        .insert(crate::audit::ReturnedIds(items.iter().map(id).collect()));
    response
}

pub use crate::client_address::client_address;

/// A resource answering GET (and HEAD, with the same headers and no body) with `handler`,
/// and any other method with a 405 problem listing those two.
pub fn get_resource<F, Args>(path: &str, handler: F) -> actix_web::Resource
where
    F: actix_web::Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    use actix_web::web;
    web::resource(path)
        .route(web::get().to(handler.clone()))
        .route(web::head().to(handler))
        .default_service(web::to(|| crate::error::method_not_allowed("get")))
}

/// Where clients reach this service, as `HttpSettings::public_base_url` says (app data the
/// platform registers for every service).
#[derive(Debug, Clone, Default)]
pub struct PublicBase(pub Option<String>);

/// The service's base URL for links a client follows: `PUBLIC_BASE_URL`, else the scheme
/// and host the request came in on. `X-Forwarded-Host`, `X-Forwarded-Proto` and
/// `Forwarded` count only from a peer in `TRUSTED_PROXIES`: anyone else could otherwise
/// point the links in a PDF's QR code, a FHIR Bundle or the OAuth metadata at a host of
/// theirs (and a shared cache would hand that answer on).
pub fn public_base(req: &actix_web::HttpRequest) -> String {
    if let Some(base) = req
        .app_data::<actix_web::web::Data<PublicBase>>()
        .and_then(|base| base.0.clone())
    {
        return base;
    }
    let from_trusted_proxy = req.peer_addr().is_some_and(|peer| {
        req.app_data::<actix_web::web::Data<crate::client_address::TrustedProxies>>()
            .is_some_and(|trusted| trusted.trusts(peer.ip()))
    });
    if from_trusted_proxy {
        let info = req.connection_info();
        return format!("{}://{}", info.scheme(), info.host());
    }
    let scheme = if req.app_config().secure() {
        "https"
    } else {
        "http"
    };
    let host = req
        .headers()
        .get(actix_web::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_else(|| req.app_config().host());
    format!("{scheme}://{host}")
}
