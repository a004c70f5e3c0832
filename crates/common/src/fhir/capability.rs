//! The CapabilityStatement a service answers at `GET /fhir/metadata`: what it serves,
//! built from the same list its routes are.

use super::{FHIR_JSON, FHIR_VERSION};
use serde::Serialize;

/// One resource type a service serves: which interactions, and which search parameters
/// (`(name, type, what it matches)`).
pub struct Served {
    pub kind: &'static str,
    pub read: bool,
    pub vread: bool,
    pub search: &'static [(&'static str, &'static str, &'static str)],
}

#[derive(Serialize)]
struct Statement {
    #[serde(rename = "resourceType")]
    resource_type: &'static str,
    status: &'static str,
    date: &'static str,
    publisher: &'static str,
    kind: &'static str,
    software: Software,
    #[serde(rename = "fhirVersion")]
    fhir_version: &'static str,
    format: [&'static str; 1],
    rest: [Rest; 1],
}

#[derive(Serialize)]
struct Software {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Rest {
    mode: &'static str,
    documentation: &'static str,
    resource: Vec<Resource>,
}

#[derive(Serialize)]
struct Resource {
    #[serde(rename = "type")]
    kind: &'static str,
    interaction: Vec<Interaction>,
    #[serde(rename = "searchParam", skip_serializing_if = "Vec::is_empty")]
    search_param: Vec<SearchParam>,
}

#[derive(Serialize)]
struct Interaction {
    code: &'static str,
}

#[derive(Serialize)]
struct SearchParam {
    name: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    documentation: &'static str,
}

/// When what the statements say last changed (an R4 `dateTime`).
const STATEMENT_DATE: &str = "2026-12-06";

/// The statement of `service` (its binary's name and version) serving `resources`.
pub fn statement(
    service: &'static str,
    version: &'static str,
    resources: &[Served],
) -> serde_json::Value {
    let resource = resources
        .iter()
        .map(|served| {
            let mut interaction = Vec::new();
            if served.read {
                interaction.push(Interaction { code: "read" });
            }
            if served.vread {
                interaction.push(Interaction { code: "vread" });
            }
            if !served.search.is_empty() {
                interaction.push(Interaction {
                    code: "search-type",
                });
            }
            let search_param = served
                .search
                .iter()
                .map(|&(name, kind, documentation)| SearchParam {
                    name,
                    kind,
                    documentation,
                })
                .collect();
            Resource {
                kind: served.kind,
                interaction,
                search_param,
            }
        })
        .collect();
    let statement = Statement {
        resource_type: "CapabilityStatement",
        status: "active",
        date: STATEMENT_DATE,
        publisher: "Healthcare backend",
        kind: "instance",
        software: Software {
            name: service,
            version,
        },
        fhir_version: FHIR_VERSION,
        format: [FHIR_JSON],
        rest: [Rest {
            mode: "server",
            documentation: "Read-only. Bearer access tokens from auth-service, and the same \
                            authorization as the native API: what a caller may not see is 404.",
            resource,
        }],
    };
    serde_json::to_value(statement).unwrap_or_default()
}
