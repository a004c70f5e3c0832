use crate::helpers::*;
use serde_json::{Value, json};

#[tokio::test]
async fn a_user_reads_their_own_profile() {
    let app = spawn_app().await;
    let session = app.signed_in("patient").await;

    let res = app.get("/users/profile", &session.access_token).await;

    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["id"], session.id.as_str());
    assert_eq!(body["email"], session.email.as_str());
}

#[tokio::test]
async fn updating_the_profile_changes_only_the_fields_given() {
    let app = spawn_app().await;
    let session = app.signed_in("doctor").await;
    let new_email = unique_email();

    let res = app
        .client
        .put(app.url("/users/profile"))
        .bearer_auth(&session.access_token)
        .json(&json!({ "first_name": "Grace", "email": new_email, "current_password": PASSWORD }))
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["first_name"], "Grace");
    assert_eq!(body["last_name"], "Lovelace");
    assert_eq!(body["email"], new_email.as_str());
    assert_eq!(app.login(&new_email, PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn taking_another_users_email_is_409_and_bad_fields_422() {
    let app = spawn_app().await;
    let other = app.signed_in("patient").await;
    let session = app.signed_in("patient").await;
    let put = |body: Value| {
        app.client
            .put(app.url("/users/profile"))
            .bearer_auth(&session.access_token)
            .json(&body)
            .send()
    };

    let taken = put(json!({ "email": other.email.to_uppercase(), "current_password": PASSWORD }))
        .await
        .unwrap();
    let invalid = put(json!({ "email": "nope", "first_name": "" }))
        .await
        .unwrap();

    assert_problem(taken, 409).await;
    let mut fields = error_fields(&assert_problem(invalid, 422).await);
    fields.sort();
    assert_eq!(fields, ["email", "first_name"]);
}

#[tokio::test]
async fn the_profile_needs_a_token() {
    let app = spawn_app().await;

    let res = app
        .client
        .get(app.url("/users/profile"))
        .send()
        .await
        .unwrap();

    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    assert_problem(res, 401).await;
}

async fn change_password(
    app: &TestApp,
    token: &str,
    current: &str,
    new: &str,
) -> reqwest::Response {
    app.client
        .put(app.url("/users/profile/password"))
        .bearer_auth(token)
        .json(&json!({ "current_password": current, "new_password": new }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_wrong_current_password_is_403_and_a_weak_new_one_422() {
    let app = spawn_app().await;
    let session = app.signed_in("patient").await;

    let wrong = change_password(&app, &session.access_token, "Wrong1Password", "N3wPassword").await;
    let weak = change_password(&app, &session.access_token, PASSWORD, "weak").await;

    assert_problem(wrong, 403).await;
    assert_eq!(
        error_fields(&assert_problem(weak, 422).await),
        ["new_password"]
    );
    assert_eq!(
        app.login(&session.email, PASSWORD).await.status(),
        200,
        "unchanged"
    );
}

#[tokio::test]
async fn changing_the_password_ends_every_login() {
    let app = spawn_app().await;
    let session = app.signed_in("patient").await;
    let other_device = app.session_of(&session.email, PASSWORD).await;

    let res = change_password(&app, &session.access_token, PASSWORD, "N3wPassword").await;

    assert_eq!(res.status(), 204);
    assert_problem(app.refresh(&session.refresh_token).await, 401).await;
    assert_problem(app.refresh(&other_device.refresh_token).await, 401).await;
    assert_problem(app.login(&session.email, PASSWORD).await, 401).await;
    assert_eq!(app.login(&session.email, "N3wPassword").await.status(), 200);
}

#[tokio::test]
async fn moving_the_login_email_needs_the_current_password() {
    let app = spawn_app().await;
    let session = app.signed_in("patient").await;
    let put = |body: Value| {
        app.client
            .put(app.url("/users/profile"))
            .bearer_auth(&session.access_token)
            .json(&body)
            .send()
    };
    let new_email = unique_email();

    let without = put(json!({ "email": new_email })).await.unwrap();
    let wrong = put(json!({ "email": new_email, "current_password": "Wrong1Password" }))
        .await
        .unwrap();
    let names_only = put(json!({ "first_name": "Grace" })).await.unwrap();

    assert_eq!(
        error_fields(&assert_problem(without, 422).await),
        ["current_password"]
    );
    assert_problem(wrong, 403).await;
    assert_eq!(names_only.status(), 200, "names need no password");
    assert_eq!(
        app.login(&session.email, PASSWORD).await.status(),
        200,
        "unchanged"
    );
}
