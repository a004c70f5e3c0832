//! A cancelled visit cancels its prescription: appointment-service delivers
//! `appointment.cancelled` / `appointment.no_show` as signed webhooks to prescription-service
//! (both real, in-process), which cancels the visit's prescription once, however often the
//! event comes.

use crate::helpers::*;
use common::events::settings::NotifyTarget;
use serde_json::{Value, json};
use std::time::Duration;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// Both services, appointment-service keeping a subscription to prescription-service's
/// inbox (on a port picked before either starts).
async fn linked() -> TestApp {
    let port = test_support::nats::free_port();
    spawn_app_from(
        test_support::db::TestDatabase::create(prescription_service::MIGRATIONS),
        reqwest::Client::new(),
        |a| {
            a.events.prescriptions = Some(NotifyTarget {
                url: format!("http://127.0.0.1:{port}/internal/events"),
                secret: common::config::Secret::new(SECRET),
            });
        },
        |p| {
            p.http.port = port;
            p.inbox_secret = Some(common::config::Secret::new(SECRET));
        },
    )
    .await
}

async fn status_of(app: &TestApp, path: &str, who: &Caller) -> Value {
    app.get(path, who).await.json().await.unwrap()
}

async fn cancelled_within(app: &TestApp, path: &str, who: &Caller) -> bool {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        if status_of(app, path, who).await["status"] == "cancelled" {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// Posts `event` to the inbox as appointment-service would, signed with `secret`.
async fn deliver(app: &TestApp, event: &Value, secret: &str) -> reqwest::Response {
    let body = serde_json::to_vec(event).unwrap();
    let id = event["id"].as_str().unwrap();
    let timestamp = chrono::Utc::now().timestamp();
    let signature = common::events::signing::signature(secret, id, timestamp, &body).unwrap();
    app.client
        .post(format!("{}/internal/events", app.address))
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await
        .unwrap()
}

fn event(kind: &str, appointment_id: &str) -> Value {
    json!({
        "id": uuid::Uuid::now_v7(), "type": kind, "occurred_at": chrono::Utc::now(),
        "data": { "appointment_id": appointment_id, "status": "cancelled" }
    })
}

#[tokio::test]
async fn cancelling_the_visit_cancels_its_prescription_once_as_a_new_version() {
    let app = linked().await;
    let visit = app.visit().await;
    let path = app.prescribed(&visit).await;

    let res = app
        .client
        .delete(format!(
            "{}/appointments/{}",
            app.appointments_address, visit.appointment_id
        ))
        .bearer_auth(&visit.patient.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(cancelled_within(&app, &path, &visit.patient).await);

    let shown = status_of(&app, &path, &visit.doctor).await;
    assert_eq!(shown["status_reason"], "appointment cancelled");
    assert_eq!(shown["version"], 2);
    assert_problem(
        app.put(&path, &visit.doctor, &json!({ "notes": "too late" }))
            .await,
        409,
    )
    .await;
    let events = app.audited("prescription.status_change").await;
    assert_eq!(events.len(), 1);
    assert!(events[0]["actor_id"].is_null(), "the system's doing");
    assert_eq!(
        app.db
            .event_types()
            .iter()
            .filter(|t| *t == "prescription.status_changed")
            .count(),
        1
    );

    // Redelivered, twice at once: nothing more happens.
    let again = event("appointment.cancelled", &visit.appointment_id);
    let (first, second) =
        tokio::join!(deliver(&app, &again, SECRET), deliver(&app, &again, SECRET));
    assert_eq!(
        (first.status().as_u16(), second.status().as_u16()),
        (204, 204)
    );
    assert_eq!(app.count("prescription_versions"), 2);
    let verified: Value = app
        .client
        .get(format!("{}{path}/verify", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(verified["valid"], true, "the new version is signed too");
}

#[tokio::test]
async fn a_missed_visit_cancels_it_too_and_a_reported_visit_cannot_be_prescribed_for() {
    let app = linked().await;
    let visit = app.visit().await;
    let path = app.prescribed(&visit).await;
    let res = deliver(
        &app,
        &event("appointment.no_show", &visit.appointment_id),
        SECRET,
    )
    .await;
    assert_eq!(res.status(), 204);
    let shown = status_of(&app, &path, &visit.doctor).await;
    assert_eq!(shown["status"], "cancelled");
    assert_eq!(shown["status_reason"], "appointment cancelled");

    // Reported before anyone prescribed: the prescription is refused.
    let early = app.visit().await;
    let res = deliver(
        &app,
        &event("appointment.cancelled", &early.appointment_id),
        SECRET,
    )
    .await;
    assert_eq!(res.status(), 204);
    assert_problem(
        app.prescribe(&early.doctor, &prescription_for(&early.appointment_id))
            .await,
        409,
    )
    .await;

    // Other types change nothing.
    let other = app.visit().await;
    let other_path = app.prescribed(&other).await;
    let res = deliver(
        &app,
        &event("appointment.rescheduled", &other.appointment_id),
        SECRET,
    )
    .await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        status_of(&app, &other_path, &other.doctor).await["status"],
        "active"
    );
}

#[tokio::test]
async fn the_inbox_takes_only_deliveries_signed_with_the_shared_secret() {
    let app = linked().await;
    let visit = app.visit().await;
    let path = app.prescribed(&visit).await;
    let forged = event("appointment.cancelled", &visit.appointment_id);

    let unsigned = app
        .client
        .post(format!("{}/internal/events", app.address))
        .json(&forged)
        .send()
        .await
        .unwrap();
    assert_problem(unsigned, 401).await;
    let other_secret = common::events::signing::generate_secret().unwrap();
    assert_problem(deliver(&app, &forged, &other_secret).await, 401).await;
    let not_an_event = deliver(&app, &json!({ "id": "x" }), SECRET).await;
    assert_problem(not_an_event, 422).await;
    assert_eq!(
        status_of(&app, &path, &visit.doctor).await["status"],
        "active"
    );
}
