//! Doctor vetting: a self-registered doctor waits for an admin, whose approval reaches the
//! doctor's next token; withdrawing it ends the tokens that still claim it.

use crate::helpers::*;
use serde_json::{Value, json};

#[tokio::test]
async fn a_self_registered_doctor_awaits_approval_and_their_token_says_so() {
    let app = spawn_app().await;
    let doctor = app.signed_in("doctor").await;
    let patient = app.signed_in("patient").await;

    let profile = app.get("/users/profile", &doctor.access_token).await;

    assert_eq!(
        profile.status(),
        200,
        "an unvetted doctor can still sign in"
    );
    assert_eq!(profile.json::<Value>().await.unwrap()["approved"], false);
    assert_eq!(token_claims(&doctor.access_token)["approved"], false);
    let patient_claims = token_claims(&patient.access_token);
    assert!(
        patient_claims.get("approved").is_none(),
        "only doctors are vetted: {patient_claims}"
    );
    let own = app.get("/users/profile", &patient.access_token).await;
    assert_eq!(own.json::<Value>().await.unwrap()["approved"], true);
}

#[tokio::test]
async fn a_doctor_an_admin_creates_starts_approved() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let email = unique_email();

    let res = app
        .post("/users/", &admin, &registration(&email, "doctor"))
        .await;

    assert_eq!(res.status(), 201);
    assert_eq!(res.json::<Value>().await.unwrap()["approved"], true);
    let doctor = app.session_of(&email, PASSWORD).await;
    assert_eq!(token_claims(&doctor.access_token)["approved"], true);
}

#[tokio::test]
async fn the_approval_queue_lists_only_unvetted_doctors() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let waiting = app.signed_in("doctor").await;
    app.signed_in("patient").await;
    app.post("/users/", &admin, &registration(&unique_email(), "doctor"))
        .await;

    let queue = app
        .get("/users/?role=doctor&approved=false", &admin.access_token)
        .await;
    let nonsense = app.get("/users/?approved=maybe", &admin.access_token).await;

    assert_eq!(queue.status(), 200);
    assert_eq!(queue.headers()["x-total-count"], "1");
    let listed: Vec<Value> = queue.json().await.unwrap();
    assert_eq!(listed[0]["id"], waiting.id.as_str());
    assert_eq!(
        error_fields(&assert_problem(nonsense, 422).await),
        ["approved"]
    );
}

#[tokio::test]
async fn approval_reaches_the_next_login_and_withdrawing_it_ends_current_tokens() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let doctor = app.signed_in("doctor").await;

    let approved = patch_user(&app, &admin, &doctor.id, json!({ "approved": true })).await;
    assert_eq!(approved.status(), 200);
    assert_eq!(approved.json::<Value>().await.unwrap()["approved"], true);
    let vetted = app.session_of(&doctor.email, PASSWORD).await;
    assert_eq!(token_claims(&vetted.access_token)["approved"], true);
    let refreshed: Value = app
        .refresh(&doctor.refresh_token)
        .await
        .json()
        .await
        .unwrap();
    let refreshed_token = refreshed["access_token"].as_str().unwrap();
    assert_eq!(token_claims(refreshed_token)["approved"], true);
    // iat has whole seconds: withdraw in a later one than the logins.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;

    let withdrawn = patch_user(&app, &admin, &doctor.id, json!({ "approved": false })).await;
    assert_eq!(withdrawn.status(), 200);
    assert_problem(app.get("/users/profile", &vetted.access_token).await, 401).await;
    let again = app.session_of(&doctor.email, PASSWORD).await;
    assert_eq!(token_claims(&again.access_token)["approved"], false);
    let bad = patch_user(&app, &admin, &doctor.id, json!({ "approved": "yes" })).await;
    assert_eq!(error_fields(&assert_problem(bad, 422).await), ["approved"]);
}

#[tokio::test]
async fn only_admins_approve() {
    let app = spawn_app().await;
    let doctor = app.signed_in("doctor").await;

    let res = patch_user(&app, &doctor, &doctor.id, json!({ "approved": true })).await;

    assert_problem(res, 403).await;
    let profile = app.get("/users/profile", &doctor.access_token).await;
    assert_eq!(profile.json::<Value>().await.unwrap()["approved"], false);
}

async fn patch_user(app: &TestApp, admin: &Session, id: &str, body: Value) -> reqwest::Response {
    app.client
        .patch(app.url(&format!("/users/{id}")))
        .bearer_auth(&admin.access_token)
        .json(&body)
        .send()
        .await
        .expect("request")
}
