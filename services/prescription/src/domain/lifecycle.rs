//! A prescription's status and the only moves between them (FHIR MedicationRequest's):
//! `active` -> `on_hold | completed | stopped | cancelled | entered_in_error`;
//! `on_hold` -> `active | stopped | cancelled | entered_in_error`; the rest are final.
//! Every move is a new version; only an `active` or `on_hold` prescription is amended.

use common::ApiError;
use common::validation::{Field, Validator, multiline_text};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PrescriptionStatus {
    Active,
    OnHold,
    Completed,
    Stopped,
    Cancelled,
    EnteredInError,
}

impl PrescriptionStatus {
    pub const ALL: [Self; 6] = [
        Self::Active,
        Self::OnHold,
        Self::Completed,
        Self::Stopped,
        Self::Cancelled,
        Self::EnteredInError,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::OnHold => "on_hold",
            Self::Completed => "completed",
            Self::Stopped => "stopped",
            Self::Cancelled => "cancelled",
            Self::EnteredInError => "entered_in_error",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| format!("unknown prescription status {raw:?}"))
    }

    /// The same status as FHIR's `medicationrequest-status` code (`on-hold`).
    pub fn fhir_code(self) -> &'static str {
        match self {
            Self::OnHold => "on-hold",
            Self::EnteredInError => "entered-in-error",
            other => other.as_str(),
        }
    }

    /// A FHIR status search value (`on-hold`); the native spelling is taken too.
    pub fn from_fhir_code(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.fhir_code() == raw || s.as_str() == raw)
            .ok_or_else(|| {
                let codes: Vec<&str> = Self::ALL.iter().map(|s| s.fhir_code()).collect();
                format!("must be one of {}", codes.join(", "))
            })
    }

    /// The one table of legal moves.
    pub fn may_become(self, next: Self) -> bool {
        use PrescriptionStatus::*;
        matches!(
            (self, next),
            (
                Active,
                OnHold | Completed | Stopped | Cancelled | EnteredInError
            ) | (OnHold, Active | Stopped | Cancelled | EnteredInError)
        )
    }

    /// Moving here must say why (kept in the version).
    pub fn needs_reason(self) -> bool {
        matches!(self, Self::Stopped | Self::Cancelled | Self::EnteredInError)
    }

    /// Only a prescription still in force (or paused) may be amended.
    pub fn is_amendable(self) -> bool {
        matches!(self, Self::Active | Self::OnHold)
    }
}

/// A move to `to`, with the reason the request gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub to: PrescriptionStatus,
    pub reason: Option<String>,
}

/// The next status from `from`, or the 409 of an illegal move.
pub fn transition(from: PrescriptionStatus, change: &StatusChange) -> Result<(), ApiError> {
    if from.may_become(change.to) {
        Ok(())
    } else {
        Err(ApiError::Conflict(format!(
            "a prescription that is {} cannot become {}",
            from.as_str(),
            change.to.as_str()
        )))
    }
}

/// An amendment of a prescription that is no longer in force: 409.
pub fn ensure_amendable(status: PrescriptionStatus) -> Result<(), ApiError> {
    if status.is_amendable() {
        Ok(())
    } else {
        Err(ApiError::Conflict(format!(
            "a {} prescription cannot be amended",
            status.as_str()
        )))
    }
}

pub const MAX_REASON_CHARS: usize = 500;

pub fn reason(raw: String) -> Result<String, String> {
    multiline_text(1, MAX_REASON_CHARS)(raw)
}

/// `POST /prescriptions/{id}/status`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct StatusChangeForm {
    #[serde(default)]
    #[schema(value_type = PrescriptionStatus, required = true)]
    pub status: Field<String>,
    /// Why (1 to 500 characters); required for `stopped`, `cancelled` and
    /// `entered_in_error`
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub reason: Field<String>,
}

impl StatusChangeForm {
    pub fn validate(self) -> Result<StatusChange, ApiError> {
        let mut v = Validator::new();
        let to = v.required("status", self.status, |raw: String| {
            PrescriptionStatus::parse(raw.trim()).map_err(|_| {
                let all: Vec<&str> = PrescriptionStatus::ALL.iter().map(|s| s.as_str()).collect();
                format!("must be one of {}", all.join(", "))
            })
        });
        let reason = v.optional("reason", self.reason, reason);
        if let (Some(to), Some(None)) = (to, &reason)
            && to.needs_reason()
        {
            v.push("reason", format!("is required to make it {}", to.as_str()));
        }
        match (to, reason) {
            (Some(to), Some(reason)) if v.is_valid() => Ok(StatusChange { to, reason }),
            _ => Err(v.into_error()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PrescriptionStatus::*;
    use super::*;

    #[test]
    fn the_final_statuses_go_nowhere_and_nothing_becomes_itself() {
        for from in [Completed, Stopped, Cancelled, EnteredInError] {
            for to in PrescriptionStatus::ALL {
                assert!(!from.may_become(to), "{from:?} -> {to:?}");
            }
        }
        for status in PrescriptionStatus::ALL {
            assert!(!status.may_become(status));
        }
        assert!(!OnHold.may_become(Completed));
    }
}
