use crate::helpers::*;
use common::Role;
use serde_json::{Value, json};

#[tokio::test]
async fn amending_writes_version_two_and_version_one_stays_as_it_was() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let path = app.prescribed(&visit).await;
    let original: Value = app.get(&path, &visit.patient).await.json().await.unwrap();

    let res = app
        .put(
            &path,
            &visit.doctor,
            &json!({ "medicines": [medicine("Azithromycin")] }),
        )
        .await;

    assert_eq!(res.status(), 200);
    let amended: Value = res.json().await.unwrap();
    assert_eq!(amended["version"], 2);
    assert_eq!(amended["medicines"][0]["name"], "Azithromycin");
    assert_eq!(
        amended["notes"], "take with food",
        "untouched fields carry over"
    );
    assert_eq!(
        app.get(&path, &visit.patient)
            .await
            .json::<Value>()
            .await
            .unwrap(),
        amended
    );
    let versions: Vec<Value> = app
        .get(&format!("{path}/versions"), &visit.patient)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0], original, "version 1 is exactly what it was");
    assert_eq!(versions[1], amended);
}

#[tokio::test]
async fn the_history_cannot_be_rewritten_even_in_sql() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    app.prescribed(&visit).await;
    let mut conn = app.db.connect();

    let update = diesel::RunQueryDsl::execute(
        diesel::sql_query("UPDATE prescription_versions SET notes = 'forged'"),
        &mut conn,
    );
    let delete = diesel::RunQueryDsl::execute(
        diesel::sql_query("DELETE FROM prescription_versions"),
        &mut conn,
    );

    assert!(update.is_err());
    assert!(delete.is_err());
    assert_eq!(app.count("prescription_versions"), 1);
}

#[tokio::test]
async fn only_the_prescribing_doctor_amends() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let path = app.prescribed(&visit).await;
    let other_doctor = app.visit().await.doctor;
    let change = json!({ "notes": "changed" });

    assert_problem(app.put(&path, &visit.patient, &change).await, 403).await;
    assert_problem(app.put(&path, &caller(Role::Admin), &change).await, 403).await;
    assert_problem(app.put(&path, &other_doctor, &change).await, 404).await;
    let approval_withdrawn = Caller {
        id: visit.doctor.id,
        token: test_support::jwt::unapproved_doctor_token(visit.doctor.id),
    };
    assert_problem(app.put(&path, &approval_withdrawn, &change).await, 403).await;
    let current: Value = app.get(&path, &visit.patient).await.json().await.unwrap();
    assert_eq!(
        (current["version"].as_i64(), current["notes"].as_str()),
        (Some(1), Some("take with food"))
    );
}

#[tokio::test]
async fn an_invalid_amendment_is_422_and_writes_nothing() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let path = app.prescribed(&visit).await;

    let res = app
        .put(
            &path,
            &visit.doctor,
            &json!({ "medicines": [{ "name": "x" }] }),
        )
        .await;

    assert_eq!(
        error_fields(&assert_problem(res, 422).await),
        ["medicines[0].dosage", "medicines[0].duration"]
    );
    assert_eq!(app.count("prescription_versions"), 1);
}

#[tokio::test]
async fn concurrent_amendments_get_distinct_versions() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let path = app.prescribed(&visit).await;

    let bodies: Vec<Value> = (0..5)
        .map(|i| json!({ "notes": format!("revision {i}") }))
        .collect();
    let amendments = bodies
        .iter()
        .map(|body| app.put(&path, &visit.doctor, body));
    let statuses: Vec<u16> = futures_util::future::join_all(amendments)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();

    assert_eq!(statuses, [200; 5]);
    let versions: Vec<Value> = app
        .get(&format!("{path}/versions"), &visit.doctor)
        .await
        .json()
        .await
        .unwrap();
    let numbers: Vec<i64> = versions
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5, 6]);
}
