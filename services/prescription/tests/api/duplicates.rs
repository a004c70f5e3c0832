//! Duplicate therapy: a medicine already in another active prescription of the patient is
//! a 409 naming it unless overridden with a reason (kept, audited); race-safe.

use crate::helpers::*;
use common::Role;
use serde_json::{Value, json};

const DUPLICATE: &str = "https://healthcare.example/problems/duplicate-therapy";

fn coded(name: &str, code: &str) -> Value {
    let mut m = medicine(name);
    m["code"] = json!({ "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": code });
    m
}

fn body(visit: &Visit, medicines: Value) -> Value {
    json!({ "appointment_id": visit.appointment_id, "medicines": medicines })
}

async fn created(res: reqwest::Response) -> Value {
    assert_eq!(res.status(), 201);
    res.json().await.unwrap()
}

#[tokio::test]
async fn the_same_medicine_by_name_or_code_is_409_and_an_override_with_a_reason_201() {
    let app = spawn_app().await;
    let patient = caller(Role::Patient);
    let first_visit = app.visit_of(patient.clone()).await;
    let first = created(
        app.prescribe(
            &first_visit.doctor,
            &body(&first_visit, json!([coded("Amoxicillin", "308182")])),
        )
        .await,
    )
    .await;

    let visit = app.visit_of(patient.clone()).await;
    for medicines in [
        json!([medicine("  amoxicillin ")]),
        json!([medicine("AMOXICILLIN 500 mg capsules")]),
        json!([medicine("Ａｍｏｘｉｃｉｌｌｉｎ")]),
        json!([medicine("Ibuprofen"), coded("Amoxil", "308182")]),
    ] {
        let res = app
            .prescribe(&visit.doctor, &body(&visit, medicines.clone()))
            .await;
        let problem = assert_problem(res, 409).await;
        assert_eq!(problem["type"], DUPLICATE, "{medicines}");
        assert_eq!(problem["conflicts"], json!([first["id"]]));
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.contains("Amoxicillin") && detail.contains(first["id"].as_str().unwrap()),
            "{detail}"
        );
    }
    assert_eq!(app.count("prescriptions"), 1);

    let mut overridden = body(&visit, json!([medicine("Amoxicillin")]));
    overridden["override_reason"] = json!("second course after relapse");
    let second = created(app.prescribe(&visit.doctor, &overridden).await).await;
    assert_eq!(second["override_reason"], "second course after relapse");
    let versions: Vec<Value> = app
        .get(
            &format!("/prescriptions/{}/versions", second["id"].as_str().unwrap()),
            &visit.doctor,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        versions[0]["override_reason"],
        "second course after relapse"
    );
    let audited = app.audited("prescription.duplicate_override").await;
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0]["resource_id"], second["id"]);
    assert_eq!(audited[0]["actor_id"], visit.doctor.id.to_string());

    // An empty reason is no reason.
    overridden["override_reason"] = json!(" ");
    let problem = assert_problem(app.prescribe(&visit.doctor, &overridden).await, 422).await;
    assert_eq!(error_fields(&problem), ["override_reason"]);
}

#[tokio::test]
async fn only_another_active_prescription_of_the_same_patient_counts() {
    let app = spawn_app().await;
    let patient = caller(Role::Patient);
    let visit = app.visit_of(patient.clone()).await;
    let stopped = created(
        app.prescribe(
            &visit.doctor,
            &body(&visit, json!([medicine("Amoxicillin")])),
        )
        .await,
    )
    .await;
    let res = app
        .post(
            &format!("/prescriptions/{}/status", stopped["id"].as_str().unwrap()),
            &visit.doctor,
            &json!({ "status": "stopped", "reason": "rash" }),
        )
        .await;
    assert_eq!(res.status(), 200);

    let again = app.visit_of(patient.clone()).await;
    created(
        app.prescribe(
            &again.doctor,
            &body(&again, json!([medicine("Amoxicillin")])),
        )
        .await,
    )
    .await;
    let stranger = app.visit().await;
    created(
        app.prescribe(
            &stranger.doctor,
            &body(&stranger, json!([medicine("Amoxicillin")])),
        )
        .await,
    )
    .await;
}

#[tokio::test]
async fn an_amendment_that_adds_a_duplicate_is_409_unless_overridden() {
    let app = spawn_app().await;
    let patient = caller(Role::Patient);
    let visit = app.visit_of(patient.clone()).await;
    created(
        app.prescribe(
            &visit.doctor,
            &body(&visit, json!([medicine("Amoxicillin")])),
        )
        .await,
    )
    .await;
    let other = app.visit_of(patient.clone()).await;
    let path = format!(
        "/prescriptions/{}",
        created(
            app.prescribe(&other.doctor, &body(&other, json!([medicine("Ibuprofen")])))
                .await
        )
        .await["id"]
            .as_str()
            .unwrap()
    );

    let adds = json!({ "medicines": [medicine("Ibuprofen"), medicine("AMOXICILLIN")] });
    let problem = assert_problem(app.put(&path, &other.doctor, &adds).await, 409).await;
    assert_eq!(problem["type"], DUPLICATE);
    let notes_only = app
        .put(&path, &other.doctor, &json!({ "notes": "with water" }))
        .await;
    assert_eq!(
        notes_only.status(),
        200,
        "keeping its own medicines is fine"
    );
    let mut overridden = adds.clone();
    overridden["override_reason"] = json!("both needed this week");
    let res = app.put(&path, &other.doctor, &overridden).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap()["override_reason"],
        "both needed this week"
    );
}

#[tokio::test]
async fn two_concurrent_prescriptions_of_one_medicine_for_one_patient_one_201_one_409() {
    let app = spawn_app().await;
    for round in 0..5 {
        let patient = caller(Role::Patient);
        let a = app.visit_of(patient.clone()).await;
        let b = app.visit_of(patient.clone()).await;
        let (for_a, for_b) = (
            body(&a, json!([medicine("Metformin")])),
            body(&b, json!([medicine("metformin")])),
        );
        let (first, second) = tokio::join!(
            app.prescribe(&a.doctor, &for_a),
            app.prescribe(&b.doctor, &for_b),
        );
        let mut statuses = [first.status().as_u16(), second.status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 409], "round {round}");
    }
}
