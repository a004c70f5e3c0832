use crate::helpers::*;
use serde_json::{Value, json};

#[tokio::test]
async fn an_admin_lists_users_by_role_with_paging_headers() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    for _ in 0..3 {
        app.signed_in("patient").await;
    }
    app.signed_in("doctor").await;

    let all = app.get("/users/", &admin.access_token).await;
    let patients = app
        .get("/users/?role=patient&limit=2&offset=1", &admin.access_token)
        .await;

    assert_eq!(all.status(), 200);
    assert_eq!(all.headers()["x-total-count"], "5");
    assert_eq!(all.json::<Vec<Value>>().await.unwrap().len(), 5);
    assert_eq!(patients.status(), 200);
    assert_eq!(patients.headers()["x-total-count"], "3");
    let page: Vec<Value> = patients.json().await.unwrap();
    assert_eq!(page.len(), 2);
    assert!(page.iter().all(|u| u["role"] == "patient"));
}

#[tokio::test]
async fn listing_users_is_for_admins_only() {
    let app = spawn_app().await;
    let patient = app.signed_in("patient").await;
    let doctor = app.signed_in("doctor").await;

    assert_problem(app.get("/users/", &patient.access_token).await, 403).await;
    assert_problem(app.get("/users", &doctor.access_token).await, 403).await;
    assert_problem(
        app.client.get(app.url("/users/")).send().await.unwrap(),
        401,
    )
    .await;
}

#[tokio::test]
async fn bad_list_parameters_are_422_naming_each() {
    let app = spawn_app().await;
    let admin = app.admin().await;

    let res = app
        .get(
            "/users/?role=nurse&limit=500&offset=-1",
            &admin.access_token,
        )
        .await;

    let mut fields = error_fields(&assert_problem(res, 422).await);
    fields.sort();
    assert_eq!(fields, ["limit", "offset", "role"]);
}

#[tokio::test]
async fn an_admin_creates_another_admin_who_can_sign_in() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let email = unique_email();

    let res = app
        .client
        .post(app.url("/users/"))
        .bearer_auth(&admin.access_token)
        .json(&registration(&email, "admin"))
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 201);
    assert_eq!(res.json::<Value>().await.unwrap()["role"], "admin");
    let new_admin = app.session_of(&email, PASSWORD).await;
    assert_eq!(
        app.get("/users/", &new_admin.access_token).await.status(),
        200
    );
}

#[tokio::test]
async fn an_admin_creates_a_pharmacist_whom_sign_up_never_offers() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let email = unique_email();

    let res = app
        .client
        .post(app.url("/users/"))
        .bearer_auth(&admin.access_token)
        .json(&registration(&email, "pharmacist"))
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 201);
    assert_eq!(res.json::<Value>().await.unwrap()["role"], "pharmacist");
    let pharmacist = app.session_of(&email, PASSWORD).await;
    let claims = test_support::jwt::token_claims(&pharmacist.access_token);
    assert_eq!(claims["role"], "pharmacist");
    assert_problem(app.get("/users/", &pharmacist.access_token).await, 403).await;
    let self_made = app
        .register(&registration(&unique_email(), "pharmacist"))
        .await;
    let problem = assert_problem(self_made, 422).await;
    assert_eq!(error_fields(&problem), ["role"]);
}

#[tokio::test]
async fn only_admins_create_users() {
    let app = spawn_app().await;
    let doctor = app.signed_in("doctor").await;

    let res = app
        .client
        .post(app.url("/users/"))
        .bearer_auth(&doctor.access_token)
        .json(&registration(&unique_email(), "admin"))
        .send()
        .await
        .unwrap();

    assert_problem(res, 403).await;
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM users WHERE role = 'admin'"),
        0
    );
}

#[tokio::test]
async fn an_admin_disables_an_account_which_then_cannot_log_in_or_refresh() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let patient = app.signed_in("patient").await;

    let disabled = patch_user(&app, &admin, &patient.id, json!({ "disabled": true }))
        .await
        .unwrap();

    assert_eq!(disabled.status(), 200);
    assert_eq!(disabled.json::<Value>().await.unwrap()["disabled"], true);
    let login = app.login(&patient.email, PASSWORD).await;
    let wrong = app.login(&patient.email, "Wrong1Password").await;
    assert_eq!(
        assert_problem(login, 401).await,
        assert_problem(wrong, 401).await,
        "the same answer as a wrong password"
    );
    assert_problem(app.refresh(&patient.refresh_token).await, 401).await;
    let read = app
        .get(&format!("/users/{}", patient.id), &admin.access_token)
        .await;
    assert_eq!(read.json::<Value>().await.unwrap()["disabled"], true);

    let enabled = patch_user(&app, &admin, &patient.id, json!({ "disabled": false }))
        .await
        .unwrap();
    assert_eq!(enabled.status(), 200);
    assert_eq!(app.login(&patient.email, PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn an_admin_changes_a_role_but_cannot_lock_themself_out() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let doctor = app.signed_in("doctor").await;

    let promoted = patch_user(&app, &admin, &doctor.id, json!({ "role": "admin" }))
        .await
        .unwrap();
    let self_disable = patch_user(&app, &admin, &admin.id, json!({ "disabled": true }))
        .await
        .unwrap();
    let self_demote = patch_user(&app, &admin, &admin.id, json!({ "role": "doctor" }))
        .await
        .unwrap();
    let nonsense = patch_user(
        &app,
        &admin,
        &doctor.id,
        json!({ "role": "king", "disabled": "yes" }),
    )
    .await
    .unwrap();
    let missing = patch_user(
        &app,
        &admin,
        &uuid::Uuid::new_v4().to_string(),
        json!({ "disabled": true }),
    )
    .await
    .unwrap();

    assert_eq!(promoted.json::<Value>().await.unwrap()["role"], "admin");
    assert_problem(self_disable, 409).await;
    assert_problem(self_demote, 409).await;
    assert_eq!(
        error_fields(&assert_problem(nonsense, 422).await),
        ["disabled", "role"]
    );
    assert_problem(missing, 404).await;
}

#[tokio::test]
async fn only_admins_read_or_change_other_accounts() {
    let app = spawn_app().await;
    let patient = app.signed_in("patient").await;
    let other = app.signed_in("patient").await;

    let read = app
        .get(&format!("/users/{}", other.id), &patient.access_token)
        .await;
    let change = app
        .client
        .patch(app.url(&format!("/users/{}", other.id)))
        .bearer_auth(&patient.access_token)
        .json(&json!({ "disabled": true }))
        .send()
        .await
        .unwrap();

    assert_problem(read, 403).await;
    assert_problem(change, 403).await;
}

/// `PATCH /users/{id}` as `admin`.
async fn patch_user(
    app: &TestApp,
    admin: &Session,
    id: &str,
    body: serde_json::Value,
) -> reqwest::Result<reqwest::Response> {
    app.client
        .patch(app.url(&format!("/users/{id}")))
        .bearer_auth(&admin.access_token)
        .json(&body)
        .send()
        .await
}
