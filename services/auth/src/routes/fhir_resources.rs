//! Accounts as FHIR R4 resources: a patient's `Patient`, a doctor's `Practitioner` (a name
//! only: the directory's details live in appointment-service's `PractitionerRole`).

use crate::db::models::User;
use common::fhir::{HumanName, Meta};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Patient {
    #[serde(rename = "resourceType")]
    resource_type: &'static str,
    id: String,
    meta: Meta,
    /// False once an admin disabled the account.
    active: bool,
    name: [HumanName; 1],
    telecom: [ContactPoint; 1],
}

#[derive(Debug, Serialize)]
struct ContactPoint {
    system: &'static str,
    value: String,
}

impl From<&User> for Patient {
    fn from(user: &User) -> Self {
        Self {
            resource_type: "Patient",
            id: user.id.to_string(),
            meta: Meta::updated(user.updated_at),
            active: !user.disabled,
            name: [HumanName::official(&user.first_name, &user.last_name)],
            telecom: [ContactPoint {
                system: "email",
                value: user.email.clone(),
            }],
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Practitioner {
    #[serde(rename = "resourceType")]
    resource_type: &'static str,
    id: String,
    name: [HumanName; 1],
}

impl From<&User> for Practitioner {
    fn from(user: &User) -> Self {
        Self {
            resource_type: "Practitioner",
            id: user.id.to_string(),
            name: [HumanName::official(&user.first_name, &user.last_name)],
        }
    }
}
