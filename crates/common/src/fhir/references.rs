//! Where a reference points (contract part 3, section 15). A client resolves a relative
//! `Practitioner/<id>` against the server it read it from, and appointment-service serves no
//! Practitioner; a reference to a resource another service serves is therefore absolute,
//! under that service's public FHIR base, so a client follows it from the reference alone.

use super::{BASE_PATH, Reference};
use crate::config::{ConfigError, var_opt};

/// The FHIR bases of the resource types this service refers to but does not serve.
#[derive(Debug, Clone, Default)]
pub struct ReferenceBases {
    elsewhere: Vec<(&'static str, String)>,
}

impl ReferenceBases {
    /// `kinds` are served by the peer at `public_url` (no trailing `/fhir`).
    pub fn served_by(mut self, public_url: &str, kinds: &[&'static str]) -> Self {
        let base = format!("{}{BASE_PATH}", public_url.trim_end_matches('/'));
        self.elsewhere
            .extend(kinds.iter().map(|kind| (*kind, base.clone())));
        self
    }

    /// `kinds` are served by a peer that clients reach at `public_variable` (say
    /// `AUTH_PUBLIC_URL`), else at `service_url`, the address this service calls it at.
    pub fn served_by_peer(
        self,
        public_variable: &'static str,
        service_url: &str,
        kinds: &[&'static str],
    ) -> Result<Self, ConfigError> {
        let public_url = var_opt::<String>(public_variable)?;
        Ok(self.served_by(public_url.as_deref().unwrap_or(service_url), kinds))
    }

    /// A reference to `kind/id`: absolute when a peer serves `kind`, else relative to us.
    pub fn to(&self, kind: &str, id: impl std::fmt::Display) -> Reference {
        let mut reference = Reference::to(kind, id);
        if let Some((_, base)) = self.elsewhere.iter().find(|(served, _)| *served == kind) {
            reference.reference = format!("{base}/{}", reference.reference);
        }
        reference
    }
}

/// What auth-service serves.
pub const AUTH_SERVICE_KINDS: &[&str] = &["Patient", "Practitioner"];

/// What appointment-service serves.
pub const APPOINTMENT_SERVICE_KINDS: &[&str] =
    &["Appointment", "Slot", "Schedule", "PractitionerRole"];
