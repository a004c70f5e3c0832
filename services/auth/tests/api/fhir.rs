//! FHIR R4 on auth-service: what it serves validates as R4, a Patient is seen by that
//! patient and admins only, a Practitioner is a vetted doctor's public name, and every
//! error is an OperationOutcome with the native API's status.

use crate::helpers::*;
use serde_json::{Value, json};
use test_support::fhir::{assert_outcome, assert_resource};

#[tokio::test]
async fn the_capability_statement_lists_patient_and_practitioner_reads_to_anyone() {
    let app = spawn_app().await;

    let types = test_support::fhir::capability_types(&app).await;

    assert_eq!(types, ["Patient", "Practitioner"]);
}

#[tokio::test]
async fn a_patient_reads_themselves_and_an_admin_any_patient_as_valid_r4() {
    let app = spawn_app().await;
    let patient = app.signed_in("patient").await;
    let admin = app.admin().await;
    let path = format!("/fhir/Patient/{}", patient.id);

    let own = assert_resource(app.get(&path, &patient).await, "Patient").await;
    let as_admin = assert_resource(app.get(&path, &admin).await, "Patient").await;

    assert_eq!(own["id"], patient.id.as_str());
    assert_eq!(own["name"][0]["family"], "Lovelace");
    assert_eq!(own["name"][0]["given"], json!(["Ada"]));
    assert_eq!(own["telecom"][0]["value"], patient.email.as_str());
    assert_eq!(own["active"], true);
    assert_eq!(as_admin, own);
}

#[tokio::test]
async fn another_patient_a_doctor_or_a_doctors_id_answer_404_outcomes() {
    let app = spawn_app().await;
    let patient = app.signed_in("patient").await;
    let stranger = app.signed_in("patient").await;
    let doctor = app.signed_in("doctor").await;
    let admin = app.admin().await;
    let path = format!("/fhir/Patient/{}", patient.id);

    let by_stranger = app.get(&path, &stranger).await;
    let by_doctor = app.get(&path, &doctor).await;
    let doctor_as_patient = app
        .get(&format!("/fhir/Patient/{}", doctor.id), &admin)
        .await;

    assert_eq!(assert_outcome(by_stranger, 404).await, "not-found");
    assert_eq!(assert_outcome(by_doctor, 404).await, "not-found");
    assert_eq!(assert_outcome(doctor_as_patient, 404).await, "not-found");
}

#[tokio::test]
async fn without_a_token_a_patient_is_a_401_outcome_asking_for_a_bearer() {
    let app = spawn_app().await;
    let patient = app.signed_in("patient").await;

    let res = app
        .client
        .get(app.url(&format!("/fhir/Patient/{}", patient.id)))
        .send()
        .await
        .unwrap();

    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    assert_eq!(assert_outcome(res, 401).await, "login");
}

#[tokio::test]
async fn a_vetted_doctor_is_a_public_practitioner_by_name_only() {
    let app = spawn_app().await;
    let doctor = app.signed_in("doctor").await;
    let admin = app.admin().await;
    let path = format!("/fhir/Practitioner/{}", doctor.id);
    let unvetted = app.client.get(app.url(&path)).send().await.unwrap();
    let approve = json!({ "approved": true });
    let approved = app
        .patch(&format!("/users/{}", doctor.id), &admin, &approve)
        .await;
    assert_eq!(approved.status(), 200);

    let vetted = app.client.get(app.url(&path)).send().await.unwrap();

    assert_eq!(assert_outcome(unvetted, 404).await, "not-found");
    let practitioner = assert_resource(vetted, "Practitioner").await;
    assert_eq!(practitioner["name"][0]["text"], "Ada Lovelace");
    let fields: Vec<&String> = practitioner.as_object().unwrap().keys().collect();
    assert_eq!(
        fields,
        ["id", "name", "resourceType"],
        "a name, nothing else"
    );
}

#[tokio::test]
async fn a_patient_is_not_a_practitioner_and_bad_ids_and_unknown_types_are_404_outcomes() {
    let app = spawn_app().await;
    let patient = app.signed_in("patient").await;

    for path in [
        format!("/fhir/Practitioner/{}", patient.id),
        "/fhir/Practitioner/not-a-uuid".to_owned(),
        "/fhir/Observation/1".to_owned(),
    ] {
        let res = app.client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(assert_outcome(res, 404).await, "not-found", "{path}");
    }
}

#[tokio::test]
async fn reading_a_patient_is_in_the_audit_trail() {
    let app = spawn_app().await;
    let patient = app.signed_in("patient").await;
    let admin = app.admin().await;

    let res = app
        .get(&format!("/fhir/Patient/{}", patient.id), &admin)
        .await;
    assert_eq!(res.status(), 200);

    let events = app
        .audit_events_as(&admin, &format!("?actor_id={}", admin.id))
        .await;
    let read: Vec<&Value> = events
        .iter()
        .filter(|e| e["action"] == "user.read" && e["resource_id"] == patient.id.as_str())
        .collect();
    assert_eq!(read.len(), 1, "{events:?}");
    assert_eq!(read[0]["outcome"], "success");
}
