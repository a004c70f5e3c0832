//! Accounts as FHIR R4 resources: a patient's `Patient`, a doctor's `Practitioner` (a name
//! only: the directory's details live in appointment-service's `PractitionerRole`).

use crate::db::models::User;
use common::fhir::{HumanName, Meta};
use serde::Serialize;

/// The system of the one identifier every Patient has: the user id.
pub const USER_ID_SYSTEM: &str = "urn:healthcare:user-id";

/// With what US Core Patient 6.1 must have (an identifier, a name, a gender: `unknown`
/// when the person gave none), and their birth date and phone when given.
#[derive(Debug, Serialize)]
pub struct Patient {
    #[serde(rename = "resourceType")]
    resource_type: &'static str,
    id: String,
    meta: Meta,
    identifier: [Identifier; 1],
    /// False once an admin disabled the account.
    active: bool,
    name: [HumanName; 1],
    telecom: Vec<ContactPoint>,
    gender: &'static str,
    #[serde(rename = "birthDate", skip_serializing_if = "Option::is_none")]
    birth_date: Option<String>,
}

#[derive(Debug, Serialize)]
struct Identifier {
    system: &'static str,
    value: String,
}

#[derive(Debug, Serialize)]
struct ContactPoint {
    system: &'static str,
    value: String,
}

impl From<&User> for Patient {
    fn from(user: &User) -> Self {
        let email = ContactPoint {
            system: "email",
            value: user.email.clone(),
        };
        let phone = user.phone.clone().map(|value| ContactPoint {
            system: "phone",
            value,
        });
        Self {
            resource_type: "Patient",
            id: user.id.to_string(),
            meta: Meta::updated(user.updated_at),
            identifier: [Identifier {
                system: USER_ID_SYSTEM,
                value: user.id.to_string(),
            }],
            active: !user.disabled,
            name: [HumanName::official(&user.first_name, &user.last_name)],
            telecom: std::iter::once(email).chain(phone).collect(),
            gender: user.sex().map_or("unknown", |sex| sex.as_str()),
            birth_date: user.birth_date.map(|d| d.format("%Y-%m-%d").to_string()),
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
