//! The prescription lifecycle: every legal and illegal move (the contract's table, each
//! edge), reasons, versions for each change, no amendment once final, who may move it.

use crate::helpers::*;
use common::Role;
use serde_json::{Value, json};

const ALL: [&str; 6] = [
    "active",
    "on_hold",
    "completed",
    "stopped",
    "cancelled",
    "entered_in_error",
];

/// The contract's table: from -> the statuses it may become.
fn legal(from: &str) -> &'static [&'static str] {
    match from {
        "active" => &[
            "on_hold",
            "completed",
            "stopped",
            "cancelled",
            "entered_in_error",
        ],
        "on_hold" => &["active", "stopped", "cancelled", "entered_in_error"],
        _ => &[],
    }
}

fn body(status: &str) -> Value {
    json!({ "status": status, "reason": format!("moving to {status}") })
}

async fn move_to(app: &TestApp, visit: &Visit, path: &str, status: &str) -> reqwest::Response {
    app.post(&format!("{path}/status"), &visit.doctor, &body(status))
        .await
}

/// A prescription brought to `status` by legal moves.
async fn prescription_in(app: &TestApp, status: &str) -> (Visit, String) {
    let visit = app.visit().await;
    let path = app.prescribed(&visit).await;
    // Every other status is one move from active.
    if status != "active" {
        let res = move_to(app, &visit, &path, status).await;
        assert_eq!(res.status(), 200, "to {status}");
    }
    (visit, path)
}

async fn status_of(app: &TestApp, visit: &Visit, path: &str) -> Value {
    app.get(path, &visit.doctor).await.json().await.unwrap()
}

#[tokio::test]
async fn every_legal_move_answers_200_and_every_illegal_one_409() {
    let app = spawn_app().await;
    for from in ALL {
        // The illegal moves, all on one prescription: each 409 and nothing changes.
        let (visit, path) = prescription_in(&app, from).await;
        let before = status_of(&app, &visit, &path).await;
        for to in ALL.iter().filter(|to| !legal(from).contains(to)) {
            let problem = assert_problem(move_to(&app, &visit, &path, to).await, 409).await;
            assert!(
                problem["detail"].as_str().unwrap().contains(from),
                "{from} -> {to}: {problem}"
            );
        }
        assert_eq!(status_of(&app, &visit, &path).await, before, "{from}");
        // Each legal move on a prescription of its own.
        for to in legal(from) {
            let (visit, path) = prescription_in(&app, from).await;
            let res = move_to(&app, &visit, &path, to).await;
            assert_eq!(res.status(), 200, "{from} -> {to}");
            let moved: Value = res.json().await.unwrap();
            assert_eq!(moved["status"], *to);
            assert_eq!(moved["status_reason"], format!("moving to {to}"));
            assert_eq!(status_of(&app, &visit, &path).await["status"], *to);
        }
    }
}

#[tokio::test]
async fn each_change_is_a_version_and_a_final_prescription_cannot_be_amended() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let path = app.prescribed(&visit).await;

    assert_eq!(
        app.post(
            &format!("{path}/status"),
            &visit.doctor,
            &json!({ "status": "on_hold" })
        )
        .await
        .status(),
        200,
        "no reason needed to pause"
    );
    let amended = app
        .put(&path, &visit.doctor, &json!({ "notes": "while paused" }))
        .await;
    assert_eq!(amended.status(), 200, "on hold may be amended");
    assert_eq!(amended.json::<Value>().await.unwrap()["status"], "on_hold");
    assert_eq!(move_to(&app, &visit, &path, "active").await.status(), 200);
    assert_eq!(move_to(&app, &visit, &path, "stopped").await.status(), 200);

    let versions: Vec<Value> = app
        .get(&format!("{path}/versions"), &visit.patient)
        .await
        .json()
        .await
        .unwrap();
    let statuses: Vec<&str> = versions
        .iter()
        .map(|v| v["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["active", "on_hold", "on_hold", "active", "stopped"]
    );
    let numbers: Vec<i64> = versions
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5]);
    assert_eq!(versions[4]["status_reason"], "moving to stopped");
    assert_eq!(versions[4]["notes"], "while paused", "content carried over");
    assert!(versions[0]["status_reason"].is_null());

    assert_problem(
        app.put(&path, &visit.doctor, &json!({ "notes": "too late" }))
            .await,
        409,
    )
    .await;
    assert_eq!(app.count("prescription_versions"), 5, "nothing written");
    let kinds = app.db.event_types();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| *k == "prescription.status_changed")
            .count(),
        3
    );
}

#[tokio::test]
async fn a_reason_is_required_to_stop_cancel_or_mark_in_error_and_the_status_must_be_known() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let path = app.prescribed(&visit).await;

    for status in ["stopped", "cancelled", "entered_in_error"] {
        for reason in [json!(null), json!(""), json!("   ")] {
            let res = app
                .post(
                    &format!("{path}/status"),
                    &visit.doctor,
                    &json!({ "status": status, "reason": reason }),
                )
                .await;
            let problem = assert_problem(res, 422).await;
            assert_eq!(error_fields(&problem), ["reason"], "{status} {reason}");
        }
    }
    for bad in [json!("paused"), json!(7), json!(null)] {
        let res = app
            .post(
                &format!("{path}/status"),
                &visit.doctor,
                &json!({ "status": bad }),
            )
            .await;
        let problem = assert_problem(res, 422).await;
        assert_eq!(error_fields(&problem), ["status"], "{bad}");
    }
    let long = "x".repeat(501);
    let problem = assert_problem(
        app.post(
            &format!("{path}/status"),
            &visit.doctor,
            &json!({ "status": "stopped", "reason": long }),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(error_fields(&problem), ["reason"]);
    assert_eq!(app.count("prescription_versions"), 1);
}

#[tokio::test]
async fn only_its_doctor_moves_a_prescription() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let path = app.prescribed(&visit).await;
    let status = format!("{path}/status");

    assert_problem(
        app.post(&status, &visit.patient, &body("stopped")).await,
        403,
    )
    .await;
    assert_problem(
        app.post(&status, &caller(Role::Admin), &body("stopped"))
            .await,
        403,
    )
    .await;
    assert_problem(
        app.post(&status, &caller(Role::Doctor), &body("stopped"))
            .await,
        404,
    )
    .await;
    assert_problem(
        app.post(
            &format!("/prescriptions/{}/status", uuid::Uuid::new_v4()),
            &visit.doctor,
            &body("stopped"),
        )
        .await,
        404,
    )
    .await;
    assert_eq!(app.count("prescription_versions"), 1);
    let events = app.audited("prescription.status_change").await;
    assert!(events.is_empty(), "{events:?}");
}

#[tokio::test]
async fn a_status_change_is_audited_and_published_with_the_status_it_left() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let path = app.prescribed(&visit).await;
    assert_eq!(
        move_to(&app, &visit, &path, "completed").await.status(),
        200
    );

    let events = app.audited("prescription.status_change").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["actor_id"], visit.doctor.id.to_string());
    assert_eq!(events[0]["patient_id"], visit.patient.id.to_string());
    let data = app
        .db
        .outbox()
        .pop()
        .map(|event| event.data)
        .unwrap_or_default();
    assert_eq!(data["status"], "completed");
    assert_eq!(data["previous_status"], "active");
    assert_eq!(data["version"], 2);
    assert!(
        !data.to_string().contains("moving to"),
        "no free text: {data}"
    );
}
