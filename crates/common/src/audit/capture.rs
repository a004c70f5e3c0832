//! Middleware that audits reads (successful GETs) and denials (401, 403, 404) on the
//! routes a service declares to hold patient data. Writes are audited by their handlers,
//! inside their transactions, so they are not recorded here.

use super::buffer::AuditLog;
use super::event::{Action, AuditContext, Outcome, Resource, ReturnedIds, RouteVerb};
use crate::UserId;
use crate::auth::AuthenticatedUser;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};

/// A route template holding patient data, and the resource type it is about.
#[derive(Debug, Clone, Copy)]
pub struct AuditedRoute {
    pub route: &'static str,
    pub resource: Resource,
}

/// Set by a handler that knows whose data it served (the middleware cannot).
#[derive(Debug, Clone, Copy)]
pub struct PatientOfRequest(pub UserId);

impl PatientOfRequest {
    pub fn note(req: &actix_web::HttpRequest, patient: UserId) {
        req.extensions_mut().insert(PatientOfRequest(patient));
    }
}

fn verb(method: &Method) -> RouteVerb {
    match *method {
        Method::GET => RouteVerb::Read,
        Method::POST => RouteVerb::Create,
        Method::PUT => RouteVerb::Update,
        Method::DELETE => RouteVerb::Delete,
        _ => RouteVerb::Access,
    }
}

pub async fn capture(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let response = next.call(req).await?;
    let request = response.request();
    let (Some(log), Some(routes), Some(pattern)) = (
        request.app_data::<web::Data<AuditLog>>(),
        request.app_data::<web::Data<Vec<AuditedRoute>>>(),
        request.match_pattern(),
    ) else {
        return Ok(response);
    };
    let Some(audited) = routes.iter().find(|r| r.route == pattern) else {
        return Ok(response);
    };
    let status = response.status();
    let outcome = match status.as_u16() {
        401 | 403 | 404 => Outcome::Denied,
        _ if status.is_success() && request.method() == Method::GET => Outcome::Success,
        _ => return Ok(response),
    };
    let actor = request.extensions().get::<AuthenticatedUser>().copied();
    let patient = request
        .extensions()
        .get::<PatientOfRequest>()
        .map(|p| p.0)
        .or_else(|| actor.and_then(|a| a.as_patient()));
    let resource_id = request
        .match_info()
        .iter()
        .next()
        .map(|(_, value)| value.to_owned());
    let event = AuditContext::of(request)
        .event(Action::Route(audited.resource, verb(request.method())))
        .by(actor.as_ref())
        .on_maybe(resource_id)
        .returned(response.response().extensions().get::<ReturnedIds>())
        .patient(patient)
        .status(status.as_u16())
        .outcome(outcome);
    log.submit(event);
    Ok(response)
}
