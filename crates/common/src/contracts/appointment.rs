use crate::UserId;
use crate::ids::AppointmentId;
use serde::{Deserialize, Serialize};

/// An appointment's status as appointment-service sends it. A status this reader does not
/// know yet (the sender grew) is `Unknown`, which every rule refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    Booked,
    /// Kept for the patient until they confirm; not a visit yet.
    Held,
    Completed,
    Cancelled,
    NoShow,
    /// A hold nobody confirmed.
    Expired,
    #[serde(other)]
    Unknown,
}

impl AppointmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Booked => "booked",
            Self::Held => "held",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
            Self::NoShow => "no_show",
            Self::Expired => "expired",
            Self::Unknown => "unknown",
        }
    }
}

/// A person's name as an access token stated it (`given_name`, `family_name`): the
/// booking patient's on an appointment, the patient's and doctor's on a prescription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PersonName {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

impl PersonName {
    /// The name from its two parts; `None` when neither is known (null on the wire).
    pub fn from_parts(first_name: Option<String>, last_name: Option<String>) -> Option<Self> {
        (first_name.is_some() || last_name.is_some()).then_some(Self {
            first_name,
            last_name,
        })
    }

    /// "Pat Lee" (or the one part known); empty when neither is.
    pub fn full(&self) -> String {
        let parts = [self.first_name.as_deref(), self.last_name.as_deref()];
        parts.into_iter().flatten().collect::<Vec<_>>().join(" ")
    }
}

/// `GET /appointments/{id}` of appointment-service, as prescription-service reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentSummary {
    pub id: AppointmentId,
    pub patient_id: UserId,
    pub doctor_id: UserId,
    pub status: AppointmentStatus,
    /// Shown to the appointment's doctor and admins; null for bookings made before names
    /// were kept (and absent from an older appointment-service).
    #[serde(default)]
    pub patient: Option<PersonName>,
}

impl AppointmentSummary {
    pub fn patient_first_name(&self) -> Option<String> {
        self.patient.as_ref().and_then(|p| p.first_name.clone())
    }

    pub fn patient_last_name(&self) -> Option<String> {
        self.patient.as_ref().and_then(|p| p.last_name.clone())
    }

    /// Only a visit that is booked or took place can be prescribed for; cancelled, missed
    /// and statuses this reader does not know are refused.
    pub fn took_place_or_will(&self) -> bool {
        matches!(
            self.status,
            AppointmentStatus::Booked | AppointmentStatus::Completed
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_the_reader_does_not_know_is_refused() {
        let summary: AppointmentSummary = serde_json::from_value(serde_json::json!({
            "id": uuid::Uuid::new_v4(), "patient_id": uuid::Uuid::new_v4(),
            "doctor_id": uuid::Uuid::new_v4(), "status": "waitlisted",
        }))
        .unwrap();
        assert_eq!(summary.status, AppointmentStatus::Unknown);
        assert!(!summary.took_place_or_will());
    }

    #[test]
    fn a_full_name_joins_the_parts_known() {
        let both = PersonName::from_parts(Some("Pat".into()), Some("Lee".into()));
        let last = PersonName::from_parts(None, Some("Lee".into()));
        assert_eq!(both.map(|n| n.full()).as_deref(), Some("Pat Lee"));
        assert_eq!(last.map(|n| n.full()).as_deref(), Some("Lee"));
    }
}
