//! Prescription input: 1 to 50 medicines, each with a name, a dosage and a duration
//! (non-empty, at most 200 characters) and optionally a frequency and instructions.
//! Every bad field is reported, by its path (`medicines[2].dosage`).

use common::auth::AuthenticatedUser;
use common::contracts::appointment::AppointmentSummary;
use common::ids::AppointmentId;
use common::validation::{Field, Validator, multiline_text, text};
use common::{ApiError, Role};
use serde::{Deserialize, Serialize};

pub const MAX_MEDICINES: usize = 50;

/// A prescription's status. Every prescription is `active` today; the lifecycle grows here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PrescriptionStatus {
    Active,
}

impl PrescriptionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "active" => Ok(Self::Active),
            other => Err(format!("unknown prescription status {other:?}")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Medicine {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(min_length = 1, max_length = 200)]
    pub dosage: String,
    #[schema(min_length = 1, max_length = 200)]
    pub duration: String,
    #[schema(min_length = 1, max_length = 200)]
    pub frequency: Option<String>,
    #[schema(min_length = 1, max_length = 200)]
    pub instructions: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct MedicineForm {
    #[serde(default)]
    name: Field<String>,
    #[serde(default)]
    dosage: Field<String>,
    #[serde(default)]
    duration: Field<String>,
    #[serde(default)]
    frequency: Field<String>,
    #[serde(default)]
    instructions: Field<String>,
}

fn medicine(v: &mut Validator, index: usize, raw: serde_json::Value) -> Option<Medicine> {
    let at = |field: &str| format!("medicines[{index}].{field}");
    let Ok(form) = serde_json::from_value::<MedicineForm>(raw) else {
        v.push(&format!("medicines[{index}]"), "must be an object");
        return None;
    };
    let name = v.required(&at("name"), form.name, text(1, 200));
    let dosage = v.required(&at("dosage"), form.dosage, text(1, 200));
    let duration = v.required(&at("duration"), form.duration, text(1, 200));
    let frequency = v.optional(&at("frequency"), form.frequency, text(1, 200));
    let instructions = v.optional(
        &at("instructions"),
        form.instructions,
        multiline_text(1, 200),
    );
    Some(Medicine {
        name: name?,
        dosage: dosage?,
        duration: duration?,
        frequency: frequency?,
        instructions: instructions?,
    })
}

fn medicines(
    v: &mut Validator,
    raw: Field<Vec<serde_json::Value>>,
    required: bool,
) -> Option<Option<Vec<Medicine>>> {
    let items = match raw {
        Field::Present(items) => items,
        Field::Missing | Field::Null if !required => return Some(None),
        Field::Missing | Field::Null => {
            v.push("medicines", "is required");
            return None;
        }
        Field::Invalid(why) => {
            v.push("medicines", why);
            return None;
        }
    };
    if items.is_empty() || items.len() > MAX_MEDICINES {
        v.push(
            "medicines",
            format!("must list 1 to {MAX_MEDICINES} medicines"),
        );
        return None;
    }
    let parsed: Vec<Option<Medicine>> = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| medicine(v, i, item))
        .collect();
    parsed.into_iter().collect::<Option<Vec<_>>>().map(Some)
}

fn notes(raw: String) -> Result<String, String> {
    multiline_text(0, 2000)(raw)
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct PrescriptionForm {
    #[serde(default)]
    #[schema(value_type = uuid::Uuid, required = true)]
    pub appointment_id: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub notes: Field<String>,
    /// 1 to 50 medicines
    #[serde(default)]
    #[schema(value_type = Vec<Medicine>, required = true, min_items = 1, max_items = 50)]
    pub medicines: Field<Vec<serde_json::Value>>,
}

#[derive(Debug, Clone)]
pub struct NewPrescription {
    pub appointment_id: AppointmentId,
    pub notes: Option<String>,
    pub medicines: Vec<Medicine>,
}

impl PrescriptionForm {
    pub fn validate(self) -> Result<NewPrescription, ApiError> {
        let mut v = Validator::new();
        let appointment_id = v.required("appointment_id", self.appointment_id, |raw: String| {
            raw.trim()
                .parse::<AppointmentId>()
                .map_err(|_| "must be a UUID".to_owned())
        });
        let notes = v.optional("notes", self.notes, notes);
        let medicines = medicines(&mut v, self.medicines, true);
        match (appointment_id, notes, medicines) {
            (Some(appointment_id), Some(notes), Some(Some(medicines))) if v.is_valid() => {
                Ok(NewPrescription {
                    appointment_id,
                    notes,
                    medicines,
                })
            }
            _ => Err(v.into_error()),
        }
    }
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct AmendmentForm {
    /// null clears them
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub notes: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<Medicine>>, min_items = 1, max_items = 50)]
    pub medicines: Field<Vec<serde_json::Value>>,
}

#[derive(Debug, Clone)]
pub struct Amendment {
    /// `None` keeps the notes; `Some(None)` clears them.
    pub notes: Option<Option<String>>,
    pub medicines: Option<Vec<Medicine>>,
}

impl AmendmentForm {
    pub fn validate(self) -> Result<Amendment, ApiError> {
        let mut v = Validator::new();
        let notes = match self.notes {
            Field::Missing => Some(None),
            Field::Null => Some(Some(None)),
            other => v.optional("notes", other, notes).map(|n| n.map(Some)),
        };
        let medicines = medicines(&mut v, self.medicines, false);
        match (notes, medicines) {
            (Some(notes), Some(medicines)) if v.is_valid() => Ok(Amendment { notes, medicines }),
            _ => Err(v.into_error()),
        }
    }
}

/// Only doctors prescribe, and only once an admin vetted them (403 otherwise).
pub fn ensure_may_prescribe(caller: &AuthenticatedUser) -> Result<(), ApiError> {
    match caller.role {
        Role::Doctor => caller.require_approved(),
        Role::Patient | Role::Admin => {
            Err(ApiError::Forbidden("your role may not perform this action"))
        }
    }
}

/// A doctor prescribes only for their own appointment (another's answers 404, as a missing
/// one does) and only for a visit that is booked or took place (409).
pub fn ensure_may_prescribe_for(
    doctor: &AuthenticatedUser,
    appointment: &AppointmentSummary,
) -> Result<(), ApiError> {
    if appointment.doctor_id != doctor.id {
        return Err(ApiError::NotFound("appointment"));
    }
    if !appointment.took_place_or_will() {
        return Err(ApiError::Conflict(format!(
            "a {} appointment cannot be prescribed for",
            appointment.status.as_str()
        )));
    }
    Ok(())
}

/// Only the prescribing doctor amends, while still vetted. Other roles are refused
/// outright (403); another doctor is told nothing exists (404) by the scoped lookup that
/// follows.
pub fn ensure_may_amend(caller: &AuthenticatedUser) -> Result<(), ApiError> {
    match caller.role {
        Role::Doctor => caller.require_approved(),
        Role::Patient | Role::Admin => Err(ApiError::Forbidden(
            "only the prescribing doctor may amend a prescription",
        )),
    }
}
