//! The structured medicine fields a pharmacy dispenses by: each one's bounds, named by
//! path when wrong, kept and shown when right, with their defaults.

use crate::helpers::*;
use serde_json::{Value, json};

fn with_fields(fields: Value) -> Value {
    let mut medicine = medicine("Amoxicillin");
    for (key, value) in fields.as_object().unwrap() {
        medicine[key] = value.clone();
    }
    medicine
}

#[tokio::test]
async fn every_structured_field_is_kept_and_shown() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let full = with_fields(json!({
        "quantity": 21, "unit": "capsules", "refills": 2, "route": "oral", "as_needed": true,
        "code": { "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "308182",
                  "display": "amoxicillin 250 MG Oral Capsule" }
    }));
    let res = app
        .prescribe(
            &visit.doctor,
            &json!({ "appointment_id": visit.appointment_id, "medicines": [full, medicine("Ibuprofen")] }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let read: Value = app
        .get(
            &format!("/prescriptions/{}", created["id"].as_str().unwrap()),
            &visit.patient,
        )
        .await
        .json()
        .await
        .unwrap();
    for p in [&created, &read] {
        let kept = &p["medicines"][0];
        assert_eq!(kept["quantity"], 21);
        assert_eq!(kept["unit"], "capsules");
        assert_eq!(kept["refills"], 2);
        assert_eq!(kept["route"], "oral");
        assert_eq!(kept["as_needed"], true);
        assert_eq!(kept["code"]["code"], "308182");
        assert_eq!(kept["code"]["display"], "amoxicillin 250 MG Oral Capsule");
        let plain = &p["medicines"][1];
        assert_eq!(plain["refills"], 0, "refills default to 0");
        assert_eq!(plain["as_needed"], false);
        for absent in ["quantity", "unit", "route", "code"] {
            assert!(plain[absent].is_null(), "{absent}: {plain}");
        }
    }
}

#[tokio::test]
async fn each_structured_field_has_its_bounds_and_a_bad_one_is_named_by_path() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let bad = [
        (json!({ "quantity": 0 }), "quantity"),
        (json!({ "quantity": 10001 }), "quantity"),
        (json!({ "quantity": 2.5 }), "quantity"),
        (json!({ "quantity": "ten" }), "quantity"),
        (json!({ "unit": "" }), "unit"),
        (json!({ "unit": "x".repeat(51) }), "unit"),
        (json!({ "refills": -1 }), "refills"),
        (json!({ "refills": 12 }), "refills"),
        (json!({ "route": "by mouth" }), "route"),
        (json!({ "route": 3 }), "route"),
        (json!({ "as_needed": "yes" }), "as_needed"),
        (json!({ "code": "308182" }), "code"),
        (json!({ "code": { "code": "308182" } }), "code.system"),
        (json!({ "code": { "system": "rxnorm" } }), "code.code"),
        (
            json!({ "code": { "system": "rxnorm", "code": "x".repeat(101) } }),
            "code.code",
        ),
        (
            json!({ "code": { "system": "rxnorm", "code": "1", "display": "" } }),
            "code.display",
        ),
    ];
    for (fields, path) in bad {
        let body = json!({
            "appointment_id": visit.appointment_id,
            "medicines": [medicine("Ibuprofen"), with_fields(fields.clone())],
        });
        let problem = assert_problem(app.prescribe(&visit.doctor, &body).await, 422).await;
        assert_eq!(
            error_fields(&problem),
            [format!("medicines[1].{path}")],
            "{fields}"
        );
    }
    assert_eq!(app.count("prescriptions"), 0, "nothing written");

    // The edges themselves are fine, here through an amendment.
    let path = app.prescribed(&visit).await;
    for fields in [
        json!({ "quantity": 1, "refills": 0 }),
        json!({ "quantity": 10000, "refills": 11, "route": "intravenous" }),
        json!({ "route": "other", "as_needed": false, "unit": "x".repeat(50) }),
    ] {
        let res = app
            .put(
                &path,
                &visit.doctor,
                &json!({ "medicines": [with_fields(fields.clone())] }),
            )
            .await;
        assert_eq!(res.status(), 200, "{fields}");
    }
}
