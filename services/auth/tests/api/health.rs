use crate::helpers::*;
use serde_json::{Value, json};

#[tokio::test]
async fn health_answers_ok_with_the_service_name() {
    let app = spawn_app().await;

    let res = app.client.get(app.url("/health")).send().await.unwrap();

    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({ "status": "ok", "service": "auth-service" })
    );
}

#[tokio::test]
async fn readiness_follows_the_database() {
    let app = spawn_app().await;
    assert_eq!(
        app.client
            .get(app.url("/health/ready"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    let mut admin =
        <diesel::PgConnection as diesel::Connection>::establish(&test_support::db::admin_url())
            .unwrap();
    diesel::RunQueryDsl::execute(
        diesel::sql_query(format!(r#"DROP DATABASE "{}" WITH (FORCE)"#, app.db.name)),
        &mut admin,
    )
    .unwrap();

    let res = app
        .client
        .get(app.url("/health/ready"))
        .send()
        .await
        .unwrap();
    assert_problem(res, 503).await;
    assert_eq!(
        app.client
            .get(app.url("/health"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_process_time() {
    let app = spawn_app().await;

    let echoed = app
        .client
        .get(app.url("/health"))
        .header("x-request-id", "trace-abc-123")
        .send()
        .await
        .unwrap();
    let generated = app
        .client
        .get(app.url("/no/such/route"))
        .send()
        .await
        .unwrap();

    assert_eq!(echoed.headers()["x-request-id"], "trace-abc-123");
    let seconds: f64 = echoed.headers()["x-process-time"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(seconds >= 0.0);
    assert!(!generated.headers()["x-request-id"].is_empty());
    assert_eq!(generated.headers()["x-content-type-options"], "nosniff");
    assert_problem(generated, 404).await;
}

#[tokio::test]
async fn a_known_path_with_the_wrong_method_is_a_405_problem_naming_the_allowed_ones() {
    let app = spawn_app().await;

    let res = app
        .client
        .delete(app.url("/users/profile"))
        .send()
        .await
        .unwrap();

    assert_eq!(res.headers()["allow"], "GET, HEAD, PUT");
    assert_problem(res, 405).await;
}
