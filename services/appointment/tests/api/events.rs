//! Events in the outbox with their changes, and signed webhook deliveries to a real HTTP
//! receiver started by the test.

use crate::helpers::*;
use base64::Engine;
use chrono::{Duration, Utc, Weekday};
use common::Role;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use std::time::Duration as StdDuration;
use test_support::webhook_receiver::{Received, Receiver};

#[tokio::test]
async fn every_appointment_event_is_written_with_its_change_and_only_then() {
    let app = spawn_app_with(|s| s.holds.ttl = StdDuration::from_secs(1)).await;
    let doctor = app.seed_doctor(Hours::default());
    let patient = caller(Role::Patient);
    let monday = next(Weekday::Mon);

    let booked = app.booked(&patient, doctor.id, at(monday, "09:00")).await;
    app.put(
        &format!("/appointments/{booked}"),
        &patient,
        &json!({ "appointment_time": rfc3339(at(monday, "09:30")) }),
    )
    .await;
    app.delete(&format!("/appointments/{booked}"), &patient)
        .await;
    let held: Value = app
        .hold(&patient, doctor.id, at(monday, "10:00"))
        .await
        .json()
        .await
        .unwrap();
    app.confirm(&patient, held["id"].as_str().unwrap()).await;
    let past = Utc::now() - Duration::days(1);
    let done = app.seed_appointment(patient.id, doctor.id, past, "booked");
    let missed = app.seed_appointment(
        caller(Role::Patient).id,
        doctor.id,
        past + Duration::hours(1),
        "booked",
    );
    app.put(
        &format!("/appointments/{done}"),
        &doctor,
        &json!({ "status": "completed" }),
    )
    .await;
    app.put(
        &format!("/appointments/{missed}"),
        &doctor,
        &json!({ "status": "no_show" }),
    )
    .await;
    app.hold(&patient, doctor.id, at(monday, "11:00")).await;
    // Refused changes write nothing: an overlap, a third booking that day, a bad field.
    let before = app.db.event_types().len();
    assert_eq!(
        app.book(&caller(Role::Patient), doctor.id, at(monday, "10:00"))
            .await
            .status(),
        409
    );
    assert_eq!(
        app.book(&patient, doctor.id, at(monday, "14:00"))
            .await
            .status(),
        409
    );
    assert_eq!(
        app.book(&patient, doctor.id, at(monday, "03:00"))
            .await
            .status(),
        422
    );
    assert_eq!(app.db.event_types().len(), before);

    let all_there = eventually(StdDuration::from_secs(5), || async {
        app.db
            .event_types()
            .contains(&"appointment.expired".to_owned())
    })
    .await;

    assert!(
        all_there,
        "the lapsed hold's event: {:?}",
        app.db.event_types()
    );
    assert_eq!(
        app.db.event_types(),
        [
            "appointment.booked",
            "appointment.rescheduled",
            "appointment.cancelled",
            "appointment.held",
            "appointment.confirmed",
            "appointment.completed",
            "appointment.no_show",
            "appointment.held",
            "appointment.expired",
        ]
    );
}

#[tokio::test]
async fn a_waitlist_offer_is_an_event() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let monday = next(Weekday::Mon);
    let booker = caller(Role::Patient);
    let booked = app.booked(&booker, doctor.id, at(monday, "10:00")).await;
    let waiting = caller(Role::Patient);
    let window = json!({ "doctor_id": doctor.id, "earliest": rfc3339(at(monday, "00:00")), "latest": rfc3339(at(monday, "23:00")) });
    assert_eq!(app.post("/waitlist", &waiting, &window).await.status(), 201);

    app.delete(&format!("/appointments/{booked}"), &booker)
        .await;

    let offered = eventually(StdDuration::from_secs(5), || async {
        app.db
            .event_types()
            .contains(&"waitlist.offered".to_owned())
    })
    .await;
    assert!(offered, "{:?}", app.db.event_types());
}

/// `v1,<base64 HMAC-SHA256(key, "id.timestamp.body")>`, computed here from the secret, not
/// with the service's signer.
fn verifies(secret: &str, received: &Received) -> bool {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.", received.id, received.timestamp).as_bytes());
    mac.update(&received.body);
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    received.signature == format!("v1,{expected}")
}

async fn subscribe(app: &TestApp, url: &str, events: &[&str]) -> Value {
    let res = app
        .post(
            "/admin/webhooks",
            &caller(Role::Admin),
            &json!({ "url": url, "events": events, "description": "EHR" }),
        )
        .await;
    assert_eq!(res.status(), 201);
    res.json().await.unwrap()
}

#[tokio::test]
async fn a_subscriber_receives_a_signed_delivery_without_notes() {
    let app = spawn_app().await;
    let receiver = Receiver::start(&[]).await;
    let created = subscribe(&app, &receiver.url, &["appointment.booked"]).await;
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    let doctor = app.seed_doctor(Hours::default());
    let patient = caller(Role::Patient);
    let body = json!({ "doctor_id": doctor.id, "appointment_time": rfc3339(at(next(Weekday::Mon), "10:00")), "notes": "private worry" });
    let booked: Value = app.book_body(&patient, &body).await.json().await.unwrap();

    assert!(
        eventually(StdDuration::from_secs(5), || async {
            !receiver.received().is_empty()
        })
        .await
    );

    let delivery = &receiver.received()[0];
    assert!(
        verifies(&secret, delivery),
        "signature {}",
        delivery.signature
    );
    let event = delivery.json();
    assert_eq!(event["type"], "appointment.booked");
    assert_eq!(event["id"], delivery.id);
    assert_eq!(event["data"]["appointment_id"], booked["id"]);
    assert_eq!(event["data"]["timezone"], "UTC");
    assert_eq!(event["data"]["location"], "Princeton");
    assert!(!String::from_utf8_lossy(&delivery.body).contains("private worry"));
    let age = Utc::now().timestamp() - delivery.timestamp.parse::<i64>().unwrap();
    assert!((0..10).contains(&age));
    // The secret is never shown again.
    let listed: Vec<Value> = app
        .get("/admin/webhooks", &caller(Role::Admin))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].get("secret").is_none());
    let sealed = app.db.count(&format!(
        "SELECT count(*) AS n FROM webhook_subscriptions WHERE position('{}'::bytea IN secret_sealed) > 0",
        secret
    ));
    assert_eq!(sealed, 0, "the database does not hold the secret in clear");
}

#[tokio::test]
async fn a_receiver_failing_twice_gets_the_event_on_the_third_attempt() {
    let app = spawn_app_with(|s| s.events.retry_base = StdDuration::from_secs(1)).await;
    let receiver = Receiver::start(&[500, 503]).await;
    let created = subscribe(&app, &receiver.url, &["appointment.booked"]).await;
    let doctor = app.seed_doctor(Hours::default());
    app.booked(
        &caller(Role::Patient),
        doctor.id,
        at(next(Weekday::Mon), "10:00"),
    )
    .await;

    assert!(
        eventually(StdDuration::from_secs(10), || async {
            receiver.received().len() == 3
        })
        .await
    );

    let received = receiver.received();
    assert!(
        received.iter().all(|r| r.id == received[0].id),
        "one event, retried"
    );
    let path = format!(
        "/admin/webhooks/{}/deliveries",
        created["id"].as_str().unwrap()
    );
    let settled = eventually(StdDuration::from_secs(3), || async {
        let attempts: Vec<Value> = app
            .get(&path, &caller(Role::Admin))
            .await
            .json()
            .await
            .unwrap();
        attempts.len() == 3 && attempts[0]["status"] == "delivered"
    })
    .await;
    assert!(settled);
    let attempts: Vec<Value> = app
        .get(&path, &caller(Role::Admin))
        .await
        .json()
        .await
        .unwrap();
    let statuses: Vec<&Value> = attempts.iter().map(|a| &a["response_status"]).collect();
    assert_eq!(
        statuses,
        [&json!(200), &json!(503), &json!(500)],
        "newest first"
    );
    assert_eq!(attempts[2]["type"], "appointment.booked");
}

#[tokio::test]
async fn a_dead_receiver_ends_failed_with_every_attempt_listed() {
    let app = spawn_app_with(|s| {
        s.events.retry_base = StdDuration::from_secs(1);
        s.events.max_attempts = 3;
    })
    .await;
    let receiver = Receiver::start(&[]).await;
    let url = receiver.url.clone();
    receiver.stop().await;
    let created = subscribe(&app, &url, &["appointment.booked"]).await;
    let doctor = app.seed_doctor(Hours::default());
    app.booked(
        &caller(Role::Patient),
        doctor.id,
        at(next(Weekday::Mon), "10:00"),
    )
    .await;
    let path = format!(
        "/admin/webhooks/{}/deliveries",
        created["id"].as_str().unwrap()
    );

    let failed = eventually(StdDuration::from_secs(12), || async {
        let attempts: Vec<Value> = app
            .get(&path, &caller(Role::Admin))
            .await
            .json()
            .await
            .unwrap();
        attempts.len() == 3 && attempts.iter().all(|a| a["status"] == "failed")
    })
    .await;

    assert!(failed);
    let attempts: Vec<Value> = app
        .get(&path, &caller(Role::Admin))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        attempts
            .iter()
            .all(|a| a["error"].as_str().is_some_and(|e| !e.is_empty()))
    );
    tokio::time::sleep(StdDuration::from_secs(2)).await;
    let still: Vec<Value> = app
        .get(&path, &caller(Role::Admin))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(still.len(), 3, "no fourth attempt");
}

#[tokio::test]
async fn private_targets_unknown_events_and_non_admins_are_refused() {
    let app = spawn_app_with(|s| s.events.allow_private_urls = false).await;
    let admin = caller(Role::Admin);
    let cases = [
        (
            json!({ "url": "http://127.0.0.1:9/hooks", "events": ["appointment.booked"] }),
            "url",
        ),
        (
            json!({ "url": "http://169.254.169.254/latest/meta-data", "events": ["appointment.booked"] }),
            "url",
        ),
        (
            json!({ "url": "http://[::1]/hooks", "events": ["appointment.booked"] }),
            "url",
        ),
        // Old IPv6 forms that embed a private IPv4 address.
        (
            json!({ "url": "http://[::127.0.0.1]/hooks", "events": ["appointment.booked"] }),
            "url",
        ),
        (
            json!({ "url": "http://[2002:a9fe:a9fe::1]/hooks", "events": ["appointment.booked"] }),
            "url",
        ),
        (
            json!({ "url": "http://[fec0::1]/hooks", "events": ["appointment.booked"] }),
            "url",
        ),
        (
            json!({ "url": "http://localhost/hooks", "events": ["appointment.booked"] }),
            "url",
        ),
        (
            json!({ "url": "ftp://example.com/hooks", "events": ["appointment.booked"] }),
            "url",
        ),
        (
            json!({ "url": "not a url", "events": ["appointment.booked"] }),
            "url",
        ),
        (
            json!({ "url": "http://10.0.0.1/hooks", "events": ["appointment.boked"] }),
            "events[0]",
        ),
        (
            json!({ "url": "http://10.0.0.1/hooks", "events": [] }),
            "events",
        ),
    ];
    for (body, field) in cases {
        let problem = assert_problem(app.post("/admin/webhooks", &admin, &body).await, 422).await;
        assert_eq!(error_fields(&problem), [field], "{body}");
    }
    let ok = json!({ "url": "http://127.0.0.1:9/hooks", "events": ["appointment.booked"] });
    assert_problem(
        app.post("/admin/webhooks", &caller(Role::Doctor), &ok)
            .await,
        403,
    )
    .await;
    assert_problem(
        app.get("/admin/webhooks", &caller(Role::Patient)).await,
        403,
    )
    .await;
    assert_eq!(app.db.count_rows("webhook_subscriptions"), 0);
}

#[tokio::test]
async fn two_instances_deliver_each_event_once_and_a_deleted_subscription_gets_nothing() {
    let app = spawn_app().await;
    let replica = start(
        test_settings(&app.db),
        test_support::db::TestDatabase::create_empty(),
    )
    .await;
    let receiver = Receiver::start(&[]).await;
    let created = subscribe(
        &app,
        &receiver.url,
        &["appointment.booked", "appointment.cancelled"],
    )
    .await;
    let doctor = app.seed_doctor(Hours {
        max_daily_bookings_per_patient: 48,
        ..Hours::default()
    });
    let monday = next(Weekday::Mon);
    let instances = [&app, &replica];
    for i in 0..10 {
        let start = at(monday, "09:00") + Duration::minutes(30 * i);
        let res = instances[usize::try_from(i).unwrap() % 2]
            .book(&caller(Role::Patient), doctor.id, start)
            .await;
        assert_eq!(res.status(), 201);
    }

    assert!(
        eventually(StdDuration::from_secs(8), || async {
            receiver.received().len() >= 10
        })
        .await
    );
    tokio::time::sleep(StdDuration::from_secs(2)).await;

    let mut ids: Vec<String> = receiver.received().into_iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), 10, "none twice");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 10);
    let id = created["id"].as_str().unwrap();
    assert_eq!(
        app.delete(&format!("/admin/webhooks/{id}"), &caller(Role::Admin))
            .await
            .status(),
        204
    );
    app.booked(&caller(Role::Patient), doctor.id, at(monday, "15:00"))
        .await;
    tokio::time::sleep(StdDuration::from_secs(2)).await;
    assert_eq!(receiver.received().len(), 10, "nothing after the delete");
    assert_problem(
        app.get(
            &format!("/admin/webhooks/{id}/deliveries"),
            &caller(Role::Admin),
        )
        .await,
        404,
    )
    .await;
}

#[tokio::test]
async fn a_subscription_the_service_keeps_cannot_be_deleted_and_admins_changes_are_audited() {
    let secret = "whsec_dGVzdCBub3RpZmljYXRpb25zIHNlY3JldCBvZiAzMiBieXRlcw==";
    let app = spawn_app_with(|s| {
        s.events.notifications = Some(common::events::settings::NotifyTarget {
            url: "http://127.0.0.1:9/internal/events".into(),
            secret: common::config::Secret::new(secret),
        });
    })
    .await;
    let admin = caller(Role::Admin);
    let listed: Vec<Value> = app
        .get("/admin/webhooks", &admin)
        .await
        .json()
        .await
        .unwrap();
    let kept = listed
        .iter()
        .find(|s| s["kept_as"] == "notifications")
        .expect("the kept subscription is listed");

    let res = app
        .delete(
            &format!("/admin/webhooks/{}", kept["id"].as_str().unwrap()),
            &admin,
        )
        .await;

    assert_problem(res, 409).await;
    let still: Vec<Value> = app
        .get("/admin/webhooks", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(still.len(), listed.len(), "nothing was deleted");

    // An admin's own subscription comes and goes, each step in the audit trail.
    let created: Value = app
        .post(
            "/admin/webhooks",
            &admin,
            &json!({ "url": "http://127.0.0.1:9/hooks", "events": ["appointment.booked"] }),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap();
    assert_eq!(
        app.delete(&format!("/admin/webhooks/{id}"), &admin)
            .await
            .status(),
        204
    );
    let trail = app.audit_events(&format!("?resource_id={id}")).await;
    let actions: Vec<&str> = trail.iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"webhook.create"), "{actions:?}");
    assert!(actions.contains(&"webhook.delete"), "{actions:?}");
    assert!(trail.iter().all(|e| e["actor_id"] == admin.id.to_string()));
}
