//! auth-service's inbox of appointment-service's signed events: an event about a patient
//! this service does not know is taken and changes nothing (never a 500, which would make
//! the sender retry it for ever).

use crate::helpers::*;
use common::config::Secret;
use serde_json::{Value, json};

const SECRET: &str = "whsec_dGVzdCBub3RpZmljYXRpb25zIHNlY3JldCBvZiAzMiBieXRlcw==";

async fn deliver(app: &TestApp, event: &Value) -> reqwest::Response {
    let body = serde_json::to_vec(event).unwrap();
    let id = event["id"].as_str().unwrap();
    let timestamp = chrono::Utc::now().timestamp();
    let signature = common::events::signing::signature(SECRET, id, timestamp, &body).unwrap();
    app.client
        .post(app.url("/internal/events"))
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_signed_event_about_an_unknown_patient_is_taken_and_changes_nothing() {
    let app = spawn_app_with(|s| s.notifications.webhook_secret = Some(Secret::new(SECRET))).await;
    let start = chrono::Utc::now() + chrono::Duration::days(7);
    let data = json!({
        "appointment_id": uuid::Uuid::new_v4(), "patient_id": uuid::Uuid::new_v4(),
        "doctor_id": uuid::Uuid::new_v4(), "start": start,
        "end": start + chrono::Duration::minutes(30), "status": "booked",
        "timezone": "Europe/Berlin", "location": "Köln Süd",
    });

    for kind in [
        "appointment.booked",
        "appointment.rescheduled",
        "appointment.cancelled",
    ] {
        let event = json!({
            "id": uuid::Uuid::now_v7(), "type": kind,
            "occurred_at": chrono::Utc::now(), "data": data,
        });
        let res = deliver(&app, &event).await;
        assert_eq!(res.status(), 204, "{kind}");
    }

    assert_eq!(app.db.count("SELECT count(*) AS n FROM reminders"), 0);
    assert_eq!(app.db.count("SELECT count(*) AS n FROM mail_outbox"), 0);
}
