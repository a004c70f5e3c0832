//! At the pharmacy (contract part 3 section 17): `/verify` answers the status now, whether
//! the paper may be dispensed and what is left; a superseded paper says so; pharmacists
//! record what they hand out, counted against quantity and refills, and two pharmacies
//! racing for the last refill cannot both have it.

use crate::helpers::*;
use common::Role;
use serde_json::{Value, json};

async fn verify(app: &TestApp, id: &str, query: &str) -> reqwest::Response {
    app.client
        .get(format!("{}/prescriptions/{id}/verify{query}", app.address))
        .send()
        .await
        .unwrap()
}

async fn verified(app: &TestApp, id: &str, query: &str) -> Value {
    let res = verify(app, id, query).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// A prescription of Amoxicillin, 21 capsules with one refill.
async fn amoxicillin(app: &TestApp) -> (Visit, String) {
    let visit = app.visit().await;
    let mut amoxicillin = medicine("Amoxicillin");
    amoxicillin["quantity"] = json!(21);
    amoxicillin["unit"] = json!("capsules");
    amoxicillin["refills"] = json!(1);
    let res = app
        .prescribe(
            &visit.doctor,
            &json!({ "appointment_id": visit.appointment_id, "medicines": [amoxicillin] }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (visit, id)
}

fn dispense_of(medicine: &str, quantity: i64) -> Value {
    json!({ "items": [{ "medicine": medicine, "quantity": quantity }] })
}

#[tokio::test]
async fn dispensing_counts_against_quantity_and_refills_until_nothing_is_left() {
    let app = spawn_app().await;
    let (visit, id) = amoxicillin(&app).await;
    let pharmacist = caller(Role::Pharmacist);
    let path = format!("/prescriptions/{id}/dispense");

    let fresh = verified(&app, &id, "?version=1").await;
    assert_eq!(fresh["valid"], true);
    assert_eq!(fresh["status"], "active");
    assert_eq!(fresh["superseded"], false);
    assert_eq!(fresh["current_version"], 1);
    assert_eq!(fresh["dispensable"], true);
    assert_eq!(
        fresh["remaining"],
        json!({ "Amoxicillin": { "quantity": 21, "refills": 1, "dispensable": true } })
    );

    // The first fill, handed out in two visits (names match whatever the case).
    let res = app
        .post(&path, &pharmacist, &dispense_of("amoxicillin", 14))
        .await;
    assert_eq!(res.status(), 201);
    let record: Value = res.json().await.unwrap();
    assert_eq!(record["pharmacist_id"], pharmacist.id.to_string());
    assert_eq!(
        record["items"],
        json!([{ "medicine": "Amoxicillin", "quantity": 14 }])
    );
    assert!(record["id"].is_string() && record["at"].is_string());
    let res = app
        .post(&path, &pharmacist, &json!({ "quantity": 7 }))
        .await;
    assert_eq!(
        res.status(),
        201,
        "one medicine: the quantity alone will do"
    );
    assert_eq!(
        verified(&app, &id, "").await["remaining"],
        json!({ "Amoxicillin": { "quantity": 0, "refills": 1, "dispensable": true } })
    );

    // The refill: more than it holds is refused, all of it is not.
    let res = app
        .post(&path, &pharmacist, &dispense_of("Amoxicillin", 22))
        .await;
    assert_problem(res, 409).await;
    let res = app
        .post(&path, &pharmacist, &dispense_of("Amoxicillin", 21))
        .await;
    assert_eq!(res.status(), 201);
    let spent = verified(&app, &id, "?version=1").await;
    assert_eq!(spent["dispensable"], false);
    assert_eq!(spent["valid"], true);
    assert_eq!(
        spent["remaining"],
        json!({ "Amoxicillin": { "quantity": 0, "refills": 0, "dispensable": false } })
    );
    let res = app
        .post(&path, &pharmacist, &dispense_of("Amoxicillin", 1))
        .await;
    assert_problem(res, 409).await;

    // It shows on the prescription, for its patient too.
    let view: Value = app
        .get(&format!("/prescriptions/{id}"), &visit.patient)
        .await
        .json()
        .await
        .unwrap();
    let quantities: Vec<i64> = view["dispenses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["items"][0]["quantity"].as_i64().unwrap())
        .collect();
    assert_eq!(quantities, [14, 7, 21]);
    let versions: Value = app
        .get(&format!("/prescriptions/{id}/versions"), &visit.doctor)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(versions[0]["dispenses"].as_array().unwrap().len(), 3);

    // Audited, and an event that names no medicine.
    assert_eq!(app.audited("prescription.dispense").await.len(), 3);
    let events: Vec<_> = app
        .db
        .outbox()
        .into_iter()
        .filter(|e| e.kind == "prescription.dispensed")
        .collect();
    assert_eq!(events.len(), 3);
    assert_eq!(events[2].data["dispensable"], false);
    assert!(!events[2].data.to_string().contains("Amoxicillin"));
}

#[tokio::test]
async fn a_stopped_prescription_or_a_superseded_paper_is_not_dispensable() {
    let app = spawn_app().await;
    let (visit, id) = amoxicillin(&app).await;
    let pharmacist = caller(Role::Pharmacist);
    let path = format!("/prescriptions/{id}/dispense");

    // Amended: the paper printed as version 1 is superseded.
    let res = app
        .put(
            &format!("/prescriptions/{id}"),
            &visit.doctor,
            &json!({ "notes": "dose checked" }),
        )
        .await;
    assert_eq!(res.status(), 200);
    let old = verified(&app, &id, "?version=1").await;
    assert_eq!(old["superseded"], true);
    assert_eq!(old["valid"], true, "it was genuine");
    assert_eq!(old["dispensable"], false);
    assert_eq!(old["version"], 1);
    assert_eq!(old["current_version"], 2);
    let res = app
        .post(
            &path,
            &pharmacist,
            &json!({ "version": 1, "items": [{ "medicine": "Amoxicillin", "quantity": 1 }] }),
        )
        .await;
    assert_problem(res, 409).await;
    assert_eq!(verified(&app, &id, "?version=2").await["dispensable"], true);
    assert_problem(verify(&app, &id, "?version=3").await, 404).await;
    assert_problem(verify(&app, &id, "?version=first").await, 422).await;

    // Stopped by the doctor: the paper printed while active no longer passes.
    let res = app
        .post(
            &format!("/prescriptions/{id}/status"),
            &visit.doctor,
            &json!({ "status": "stopped", "reason": "rash" }),
        )
        .await;
    assert_eq!(res.status(), 200);
    let stopped = verified(&app, &id, "").await;
    assert_eq!(stopped["status"], "stopped");
    assert_eq!(stopped["dispensable"], false);
    assert_eq!(verified(&app, &id, "?version=2").await["superseded"], true);
    let res = app
        .post(&path, &pharmacist, &dispense_of("Amoxicillin", 1))
        .await;
    assert_problem(res, 409).await;
    assert_eq!(app.count("prescription_dispenses"), 0);
}

#[tokio::test]
async fn only_pharmacists_dispense_and_they_read_by_id_but_never_list() {
    let app = spawn_app().await;
    let (visit, id) = amoxicillin(&app).await;
    let path = format!("/prescriptions/{id}/dispense");
    let body = dispense_of("Amoxicillin", 1);
    for who in [&visit.patient, &visit.doctor, &caller(Role::Admin)] {
        assert_problem(app.post(&path, who, &body).await, 403).await;
    }
    let pharmacist = caller(Role::Pharmacist);
    let res = app.get(&format!("/prescriptions/{id}"), &pharmacist).await;
    assert_eq!(res.status(), 200);
    assert_problem(app.get("/prescriptions", &pharmacist).await, 403).await;
    let search = app.get("/fhir/MedicationRequest", &pharmacist).await;
    let bundle: Value = search.json().await.unwrap();
    assert_eq!(
        bundle["total"], 0,
        "a search finds nothing for a pharmacist"
    );

    // What the pharmacy asks for must be on the prescription, once, in bounds.
    for (bad, field) in [
        (dispense_of("Ibuprofen", 1), "items[0].medicine"),
        (dispense_of("Amoxicillin", 0), "items[0].quantity"),
        (dispense_of("Amoxicillin", 10_001), "items[0].quantity"),
        (json!({ "items": [] }), "items"),
        (json!({}), "items"),
        (
            json!({ "items": [{ "medicine": "Amoxicillin", "quantity": 1 }, { "medicine": "amoxicillin", "quantity": 1 }] }),
            "items[1].medicine",
        ),
    ] {
        let problem = assert_problem(app.post(&path, &pharmacist, &bad).await, 422).await;
        assert!(
            error_fields(&problem).contains(&field.to_owned()),
            "{bad}: {problem}"
        );
    }
    let missing = format!("/prescriptions/{}/dispense", uuid::Uuid::new_v4());
    assert_problem(app.post(&missing, &pharmacist, &body).await, 404).await;
    assert_eq!(app.count("prescription_dispenses"), 0);
}

#[tokio::test]
async fn a_retried_dispense_is_counted_once_and_its_key_is_that_endpoints_alone() {
    let app = spawn_app().await;
    let (_, id) = amoxicillin(&app).await;
    let (_, other) = amoxicillin(&app).await;
    let pharmacist = caller(Role::Pharmacist);
    let send = |id: &str| {
        app.client
            .post(format!("{}/prescriptions/{id}/dispense", app.address))
            .bearer_auth(&pharmacist.token)
            .header("Idempotency-Key", "counter-7-receipt-1")
            .json(&dispense_of("Amoxicillin", 10))
            .send()
    };
    let first: Value = send(&id).await.unwrap().json().await.unwrap();
    let retry = send(&id).await.unwrap();
    assert_eq!(retry.status(), 201);
    assert_eq!(retry.json::<Value>().await.unwrap()["id"], first["id"]);
    assert_eq!(app.count("prescription_dispenses"), 1);

    // The same key on another prescription is that prescription's own request.
    let elsewhere = send(&other).await.unwrap();
    assert_eq!(elsewhere.status(), 201);
    assert!(elsewhere.headers().get("Idempotent-Replayed").is_none());
    assert_ne!(elsewhere.json::<Value>().await.unwrap()["id"], first["id"]);
    assert_eq!(app.count("prescription_dispenses"), 2);
}

#[tokio::test]
async fn two_pharmacies_racing_for_the_last_refill_on_two_replicas_one_wins() {
    let app = spawn_app().await;
    let (_, id) = amoxicillin(&app).await;
    let first = caller(Role::Pharmacist);
    let res = app
        .post(
            &format!("/prescriptions/{id}/dispense"),
            &first,
            &dispense_of("Amoxicillin", 21),
        )
        .await;
    assert_eq!(res.status(), 201);
    let replica = start_prescriptions(
        &app.db,
        &app.appointments_address,
        std::time::Duration::from_secs(2),
    )
    .await;

    let pharmacies = [
        (app.address.clone(), first),
        (replica, caller(Role::Pharmacist)),
    ];
    let attempts = (0..8).map(|i| {
        let (address, pharmacist) = &pharmacies[i % 2];
        app.client
            .post(format!("{address}/prescriptions/{id}/dispense"))
            .bearer_auth(&pharmacist.token)
            .json(&dispense_of("Amoxicillin", 21))
            .send()
    });
    let statuses: Vec<u16> = futures_util::future::join_all(attempts)
        .await
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();

    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        7,
        "{statuses:?}"
    );
    assert_eq!(app.count("prescription_dispenses"), 2);
}
