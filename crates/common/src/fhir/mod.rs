//! FHIR R4 (4.0.1) views of what each service already serves, read-only under `/fhir`:
//! the media type, OperationOutcome in place of problem+json (`outcome`), searchset
//! Bundles (`bundle`) and the CapabilityStatement (`capability`). Which records a caller
//! may see is the native API's rule, applied by the same use cases; this module only
//! shapes what they return.

pub mod bundle;
pub mod capability;
pub mod outcome;
pub mod references;
pub mod responses;
pub mod search;

use actix_web::HttpResponse;
use serde::Serialize;

/// The FHIR JSON media type every `/fhir` answer carries, errors included.
pub const FHIR_JSON: &str = "application/fhir+json";

/// The FHIR version served.
pub const FHIR_VERSION: &str = "4.0.1";

/// Where the FHIR endpoints live on every service.
pub const BASE_PATH: &str = "/fhir";

/// A 200 carrying `resource` as `application/fhir+json`.
pub fn resource<T: Serialize>(resource: &T) -> HttpResponse {
    HttpResponse::Ok().content_type(FHIR_JSON).json(resource)
}

/// A FHIR `HumanName` (`given` first names, `family` the last name).
#[derive(Debug, Clone, Serialize)]
pub struct HumanName {
    #[serde(rename = "use")]
    pub kind: &'static str,
    pub family: String,
    pub given: Vec<String>,
    /// "Gregory House", for displays that take one string.
    pub text: String,
}

impl HumanName {
    pub fn official(first: &str, last: &str) -> Self {
        Self {
            kind: "official",
            family: last.to_owned(),
            given: vec![first.to_owned()],
            text: format!("{first} {last}"),
        }
    }
}

/// `meta.lastUpdated`, an R4 `instant`.
#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    #[serde(rename = "lastUpdated")]
    pub last_updated: String,
    #[serde(rename = "versionId", skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
}

impl Meta {
    pub fn updated(at: chrono::DateTime<chrono::Utc>) -> Self {
        Self {
            last_updated: instant(at),
            version_id: None,
        }
    }
}

/// An R4 `instant`/`dateTime` in UTC to the second (`2026-12-07T14:00:00Z`).
pub fn instant(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A `Reference` to another resource (`Patient/<id>`), with a display name when known.
#[derive(Debug, Clone, Serialize)]
pub struct Reference {
    pub reference: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

impl Reference {
    pub fn to(kind: &str, id: impl std::fmt::Display) -> Self {
        Self {
            reference: format!("{kind}/{id}"),
            display: None,
        }
    }

    pub fn named(mut self, display: Option<String>) -> Self {
        self.display = display;
        self
    }
}
