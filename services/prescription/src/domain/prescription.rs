//! Prescription input (the medicines are `medicine`'s), every bad field reported by its
//! path, and who may prescribe and amend.

use super::lifecycle::reason;
use super::medicine::{Medicine, medicines};
use common::auth::AuthenticatedUser;
use common::contracts::appointment::AppointmentSummary;
use common::error::ConflictRule;
use common::ids::{AppointmentId, PrescriptionId};
use common::validation::{Field, Validator, multiline_text};
use common::{ApiError, Role};
use serde::Deserialize;

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
    /// Prescribe although a medicine is already in another active prescription of the
    /// patient (1 to 500 characters; kept in the version)
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub override_reason: Field<String>,
}

#[derive(Debug, Clone)]
pub struct NewPrescription {
    pub appointment_id: AppointmentId,
    pub notes: Option<String>,
    pub medicines: Vec<Medicine>,
    pub override_reason: Option<String>,
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
        let override_reason = v.optional("override_reason", self.override_reason, reason);
        match (appointment_id, notes, medicines, override_reason) {
            (Some(appointment_id), Some(notes), Some(Some(medicines)), Some(override_reason))
                if v.is_valid() =>
            {
                Ok(NewPrescription {
                    appointment_id,
                    notes,
                    medicines,
                    override_reason,
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
    /// As when prescribing: amend although a medicine duplicates another active
    /// prescription of the patient
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub override_reason: Field<String>,
}

#[derive(Debug, Clone)]
pub struct Amendment {
    /// `None` keeps the notes; `Some(None)` clears them.
    pub notes: Option<Option<String>>,
    pub medicines: Option<Vec<Medicine>>,
    pub override_reason: Option<String>,
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
        let override_reason = v.optional("override_reason", self.override_reason, reason);
        match (notes, medicines, override_reason) {
            (Some(notes), Some(medicines), Some(override_reason)) if v.is_valid() => {
                Ok(Amendment {
                    notes,
                    medicines,
                    override_reason,
                })
            }
            _ => Err(v.into_error()),
        }
    }
}

/// Only doctors prescribe, and only once an admin vetted them (403 otherwise).
pub fn ensure_may_prescribe(caller: &AuthenticatedUser) -> Result<(), ApiError> {
    match caller.role {
        Role::Doctor => caller.require_approved(),
        Role::Patient | Role::Admin | Role::Pharmacist => {
            Err(ApiError::Forbidden("your role may not perform this action"))
        }
    }
}

/// Pharmacists read the prescription on the paper in front of them, by its id; they do
/// not browse the clinic's (403).
pub fn ensure_may_list(caller: &AuthenticatedUser) -> Result<(), ApiError> {
    if caller.role == Role::Pharmacist {
        return Err(ApiError::Forbidden(
            "pharmacists read a prescription by its id; they do not list them",
        ));
    }
    Ok(())
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

/// Only the prescribing doctor amends or changes the status, while still vetted. Other roles are refused
/// outright (403); another doctor is told nothing exists (404) by the scoped lookup that
/// follows.
pub fn ensure_may_amend(caller: &AuthenticatedUser) -> Result<(), ApiError> {
    match caller.role {
        Role::Doctor => caller.require_approved(),
        Role::Patient | Role::Admin | Role::Pharmacist => Err(ApiError::Forbidden(
            "only the prescribing doctor may amend a prescription",
        )),
    }
}

/// A medicine already in another active prescription of the patient (same code, or same
/// name whatever the case) is a 409 `duplicate-therapy` naming it and that prescription,
/// unless the request says why it is meant (`override_reason`).
pub fn ensure_no_duplicate_therapy(
    medicines: &[Medicine],
    active: &[(PrescriptionId, Vec<Medicine>)],
    override_reason: Option<&str>,
) -> Result<(), ApiError> {
    if override_reason.is_some() {
        return Ok(());
    }
    let mut found: Vec<String> = Vec::new();
    let mut conflicts: Vec<uuid::Uuid> = Vec::new();
    for medicine in medicines {
        for (id, theirs) in active {
            if let Some(same) = theirs.iter().find(|m| m.same_therapy_as(medicine)) {
                found.push(format!(
                    "{} (as {} in prescription {id})",
                    medicine.name, same.name
                ));
                if !conflicts.contains(&id.as_uuid()) {
                    conflicts.push(id.as_uuid());
                }
            }
        }
    }
    if found.is_empty() {
        return Ok(());
    }
    Err(ApiError::ConflictBy {
        rule: ConflictRule::DuplicateTherapy,
        detail: format!(
            "the patient already has an active prescription of {}; send override_reason to prescribe it anyway",
            found.join(", ")
        ),
        conflicts,
    })
}
