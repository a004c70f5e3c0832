//! Prescription events: written with the change, carrying ids, status and version, never
//! medicines or notes.

use crate::helpers::*;
use serde_json::json;
use test_support::db::TestDatabase;

#[tokio::test]
async fn creating_and_amending_write_their_events_without_medicines_or_notes() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let path = app.prescribed(&visit).await;
    let id = path.trim_start_matches("/prescriptions/").to_owned();

    let res = app
        .put(&path, &visit.doctor, &json!({ "notes": "after meals" }))
        .await;
    assert_eq!(res.status(), 200);
    let refused = app
        .prescribe(&visit.doctor, &prescription_for(&visit.appointment_id))
        .await;
    assert_eq!(refused.status(), 409, "a second prescription for the visit");

    let events = app.db.outbox();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["prescription.created", "prescription.amended"]);
    assert_eq!(events[0].data["prescription_id"], id.as_str());
    assert_eq!(
        events[0].data["appointment_id"],
        visit.appointment_id.as_str()
    );
    assert_eq!(events[0].data["patient_id"], visit.patient.id.to_string());
    assert_eq!(events[0].data["status"], "active");
    assert_eq!(events[1].data["version"], 2);
    for event in &events {
        let text = event.data.to_string();
        assert!(
            !text.contains("Amoxicillin") && !text.contains("meals") && !text.contains("food"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn with_nats_every_prescription_event_reaches_jetstream_on_its_subject() {
    let nats = test_support::nats::NatsServer::start().await;
    let url = nats.url();
    let app = spawn_app_from(
        TestDatabase::create(prescription_service::MIGRATIONS),
        reqwest::Client::new(),
        |_| {},
        |s| s.events.nats_url = Some(common::config::Secret::new(url)),
    )
    .await;
    let visit = app.visit().await;
    let path = app.prescribed(&visit).await;
    let res = app
        .put(&path, &visit.doctor, &json!({ "notes": "after meals" }))
        .await;
    assert_eq!(res.status(), 200);

    let consumer = nats.consumer("healthcare.prescription.>").await;
    let received = consumer
        .receive(2, std::time::Duration::from_secs(10))
        .await;
    let more = consumer.receive(1, std::time::Duration::from_secs(1)).await;
    assert!(more.is_empty(), "each once: {more:?}");
    let subjects: Vec<&str> = received.iter().map(|m| m.subject.as_str()).collect();
    assert_eq!(
        subjects,
        [
            "healthcare.prescription.prescription.created",
            "healthcare.prescription.prescription.amended"
        ]
    );
    for message in &received {
        assert_eq!(message.message_id.as_deref(), message.body["id"].as_str());
        assert!(!message.body.to_string().contains("meals"));
    }
}
