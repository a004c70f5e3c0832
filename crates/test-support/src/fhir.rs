//! FHIR answers checked as a FHIR client would: every resource a service serves must
//! validate against the R4 (4.0.1) models of `fhir.resources` (the venv `cargo xtask test`
//! installs from `fhir-validator.txt`), and errors are OperationOutcomes.

use reqwest::Response;
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Parses each JSON document on stdin (one per line) as the R4 resource its
/// `resourceType` names; a Bundle's entries are parsed as their own types with it.
const VALIDATE: &str = r#"
import json, sys
from fhir.resources import construct_fhir_element
for line in sys.stdin:
    resource = json.loads(line)
    construct_fhir_element(resource["resourceType"], resource)
"#;

fn validator() -> PathBuf {
    let bin = std::env::var_os("FHIR_VALIDATOR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.data/fhir-validator/bin"),
        PathBuf::from,
    );
    let python = bin.join("python");
    assert!(
        python.exists(),
        "the FHIR validator is not installed: `cargo xtask test` installs it (PyPI)"
    );
    python
}

/// Asserts every one of `resources` is valid R4.
pub fn assert_valid_r4(resources: &[&Value]) {
    let mut child = Command::new(validator())
        .args(["-c", VALIDATE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the FHIR validator");
    let mut stdin = child.stdin.take().expect("validator stdin");
    for resource in resources {
        writeln!(stdin, "{resource}").expect("write to the validator");
    }
    drop(stdin);
    let output = child.wait_with_output().expect("the FHIR validator");
    assert!(
        output.status.success(),
        "not valid FHIR R4:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A 200 `application/fhir+json` answer's resource, asserted valid R4.
pub async fn assert_resource(res: Response, resource_type: &str) -> Value {
    let status = res.status();
    let content_type = res.headers()["content-type"]
        .to_str()
        .unwrap_or("")
        .to_owned();
    let body: Value = res.json().await.expect("a JSON body");
    assert_eq!(status, 200, "{body}");
    assert_eq!(content_type, "application/fhir+json");
    assert_eq!(body["resourceType"], resource_type, "{body}");
    assert_valid_r4(&[&body]);
    body
}

/// An error answer of `status` as an R4 OperationOutcome; the first issue's `code`.
pub async fn assert_outcome(res: Response, status: u16) -> String {
    assert_eq!(res.status(), status);
    assert_eq!(res.headers()["content-type"], "application/fhir+json");
    let body: Value = res.json().await.expect("an OperationOutcome");
    assert_eq!(body["resourceType"], "OperationOutcome", "{body}");
    assert_valid_r4(&[&body]);
    body["issue"][0]["code"].as_str().unwrap_or("").to_owned()
}

/// `GET /fhir/metadata` without a token, asserted a valid R4 CapabilityStatement of FHIR
/// 4.0.1; the types it serves, in order.
pub async fn capability_types(api: &impl crate::api::Api) -> Vec<String> {
    let res = api
        .client()
        .get(api.url("/fhir/metadata"))
        .send()
        .await
        .expect("request");
    let statement = assert_resource(res, "CapabilityStatement").await;
    assert_eq!(statement["fhirVersion"], "4.0.1");
    let served = statement["rest"][0]["resource"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    served
        .iter()
        .filter_map(|r| r["type"].as_str().map(str::to_owned))
        .collect()
}

/// The resources of a searchset Bundle's entries, in order.
pub fn entries(bundle: &Value) -> Vec<Value> {
    bundle["entry"]
        .as_array()
        .map(|e| e.iter().map(|entry| entry["resource"].clone()).collect())
        .unwrap_or_default()
}
