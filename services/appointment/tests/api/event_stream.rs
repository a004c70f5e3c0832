//! With `NATS_URL` set, every outbox event reaches JetStream on a real nats-server started
//! by the test: once, in order per appointment, from two replicas and across a relay
//! restart; a broker that is down delays the events, never a request.

use crate::helpers::*;
use chrono::{Duration, Weekday};
use common::Role;
use std::time::Duration as StdDuration;
use test_support::db::TestDatabase;
use test_support::nats::{NatsServer, Published, free_port, url};

const SUBJECTS: &str = "healthcare.appointment.>";

fn relaying(app: &TestApp) -> appointment_service::Settings {
    test_settings(&app.db)
}

fn with_nats(
    mut settings: appointment_service::Settings,
    port: u16,
) -> appointment_service::Settings {
    settings.events.nats_url = Some(common::config::Secret::new(url(port)));
    settings
}

/// Each message's subject and id match its event, and the body is the webhook body.
fn assert_is_event(message: &Published) {
    let kind = message.body["type"].as_str().unwrap();
    assert_eq!(message.subject, format!("healthcare.appointment.{kind}"));
    assert_eq!(
        message.message_id.as_deref(),
        message.body["id"].as_str(),
        "Nats-Msg-Id is the event id"
    );
    assert!(message.body["data"]["appointment_id"].is_string());
    assert!(message.body["occurred_at"].is_string());
}

fn ids(messages: &[Published]) -> Vec<String> {
    messages
        .iter()
        .map(|m| m.body["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn every_event_reaches_jetstream_once_in_order_from_two_replicas_and_across_a_restart() {
    let nats = NatsServer::start().await;
    let app =
        spawn_app_with(|s| s.events.nats_url = Some(common::config::Secret::new(nats.url()))).await;
    let replica = start(
        with_nats(relaying(&app), nats.port),
        TestDatabase::create_empty(),
    )
    .await;
    let consumer = nats.consumer(SUBJECTS).await;
    let doctor = app.seed_doctor(Hours {
        max_daily_bookings_per_patient: 48,
        ..Hours::default()
    });
    let monday = next(Weekday::Mon);
    let instances = [&app, &replica];
    let patient = caller(Role::Patient);
    for i in 0..6 {
        let instance = instances[i % 2];
        let start = at(monday, "09:00") + Duration::minutes(30 * i64::try_from(i).unwrap());
        let id = instance.booked(&patient, doctor.id, start).await;
        // The other replica cancels it: one appointment's events come from both.
        let res = instances[(i + 1) % 2]
            .delete(&format!("/appointments/{id}"), &patient)
            .await;
        assert_eq!(res.status(), 200);
    }

    let received = consumer.receive(12, StdDuration::from_secs(15)).await;
    let written = app.db.outbox();
    assert_eq!(written.len(), 12);
    assert_eq!(received.len(), 12, "every event: {received:?}");
    received.iter().for_each(assert_is_event);
    let mut unique = ids(&received);
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 12, "none twice");
    for appointment in received.iter().map(|m| &m.body["data"]["appointment_id"]) {
        let kinds: Vec<&str> = received
            .iter()
            .filter(|m| &m.body["data"]["appointment_id"] == appointment)
            .map(|m| m.body["type"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["appointment.booked", "appointment.cancelled"]);
    }

    // Both relays stop; an instance without NATS keeps taking bookings meanwhile.
    app.stop();
    replica.stop();
    let quiet = start(relaying(&app), TestDatabase::create_empty()).await;
    let later = quiet.booked(&patient, doctor.id, at(monday, "14:00")).await;
    // A relay that died after JetStream's acknowledgement but before its commit: the
    // event is still unpublished in the outbox and will be sent again.
    {
        use diesel::RunQueryDsl;
        let mut conn = app.db.connect();
        diesel::sql_query(
            "UPDATE outbox_events SET published_at = NULL \
             WHERE seq = (SELECT max(seq) FROM outbox_events WHERE published_at IS NOT NULL)",
        )
        .execute(&mut conn)
        .unwrap();
    }
    assert!(
        consumer
            .receive(1, StdDuration::from_secs(2))
            .await
            .is_empty(),
        "nothing is relayed while no relay runs"
    );

    let _restarted = start(
        with_nats(relaying(&app), nats.port),
        TestDatabase::create_empty(),
    )
    .await;
    let after = consumer.receive(2, StdDuration::from_secs(6)).await;
    assert_eq!(
        after.len(),
        1,
        "only the new event; the repeat is dropped: {after:?}"
    );
    assert_is_event(&after[0]);
    assert_eq!(after[0].body["data"]["appointment_id"], later.as_str());
    assert_eq!(after[0].body["type"], "appointment.booked");
}

#[tokio::test]
async fn a_nats_server_that_is_down_delays_the_events_never_a_request() {
    let port = free_port();
    let app =
        spawn_app_with(|s| s.events.nats_url = Some(common::config::Secret::new(url(port)))).await;
    let doctor = app.seed_doctor(Hours::default());
    let monday = next(Weekday::Mon);

    let res = app
        .book(&caller(Role::Patient), doctor.id, at(monday, "09:00"))
        .await;
    assert_eq!(res.status(), 201);
    tokio::time::sleep(StdDuration::from_secs(2)).await;

    let nats = NatsServer::on_port(port).await;
    let consumer = nats.consumer(SUBJECTS).await;
    let received = consumer.receive(1, StdDuration::from_secs(15)).await;
    assert_eq!(received.len(), 1);
    assert_is_event(&received[0]);
    assert_eq!(received[0].body["type"], "appointment.booked");
    assert_eq!(ids(&received), vec![app.db.outbox()[0].id.clone()]);
}
