//! Patient details (contract part 3, section 11): birth date, sex and phone, validated,
//! shown to the person and admins, carried in tokens (OIDC `birthdate`, `gender`), and in
//! the FHIR Patient with what US Core Patient must have.

use crate::helpers::*;
use serde_json::{Value, json};
use test_support::fhir::assert_resource;

fn with_details(email: &str) -> Value {
    let mut body = registration(email, "patient");
    body["birth_date"] = json!("1984-02-29");
    body["sex"] = json!("female");
    body["phone"] = json!("+4930123456");
    body
}

#[tokio::test]
async fn details_given_at_sign_up_are_on_the_user_in_the_token_and_in_fhir() {
    let app = spawn_app().await;
    let email = unique_email();
    assert_eq!(app.register(&with_details(&email)).await.status(), 201);

    let session = app.session_of(&email, PASSWORD).await;
    let profile: Value = app
        .get("/users/profile", &session)
        .await
        .json()
        .await
        .unwrap();
    let claims = test_support::jwt::token_claims(&session.access_token);
    let path = format!("/fhir/Patient/{}", session.id);
    let patient = assert_resource(app.get(&path, &session).await, "Patient").await;

    assert_eq!(profile["birth_date"], "1984-02-29");
    assert_eq!(profile["sex"], "female");
    assert_eq!(profile["phone"], "+4930123456");
    assert_eq!(claims["birthdate"], "1984-02-29");
    assert_eq!(claims["gender"], "female");
    assert_eq!(patient["gender"], "female");
    assert_eq!(patient["birthDate"], "1984-02-29");
    assert_eq!(
        patient["identifier"],
        json!([{ "system": "urn:healthcare:user-id", "value": session.id }])
    );
    let telecom = patient["telecom"].as_array().unwrap();
    assert!(telecom.contains(&json!({ "system": "email", "value": email })));
    assert!(telecom.contains(&json!({ "system": "phone", "value": "+4930123456" })));
}

#[tokio::test]
async fn without_details_the_fhir_patient_still_has_what_us_core_requires() {
    let app = spawn_app().await;
    let session = app.signed_in("patient").await;

    let path = format!("/fhir/Patient/{}", session.id);
    let patient = assert_resource(app.get(&path, &session).await, "Patient").await;
    let profile: Value = app
        .get("/users/profile", &session)
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(patient["gender"], "unknown");
    assert!(patient["identifier"][0]["value"].is_string());
    assert!(patient["name"][0]["family"].is_string());
    assert_eq!(patient.get("birthDate"), None);
    assert_eq!(
        (&profile["birth_date"], &profile["sex"], &profile["phone"]),
        (&Value::Null, &Value::Null, &Value::Null)
    );
    assert!(
        test_support::jwt::token_claims(&session.access_token)
            .get("birthdate")
            .is_none()
    );
}

#[tokio::test]
async fn bad_details_are_422_naming_each_field() {
    let app = spawn_app().await;
    let mut body = registration(&unique_email(), "patient");
    body["birth_date"] = json!("2999-01-01");
    body["sex"] = json!("yes");
    body["phone"] = json!("030 123456");

    let refused = app.register(&body).await;

    let problem = assert_problem(refused, 422).await;
    let mut fields = error_fields(&problem);
    fields.sort();
    assert_eq!(fields, ["birth_date", "phone", "sex"]);
    for old in ["1899-12-31", "29/02/1984"] {
        let mut body = registration(&unique_email(), "patient");
        body["birth_date"] = json!(old);
        let problem = assert_problem(app.register(&body).await, 422).await;
        assert_eq!(error_fields(&problem), ["birth_date"]);
    }
}

#[tokio::test]
async fn the_profile_sets_and_clears_details_and_only_the_person_and_admins_see_them() {
    let app = spawn_app().await;
    let session = app.signed_in("patient").await;
    let admin = app.admin().await;

    let set = app
        .put(
            "/users/profile",
            &session,
            &json!({ "birth_date": "1990-06-01", "sex": "other", "phone": "+14155550123" }),
        )
        .await;
    assert_eq!(set.status(), 200);
    let as_admin: Value = app
        .get(&format!("/users/{}", session.id), &admin)
        .await
        .json()
        .await
        .unwrap();
    let cleared: Value = app
        .put("/users/profile", &session, &json!({ "phone": null }))
        .await
        .json()
        .await
        .unwrap();
    let stranger = app.signed_in("patient").await;
    let prying = app.get(&format!("/users/{}", session.id), &stranger).await;

    assert_eq!(as_admin["birth_date"], "1990-06-01");
    assert_eq!(as_admin["sex"], "other");
    assert_eq!(as_admin["phone"], "+14155550123");
    assert_eq!(cleared["phone"], Value::Null);
    assert_eq!(
        cleared["birth_date"], "1990-06-01",
        "what was left out stays"
    );
    assert!(prying.status() == 403 || prying.status() == 404);
    let renewed = app.session_of(&session.email, PASSWORD).await;
    let claims = test_support::jwt::token_claims(&renewed.access_token);
    assert_eq!(claims["birthdate"], "1990-06-01");
    assert_eq!(claims["gender"], "other");
}
