//! A prescription as one FHIR R4 `MedicationRequest` (its id the prescription's, its
//! `meta.versionId` the version's). Several medicines stay one request, as the contract
//! has it: `medicationCodeableConcept` names them all (a coding per coded medicine), each
//! has its own `dosageInstruction` in order, and `dispenseRequest` is the first medicine's
//! quantity and refills (each one's are also in its instruction's text).

use crate::db::models::{Prescription, Version};
use crate::domain::medicine::Medicine;
use common::contracts::appointment::PersonName;
use common::fhir::references::ReferenceBases;
use common::fhir::{Meta, Reference, instant};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct MedicationRequest {
    #[serde(rename = "resourceType")]
    resource_type: &'static str,
    id: String,
    meta: Meta,
    status: &'static str,
    #[serde(rename = "statusReason", skip_serializing_if = "Option::is_none")]
    status_reason: Option<Text>,
    intent: &'static str,
    #[serde(rename = "medicationCodeableConcept")]
    medication: Concept,
    subject: Reference,
    /// The visit it was written at (appointment-service's Appointment).
    #[serde(rename = "supportingInformation")]
    supporting_information: [Reference; 1],
    #[serde(rename = "authoredOn")]
    authored_on: String,
    requester: Reference,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    note: Vec<Text>,
    #[serde(rename = "dosageInstruction")]
    dosage_instruction: Vec<Dosage>,
    #[serde(rename = "dispenseRequest", skip_serializing_if = "Option::is_none")]
    dispense_request: Option<DispenseRequest>,
}

#[derive(Debug, Serialize)]
struct Text {
    text: String,
}

#[derive(Debug, Serialize)]
struct Concept {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    coding: Vec<Coding>,
    text: String,
}

#[derive(Debug, Serialize)]
struct Coding {
    system: String,
    code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    display: Option<String>,
}

#[derive(Debug, Serialize)]
struct Dosage {
    sequence: i32,
    text: String,
    #[serde(rename = "patientInstruction", skip_serializing_if = "Option::is_none")]
    patient_instruction: Option<String>,
    #[serde(rename = "asNeededBoolean")]
    as_needed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    route: Option<Text>,
}

#[derive(Debug, Serialize)]
struct DispenseRequest {
    #[serde(rename = "numberOfRepeatsAllowed")]
    number_of_repeats_allowed: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    quantity: Option<Quantity>,
}

#[derive(Debug, Serialize)]
struct Quantity {
    value: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<String>,
}

fn display(name: Option<PersonName>) -> Option<String> {
    name.map(|n| n.full()).filter(|full| !full.is_empty())
}

/// "Amoxicillin: 500 mg, twice a day, for 7 days; 21 capsules, 0 refills".
fn instruction_text(medicine: &Medicine) -> String {
    let mut parts = vec![medicine.dosage.clone()];
    parts.extend(medicine.frequency.clone());
    parts.push(format!("for {}", medicine.duration));
    let mut text = format!("{}: {}", medicine.name, parts.join(", "));
    if let Some(quantity) = medicine.quantity {
        let unit = medicine.unit.as_deref().unwrap_or("units");
        text.push_str(&format!("; {quantity} {unit}"));
    }
    text.push_str(&format!(", {} refills", medicine.refills));
    text
}

impl MedicationRequest {
    pub fn at(head: &Prescription, version: &Version, references: &ReferenceBases) -> Self {
        let medicines = &version.medicines.0;
        let names: Vec<&str> = medicines.iter().map(|m| m.name.as_str()).collect();
        let coding = medicines
            .iter()
            .filter_map(|m| m.code.as_ref())
            .map(|c| Coding {
                system: c.system.clone(),
                code: c.code.clone(),
                display: c.display.clone(),
            })
            .collect();
        let dosage_instruction = (1..)
            .zip(medicines)
            .map(|(sequence, medicine)| Dosage {
                sequence,
                text: instruction_text(medicine),
                patient_instruction: medicine.instructions.clone(),
                as_needed: medicine.as_needed,
                route: medicine.route.map(|r| Text {
                    text: r.as_str().to_owned(),
                }),
            })
            .collect();
        let dispense_request = medicines.first().map(|first| DispenseRequest {
            number_of_repeats_allowed: first.refills,
            quantity: first.quantity.map(|value| Quantity {
                value,
                unit: first.unit.clone(),
            }),
        });
        let patient = PersonName::from_parts(
            head.patient_first_name.clone(),
            head.patient_last_name.clone(),
        );
        let doctor = PersonName::from_parts(
            head.doctor_first_name.clone(),
            head.doctor_last_name.clone(),
        );
        Self {
            resource_type: "MedicationRequest",
            id: head.id.to_string(),
            meta: Meta {
                last_updated: instant(version.created_at),
                version_id: Some(version.version.to_string()),
            },
            status: version.status.0.fhir_code(),
            status_reason: version.status_reason.clone().map(|text| Text { text }),
            intent: "order",
            medication: Concept {
                coding,
                text: names.join("; "),
            },
            subject: references
                .to("Patient", head.patient_id)
                .named(display(patient)),
            supporting_information: [references.to("Appointment", head.appointment_id)],
            authored_on: instant(head.created_at),
            requester: references
                .to("Practitioner", head.doctor_id)
                .named(display(doctor)),
            note: version
                .notes
                .clone()
                .map(|text| Text { text })
                .into_iter()
                .collect(),
            dosage_instruction,
            dispense_request,
        }
    }
}
