use crate::helpers::*;
use serde_json::{Value, json};

#[tokio::test]
async fn registering_a_patient_returns_201_with_the_user_and_no_password() {
    let app = spawn_app().await;
    let email = unique_email();

    let res = app.register(&registration(&email, "patient")).await;

    assert_eq!(res.status(), 201);
    let user: Value = res.json().await.unwrap();
    let keys: Vec<&str> = user
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = vec![
        "approved",
        "birth_date",
        "created_at",
        "disabled",
        "email",
        "email_verified",
        "first_name",
        "id",
        "last_name",
        "notifications",
        "phone",
        "role",
        "sex",
    ];
    expected.sort();
    let mut keys = keys;
    keys.sort();
    assert_eq!(keys, expected, "exactly the user fields, never a hash");
    assert_eq!(user["email"], email);
    assert_eq!(user["role"], "patient");
    assert_eq!(
        user["notifications"],
        serde_json::json!({ "email": true }),
        "mail on by default"
    );
    assert!(uuid::Uuid::parse_str(user["id"].as_str().unwrap()).is_ok());
    assert!(user["created_at"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn a_doctor_may_register_but_admin_is_refused_on_role() {
    let app = spawn_app().await;

    let doctor = app.register(&registration(&unique_email(), "doctor")).await;
    let admin = app.register(&registration(&unique_email(), "admin")).await;
    let nonsense = app
        .register(&registration(&unique_email(), "superuser"))
        .await;

    assert_eq!(doctor.status(), 201);
    assert_eq!(error_fields(&assert_problem(admin, 422).await), ["role"]);
    assert_eq!(error_fields(&assert_problem(nonsense, 422).await), ["role"]);
}

#[tokio::test]
async fn a_taken_email_is_409_whatever_its_case_or_spacing() {
    let app = spawn_app().await;
    let email = unique_email();
    assert_eq!(
        app.register(&registration(&email, "patient"))
            .await
            .status(),
        201
    );

    let same = app.register(&registration(&email, "doctor")).await;
    let shouted = app
        .register(&registration(
            &format!("  {}  ", email.to_uppercase()),
            "patient",
        ))
        .await;

    assert_problem(same, 409).await;
    assert_problem(shouted, 409).await;
}

#[tokio::test]
async fn each_password_rule_is_reported_on_password() {
    let app = spawn_app().await;
    let too_long = format!("Aa1{}", "x".repeat(126));
    for bad in [
        "Sh0rt",
        "alllower123",
        "ALLUPPER123",
        "NoDigitsHere",
        too_long.as_str(),
    ] {
        let mut body = registration(&unique_email(), "patient");
        body["password"] = json!(bad);

        let res = app.register(&body).await;

        let problem = assert_problem(res, 422).await;
        assert_eq!(error_fields(&problem), ["password"], "password {bad:?}");
    }
}

#[tokio::test]
async fn passwords_of_8_and_128_characters_are_accepted() {
    let app = spawn_app().await;
    for good in ["Abcdef12".to_owned(), format!("Aa1{}", "x".repeat(125))] {
        let mut body = registration(&unique_email(), "patient");
        body["password"] = json!(good);

        let res = app.register(&body).await;

        assert_eq!(res.status(), 201, "length {}", good.len());
    }
}

#[tokio::test]
async fn a_malformed_email_is_422_on_email() {
    let app = spawn_app().await;
    for bad in [
        "not-an-email",
        "a@b",
        "@example.com",
        "two words@example.com",
    ] {
        let res = app.register(&registration(bad, "patient")).await;
        assert_eq!(
            error_fields(&assert_problem(res, 422).await),
            ["email"],
            "{bad:?}"
        );
    }
}

#[tokio::test]
async fn names_must_be_1_to_100_characters() {
    let app = spawn_app().await;
    let mut empty = registration(&unique_email(), "patient");
    empty["first_name"] = json!("   ");
    let mut long = registration(&unique_email(), "patient");
    long["last_name"] = json!("x".repeat(101));
    let mut longest = registration(&unique_email(), "patient");
    longest["last_name"] = json!("x".repeat(100));

    assert_eq!(
        error_fields(&assert_problem(app.register(&empty).await, 422).await),
        ["first_name"]
    );
    assert_eq!(
        error_fields(&assert_problem(app.register(&long).await, 422).await),
        ["last_name"]
    );
    assert_eq!(app.register(&longest).await.status(), 201);
}

#[tokio::test]
async fn every_bad_field_is_reported_at_once() {
    let app = spawn_app().await;

    let res = app
        .register(&json!({ "email": 42, "password": "weak", "role": "admin" }))
        .await;

    let problem = assert_problem(res, 422).await;
    let mut fields = error_fields(&problem);
    fields.sort();
    assert_eq!(
        fields,
        ["email", "first_name", "last_name", "password", "role"]
    );
}

#[tokio::test]
async fn malformed_json_and_wrong_content_type_are_400() {
    let app = spawn_app().await;

    let broken = app
        .client
        .post(app.url("/auth/register"))
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .unwrap();
    let as_text = app
        .client
        .post(app.url("/auth/register"))
        .header("content-type", "text/plain")
        .body(registration(&unique_email(), "patient").to_string())
        .send()
        .await
        .unwrap();

    assert_problem(broken, 400).await;
    assert_problem(as_text, 400).await;
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_413() {
    let app = spawn_app().await;
    let mut body = registration(&unique_email(), "patient");
    body["first_name"] = json!("x".repeat(1024 * 1024 + 1));

    let res = app.register(&body).await;

    assert_problem(res, 413).await;
}

#[tokio::test]
async fn a_retry_with_the_same_idempotency_key_replays_the_first_answer() {
    let app = spawn_app().await;
    let body = registration(&unique_email(), "patient");
    let send = |body: Value| {
        app.client
            .post(app.url("/auth/register"))
            .header("Idempotency-Key", "signup-123")
            .json(&body)
            .send()
    };

    let first = send(body.clone()).await.unwrap();
    let first_status = first.status();
    let first_body: Value = first.json().await.unwrap();
    let retry = send(body.clone()).await.unwrap();

    assert_eq!(first_status, 201);
    assert_eq!(retry.status(), 201);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(retry.json::<Value>().await.unwrap(), first_body);
    let users = app.db.count("SELECT count(*) AS n FROM users");
    assert_eq!(users, 1, "the retry created nothing");
}

#[tokio::test]
async fn the_same_idempotency_key_with_another_body_is_422() {
    let app = spawn_app().await;
    let send = |body: Value| {
        app.client
            .post(app.url("/auth/register"))
            .header("Idempotency-Key", "signup-456")
            .json(&body)
            .send()
    };
    assert_eq!(
        send(registration(&unique_email(), "patient"))
            .await
            .unwrap()
            .status(),
        201
    );

    let other = send(registration(&unique_email(), "patient"))
        .await
        .unwrap();

    let problem = assert_problem(other, 422).await;
    assert_eq!(error_fields(&problem), ["Idempotency-Key"]);
    assert_eq!(app.db.count("SELECT count(*) AS n FROM users"), 1);
}

#[tokio::test]
async fn names_with_bidi_overrides_separators_or_zero_width_characters_are_422() {
    let app = spawn_app().await;

    for hidden in ["\u{202E}", "\u{2066}", "\u{2028}", "\u{2029}", "\u{200B}"] {
        let mut body = registration(&unique_email(), "doctor");
        body["last_name"] = json!(format!("House{hidden}Dr"));
        let res = app.register(&body).await;
        assert_eq!(
            error_fields(&assert_problem(res, 422).await),
            ["last_name"],
            "{hidden:?}"
        );
    }
}
