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

/// What kind of record an event is about (stored as `resource_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    User,
    UserProfile,
    Session,
    DoctorProfile,
    /// A doctor's range of time off.
    DoctorTimeOff,
    /// A doctor's hours for one date, instead of the weekly rule.
    DoctorHours,
    Appointment,
    /// A patient's place on a doctor's waitlist.
    WaitlistEntry,
    Prescription,
    /// A webhook subscription (who may receive the service's events).
    Webhook,
    /// A person's private calendar feed (its URL is the key to their appointments).
    CalendarFeed,
}

impl Resource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::UserProfile => "user_profile",
            Self::Session => "session",
            Self::DoctorProfile => "doctor_profile",
            Self::DoctorTimeOff => "doctor_time_off",
            Self::DoctorHours => "doctor_hours",
            Self::Appointment => "appointment",
            Self::WaitlistEntry => "waitlist_entry",
            Self::Prescription => "prescription",
            Self::Webhook => "webhook",
            Self::CalendarFeed => "calendar_feed",
        }
    }
}

/// What an audited route's request did, named by its method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteVerb {
    Read,
    Create,
    Update,
    Delete,
    Access,
}

impl RouteVerb {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Access => "access",
        }
    }
}

/// Every action the services record; stored as `<resource>.<verb>` (`appointment.read`,
/// `prescription.amend`), sessions as `auth.<verb>` (`auth.login`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A read or a denial on an audited route (the capture middleware's events).
    Route(Resource, RouteVerb),
    Login,
    Refresh,
    RefreshReuse,
    Logout,
    UserCreate,
    /// An admin changed an account's role or disabled it.
    UserAccessChange,
    ProfileUpdate,
    PasswordChange,
    /// A reset link was used: the password set by whoever held it (no actor).
    PasswordReset,
    DoctorProfileCreate,
    DoctorProfileUpdate,
    TimeOffCreate,
    TimeOffDelete,
    HoursOverrideSet,
    HoursOverrideDelete,
    AppointmentCreate,
    AppointmentReschedule,
    AppointmentStatusChange,
    AppointmentUpdate,
    AppointmentCancel,
    /// A patient confirmed their hold.
    AppointmentConfirm,
    /// The waitlist put a hold on a freed slot for a waiting patient (no actor: the system).
    AppointmentOffer,
    WaitlistCreate,
    WaitlistWithdraw,
    PrescriptionCreate,
    PrescriptionAmend,
    /// A move in the lifecycle (by its doctor, or by the system when the visit was
    /// cancelled).
    PrescriptionStatusChange,
    /// Prescribed or amended despite a duplicate therapy; the reason is in the version.
    PrescriptionDuplicateOverride,
    /// A pharmacist recorded what they handed out.
    PrescriptionDispense,
    /// An admin subscribed a URL to events (or unsubscribed it).
    WebhookCreate,
    WebhookDelete,
    /// A person made a new calendar feed URL (ending the one before), ended it, or a
    /// calendar app read it with the URL's secret (no actor: whoever holds the URL).
    CalendarFeedCreate,
    CalendarFeedDelete,
    CalendarFeedRead,
}

impl Action {
    pub fn resource(self) -> Resource {
        match self {
            Self::Route(resource, _) => resource,
            Self::Login | Self::Refresh | Self::RefreshReuse | Self::Logout => Resource::Session,
            Self::UserCreate | Self::UserAccessChange => Resource::User,
            Self::ProfileUpdate | Self::PasswordChange | Self::PasswordReset => {
                Resource::UserProfile
            }
            Self::DoctorProfileCreate | Self::DoctorProfileUpdate => Resource::DoctorProfile,
            Self::TimeOffCreate | Self::TimeOffDelete => Resource::DoctorTimeOff,
            Self::HoursOverrideSet | Self::HoursOverrideDelete => Resource::DoctorHours,
            Self::AppointmentCreate
            | Self::AppointmentReschedule
            | Self::AppointmentStatusChange
            | Self::AppointmentUpdate
            | Self::AppointmentCancel
            | Self::AppointmentConfirm
            | Self::AppointmentOffer => Resource::Appointment,
            Self::WaitlistCreate | Self::WaitlistWithdraw => Resource::WaitlistEntry,
            Self::PrescriptionCreate
            | Self::PrescriptionAmend
            | Self::PrescriptionStatusChange
            | Self::PrescriptionDuplicateOverride
            | Self::PrescriptionDispense => Resource::Prescription,
            Self::WebhookCreate | Self::WebhookDelete => Resource::Webhook,
            Self::CalendarFeedCreate | Self::CalendarFeedDelete | Self::CalendarFeedRead => {
                Resource::CalendarFeed
            }
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Self::Route(_, verb) => verb.as_str(),
            Self::Login => "login",
            Self::Refresh => "refresh",
            Self::RefreshReuse => "refresh_reuse",
            Self::Logout => "logout",
            Self::UserCreate | Self::DoctorProfileCreate => "create",
            Self::AppointmentCreate | Self::PrescriptionCreate | Self::TimeOffCreate => "create",
            Self::HoursOverrideSet => "update",
            Self::TimeOffDelete | Self::HoursOverrideDelete => "delete",
            Self::ProfileUpdate | Self::DoctorProfileUpdate | Self::AppointmentUpdate => "update",
            Self::PasswordChange => "password_change",
            Self::PasswordReset => "password_reset",
            Self::UserAccessChange => "access_change",
            Self::AppointmentReschedule => "reschedule",
            Self::AppointmentStatusChange | Self::PrescriptionStatusChange => "status_change",
            Self::PrescriptionDuplicateOverride => "duplicate_override",
            Self::PrescriptionDispense => "dispense",
            Self::WebhookCreate => "create",
            Self::WebhookDelete => "delete",
            Self::CalendarFeedCreate => "create",
            Self::CalendarFeedDelete => "delete",
            Self::CalendarFeedRead => "read",
            Self::AppointmentCancel => "cancel",
            Self::AppointmentConfirm => "confirm",
            Self::AppointmentOffer => "offer",
            Self::WaitlistCreate => "create",
            Self::WaitlistWithdraw => "withdraw",
            Self::PrescriptionAmend => "amend",
        }
    }

    /// The stored name.
    pub fn name(self) -> String {
        let prefix = match self.resource() {
            Resource::Session => "auth",
            other => other.as_str(),
        };
        format!("{prefix}.{}", self.verb())
    }
}

/// The ids of the records a list answer holds, set on the response by the handler (see
/// `common::http::paged_records`) and recorded in the read's audit event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnedIds(pub Vec<String>);

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
    /// What a list read returned (ASVS: a search records its results), by id.
    pub returned_ids: Option<Vec<String>>,
}

/// Longest text kept of a resource id, a request id or an address; a real one is far
/// shorter (a UUID is 36), so only attacker input is ever cut.
const MAX_FIELD_CHARS: usize = 128;

/// Text as it is stored in an event: characters PostgreSQL cannot store (NUL), control
/// characters, bidirectional overrides and other invisible formatting, line and paragraph
/// separators, and `<` `>` are written as `\u{..}` escapes, so the trail can always be
/// stored and nobody reading it sees anything but what was sent; then it is cut to
/// `MAX_FIELD_CHARS` characters, marked as cut.
fn storable(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len().min(MAX_FIELD_CHARS));
    for (count, c) in raw.chars().enumerate() {
        if count == MAX_FIELD_CHARS {
            out.push_str("...[cut]");
            break;
        }
        let hidden = c.is_control()
            || crate::validation::is_invisible_formatting(c)
            || matches!(c, '<' | '>');
        if hidden {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
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

    /// An event of `action`, anonymous until `by` names the actor; finished by its outcome:
    /// `audit.event(Action::AppointmentCancel).by(&caller).on(id).patient(p).succeeded()`.
    pub fn event(&self, action: Action) -> EventBuilder {
        EventBuilder(AuditEvent {
            // Microseconds: what PostgreSQL keeps, so the hashed content round-trips.
            occurred_at: Utc::now().trunc_subsecs(6),
            actor_id: None,
            actor_role: None,
            action: action.name(),
            resource_type: action.resource().as_str().to_owned(),
            resource_id: None,
            patient_id: None,
            outcome: Outcome::Success,
            status: None,
            request_id: self.request_id.as_deref().map(storable),
            client_address: self.client_address.as_deref().map(storable),
            returned_ids: None,
        })
    }
}

/// An event being described; `succeeded`, `denied` or `failed` finishes it.
#[derive(Debug, Clone)]
#[must_use = "an event is recorded only once finished by its outcome and appended or submitted"]
pub struct EventBuilder(AuditEvent);

impl EventBuilder {
    /// The actor (none for anonymous callers).
    pub fn by<'a>(mut self, actor: impl Into<Option<&'a AuthenticatedUser>>) -> Self {
        let actor = actor.into();
        self.0.actor_id = actor.map(|a| a.id);
        self.0.actor_role = actor.map(|a| a.role);
        self
    }

    /// The resource's id (stored bounded and escaped: it may come from a hostile path).
    pub fn on(mut self, resource_id: impl std::fmt::Display) -> Self {
        self.0.resource_id = Some(storable(&resource_id.to_string()));
        self
    }

    /// Whose patient data it concerns, where known.
    pub fn patient(mut self, patient_id: impl Into<Option<UserId>>) -> Self {
        self.0.patient_id = patient_id.into();
        self
    }

    /// The HTTP status the request was answered with.
    pub fn status(mut self, status: u16) -> Self {
        self.0.status = Some(status);
        self
    }

    pub fn succeeded(self) -> AuditEvent {
        self.outcome(Outcome::Success)
    }

    pub fn denied(self) -> AuditEvent {
        self.outcome(Outcome::Denied)
    }

    pub fn failed(self) -> AuditEvent {
        self.outcome(Outcome::Failure)
    }

    pub fn outcome(mut self, outcome: Outcome) -> AuditEvent {
        self.0.outcome = outcome;
        self.0
    }

    /// The ids a list read returned (each bounded and escaped like any id).
    pub(crate) fn returned(mut self, ids: Option<&ReturnedIds>) -> Self {
        self.0.returned_ids = ids.map(|ids| ids.0.iter().map(|id| storable(id)).collect());
        self
    }

    /// Sets the resource id only when there is one (the middleware's path parameter).
    pub(crate) fn on_maybe(mut self, resource_id: Option<String>) -> Self {
        self.0.resource_id = resource_id.as_deref().map(storable);
        self
    }
}

impl FromRequest for AuditContext {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(Self::of(req)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_escaped_and_bounded_and_ids_pass_unchanged() {
        let id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
        assert_eq!(storable(id), id);
        assert_eq!(storable("a\0b"), "a\\u{0}b");
        assert_eq!(storable("\u{202E}gpj.exe"), "\\u{202e}gpj.exe");
        assert_eq!(storable("<script>"), "\\u{3c}script\\u{3e}");
        assert_eq!(
            storable("line\u{2028}break\r\n"),
            "line\\u{2028}break\\u{d}\\u{a}"
        );
        let long = storable(&"x".repeat(12_000));
        assert!(long.chars().count() <= MAX_FIELD_CHARS + 8);
        assert!(long.ends_with("...[cut]"));
    }
}
