use crate::auth::AuthenticatedUser;
use crate::middleware::RequestId;
use crate::{Role, UserId};
use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload};
use chrono::{DateTime, SubsecRound, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// Refused: 401, 403, or 404 on something the caller may not see.
    Denied,
    /// Attempted and failed (a wrong password).
    Failure,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Denied => "denied",
            Self::Failure => "failure",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    pub actor_role: Option<Role>,
    /// `<resource>.<verb>`, e.g. `appointment.read`, `prescription.amend`, `auth.login`.
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub patient_id: Option<UserId>,
    pub outcome: Outcome,
    pub status: Option<u16>,
    pub request_id: Option<String>,
    pub client_address: Option<String>,
}

/// Who is acting and from where, taken from the request; handlers turn it into events.
#[derive(Debug, Clone)]
pub struct AuditContext {
    pub request_id: Option<String>,
    pub client_address: Option<String>,
}

impl AuditContext {
    pub fn of(req: &HttpRequest) -> Self {
        Self {
            request_id: req
                .extensions()
                .get::<RequestId>()
                .map(|r| r.as_str().to_owned()),
            client_address: Some(crate::http::client_address(req)),
        }
    }

    /// An event by `actor` (none for anonymous callers).
    pub fn event(
        &self,
        actor: Option<&AuthenticatedUser>,
        action: &str,
        resource_type: &str,
        resource_id: Option<String>,
        patient_id: Option<UserId>,
        outcome: Outcome,
    ) -> AuditEvent {
        AuditEvent {
            // Microseconds: what PostgreSQL keeps, so the hashed content round-trips.
            occurred_at: Utc::now().trunc_subsecs(6),
            actor_id: actor.map(|a| a.id),
            actor_role: actor.map(|a| a.role),
            action: action.to_owned(),
            resource_type: resource_type.to_owned(),
            resource_id,
            patient_id,
            outcome,
            status: None,
            request_id: self.request_id.clone(),
            client_address: self.client_address.clone(),
        }
    }
}

impl FromRequest for AuditContext {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(Self::of(req)))
    }
}
