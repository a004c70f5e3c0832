//! `HEAD` wherever `GET` is served (contract part 3, section 16), the Swagger UI and the
//! OpenAPI document included, whose routes come from a crate that registers `GET` alone.
//! The request is routed as a `GET`; the connection already knows it was a `HEAD` (actix
//! reads the method when it decodes the request, HTTP/1 and HTTP/2 alike), so the answer
//! keeps the GET's headers and sends no body.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;

pub async fn route_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}
