//! FHIR R4 on prescription-service: a prescription is a MedicationRequest that validates
//! as R4, read, read as of a version and searched under the native API's visibility, with
//! OperationOutcomes for errors.

use crate::helpers::*;
use serde_json::{Value, json};
use test_support::fhir::{assert_outcome, assert_resource};

const RXNORM: &str = "http://www.nlm.nih.gov/research/umls/rxnorm";

/// A prescription of a coded, dispensable amoxicillin and a plain ibuprofen; its path.
async fn dispensable(app: &TestApp, visit: &Visit) -> String {
    let mut amoxicillin = medicine("Amoxicillin");
    for (key, value) in [
        ("quantity", json!(21)),
        ("unit", json!("capsules")),
        ("refills", json!(2)),
        ("route", json!("oral")),
        ("instructions", json!("with food")),
        (
            "code",
            json!({ "system": RXNORM, "code": "308182", "display": "amoxicillin 250 MG Oral Capsule" }),
        ),
    ] {
        amoxicillin[key] = value;
    }
    let body = json!({ "appointment_id": visit.appointment_id, "notes": "recheck in a week",
                       "medicines": [amoxicillin, medicine("Ibuprofen")] });
    let res = app.prescribe(&visit.doctor, &body).await;
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    format!("/prescriptions/{id}")
}

fn fhir_path(native: &str) -> String {
    native.replace("/prescriptions/", "/fhir/MedicationRequest/")
}

#[tokio::test]
async fn the_capability_statement_offers_medication_request_read_vread_and_search() {
    let app = spawn_app().await;

    let res = app
        .client
        .get(app.url("/fhir/metadata"))
        .send()
        .await
        .unwrap();

    let statement = assert_resource(res, "CapabilityStatement").await;
    let served = &statement["rest"][0]["resource"][0];
    assert_eq!(served["type"], "MedicationRequest");
    let interactions: Vec<&str> = served["interaction"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(interactions, ["read", "vread", "search-type"]);
}

#[tokio::test]
async fn the_patient_reads_their_prescription_as_a_valid_medication_request() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let native = dispensable(&app, &visit).await;

    let res = app.get(&fhir_path(&native), &visit.patient).await;

    let request = assert_resource(res, "MedicationRequest").await;
    assert_eq!(
        native,
        format!("/prescriptions/{}", request["id"].as_str().unwrap())
    );
    assert_eq!(request["status"], "active");
    assert_eq!(request["intent"], "order");
    assert_eq!(request["meta"]["versionId"], "1");
    assert_eq!(
        request["subject"]["reference"],
        format!("http://127.0.0.1:9/fhir/Patient/{}", visit.patient.id)
    );
    assert_eq!(
        request["requester"]["reference"],
        format!("http://127.0.0.1:9/fhir/Practitioner/{}", visit.doctor.id)
    );
    assert_eq!(
        request["supportingInformation"][0]["reference"],
        format!(
            "http://127.0.0.1:9/fhir/Appointment/{}",
            visit.appointment_id
        )
    );
    assert_eq!(
        request["medicationCodeableConcept"]["text"],
        "Amoxicillin; Ibuprofen"
    );
    assert_eq!(
        request["medicationCodeableConcept"]["coding"][0]["code"],
        "308182"
    );
    let dosages = request["dosageInstruction"].as_array().unwrap();
    assert_eq!(dosages.len(), 2, "one instruction per medicine");
    assert!(
        dosages[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("Amoxicillin: 500 mg")
    );
    assert_eq!(dosages[0]["patientInstruction"], "with food");
    assert_eq!(dosages[1]["sequence"], 2);
    assert_eq!(request["dispenseRequest"]["quantity"]["value"], 21);
    assert_eq!(request["dispenseRequest"]["quantity"]["unit"], "capsules");
    assert_eq!(request["dispenseRequest"]["numberOfRepeatsAllowed"], 2);
    assert_eq!(request["note"][0]["text"], "recheck in a week");
}

#[tokio::test]
async fn another_patient_gets_a_404_outcome_and_no_token_a_401_outcome() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let path = fhir_path(&app.prescribed(&visit).await);

    let stranger = app.get(&path, &caller(common::Role::Patient)).await;
    let anonymous = app.client.get(app.url(&path)).send().await.unwrap();

    assert_eq!(assert_outcome(stranger, 404).await, "not-found");
    assert_eq!(assert_outcome(anonymous, 401).await, "login");
}

#[tokio::test]
async fn a_held_prescription_reads_on_hold_and_its_history_keeps_version_one_active() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let native = app.prescribed(&visit).await;
    let held = app
        .post(
            &format!("{native}/status"),
            &visit.doctor,
            &json!({ "status": "on_hold" }),
        )
        .await;
    assert_eq!(held.status(), 200);
    let path = fhir_path(&native);

    let now = assert_resource(app.get(&path, &visit.patient).await, "MedicationRequest").await;
    let first = app.get(&format!("{path}/_history/1"), &visit.patient).await;
    let first = assert_resource(first, "MedicationRequest").await;
    let missing = app.get(&format!("{path}/_history/9"), &visit.patient).await;

    assert_eq!(now["status"], "on-hold");
    assert_eq!(now["meta"]["versionId"], "2");
    assert_eq!(first["status"], "active");
    assert_eq!(first["meta"]["versionId"], "1");
    assert_eq!(assert_outcome(missing, 404).await, "not-found");
}

#[tokio::test]
async fn a_search_finds_only_what_the_caller_sees_filtered_and_paged() {
    let app = spawn_app().await;
    let patient = caller(common::Role::Patient);
    let first = app.visit_of(patient.clone()).await;
    let second = app.visit_of(patient.clone()).await;
    let held = app.prescribed(&first).await;
    let another_medicine =
        json!({ "appointment_id": second.appointment_id, "medicines": [medicine("Ibuprofen")] });
    let res = app.prescribe(&second.doctor, &another_medicine).await;
    assert_eq!(res.status(), 201);
    let other = app.visit().await;
    app.prescribed(&other).await;
    let res = app
        .post(
            &format!("{held}/status"),
            &first.doctor,
            &json!({ "status": "on_hold" }),
        )
        .await;
    assert_eq!(res.status(), 200);

    let own = app.get("/fhir/MedicationRequest?_count=1", &patient).await;
    let own = assert_resource(own, "Bundle").await;
    let on_hold = app
        .get("/fhir/MedicationRequest?status=on-hold", &patient)
        .await;
    let on_hold = assert_resource(on_hold, "Bundle").await;
    let others = format!(
        "/fhir/MedicationRequest?patient=Patient/{}",
        other.patient.id
    );
    let others = assert_resource(app.get(&others, &patient).await, "Bundle").await;
    let by_doctor = format!(
        "/fhir/MedicationRequest?requester=Practitioner/{}",
        other.doctor.id
    );
    let as_admin = app.get(&by_doctor, &caller(common::Role::Admin)).await;
    let as_admin = assert_resource(as_admin, "Bundle").await;

    // R4: `_count=0` and `_summary=count` answer the total alone (fhirpy's count()).
    for count_only in ["_count=0", "_summary=count"] {
        let counted = app
            .get(&format!("/fhir/MedicationRequest?{count_only}"), &patient)
            .await;
        let counted = assert_resource(counted, "Bundle").await;
        assert_eq!(counted["type"], "searchset", "{count_only}");
        assert_eq!(counted["total"], 2, "{count_only}");
        assert!(counted.get("entry").is_none(), "{count_only}: {counted}");
        let relations: Vec<&str> = counted["link"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|l| l["relation"].as_str())
            .collect();
        assert_eq!(relations, ["self"], "{count_only}");
    }
    assert_eq!(own["type"], "searchset");
    assert_eq!(own["total"], 2);
    assert_eq!(own["entry"].as_array().unwrap().len(), 1, "_count=1");
    let next = own["link"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["relation"] == "next");
    assert!(
        next.unwrap()["url"]
            .as_str()
            .unwrap()
            .ends_with("_count=1&_offset=1")
    );
    assert_eq!(on_hold["total"], 1);
    assert_eq!(on_hold["entry"][0]["resource"]["status"], "on-hold");
    assert_eq!(
        others["total"], 0,
        "another patient's are not this patient's to find"
    );
    assert_eq!(as_admin["total"], 1);
    assert_eq!(
        as_admin["entry"][0]["resource"]["subject"]["reference"],
        format!("http://127.0.0.1:9/fhir/Patient/{}", other.patient.id)
    );
}

#[tokio::test]
async fn bad_search_values_are_422_outcomes_naming_the_parameter() {
    let app = spawn_app().await;
    let patient = caller(common::Role::Patient);

    for (query, parameter) in [
        ("status=bogus", "status"),
        ("_count=-1", "_count"),
        ("_count=201", "_count"),
        ("patient=Practitioner/1", "patient"),
    ] {
        let res = app
            .get(&format!("/fhir/MedicationRequest?{query}"), &patient)
            .await;
        assert_eq!(res.status(), 422, "{query}");
        let outcome: Value = res.json().await.unwrap();
        assert_eq!(outcome["resourceType"], "OperationOutcome");
        assert_eq!(outcome["issue"][0]["expression"][0], parameter, "{query}");
        test_support::fhir::assert_valid_r4(&[&outcome]);
    }
}

#[tokio::test]
async fn reading_a_medication_request_is_audited_as_a_prescription_read() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let path = fhir_path(&app.prescribed(&visit).await);

    assert_eq!(app.get(&path, &visit.patient).await.status(), 200);

    let reads: Vec<Value> = app
        .audited("prescription.read")
        .await
        .into_iter()
        .filter(|e| e["actor_id"] == visit.patient.id.to_string())
        .collect();
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0]["outcome"], "success");
    assert_eq!(reads[0]["patient_id"], visit.patient.id.to_string());
}

#[tokio::test]
async fn behind_a_proxy_prefix_bundle_links_and_full_urls_are_under_public_base_url() {
    let base = "https://api.example.com/api/prescriptions";
    let app = spawn_app_from(
        test_support::db::TestDatabase::create(prescription_service::MIGRATIONS),
        reqwest::Client::new(),
        |_| {},
        |s| s.http.public_base_url = Some(base.into()),
    )
    .await;
    let visit = app.visit().await;
    app.prescribed(&visit).await;

    let res = app.get("/fhir/MedicationRequest", &visit.patient).await;

    let bundle = assert_resource(res, "Bundle").await;
    let own = format!("{base}/fhir/MedicationRequest?_count=50&_offset=0");
    assert_eq!(bundle["link"][0]["url"], own.as_str());
    let full_url = bundle["entry"][0]["fullUrl"].as_str().unwrap();
    assert!(
        full_url.starts_with(&format!("{base}/fhir/MedicationRequest/")),
        "{full_url}"
    );
}
