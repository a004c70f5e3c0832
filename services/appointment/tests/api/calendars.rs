//! Appointments for calendar apps, read back with Python's icalendar: one appointment as
//! an event (`/ics` or `Accept: text/calendar`), updated in place by a growing SEQUENCE,
//! and private feeds opened by the secret in their URL alone.

use crate::helpers::*;
use chrono::{Duration, Utc, Weekday};
use common::Role;
use serde_json::{Value, json};
use test_support::ics::read_calendar;

async fn ics(app: &TestApp, path: &str, who: &Caller) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .bearer_auth(&who.token)
        .send()
        .await
        .unwrap()
}

async fn calendar_at(app: &TestApp, path: &str, who: &Caller) -> Value {
    let res = ics(app, path, who).await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar"),
        "{:?}",
        res.headers()
    );
    read_calendar(&res.text().await.unwrap()).await
}

#[tokio::test]
async fn an_appointment_is_one_event_that_a_reschedule_and_a_cancellation_update_in_place() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor_named(
        Hours::default(),
        "Jürgen",
        "Müller",
        "Cardiology",
        Some("Köln Süd"),
    );
    let patient = named_caller(Role::Patient, "Anna", "Schäfer");
    let start = at(next(Weekday::Tue), "10:00");
    let booked: Value = app
        .book_body(
            &patient,
            &json!({ "doctor_id": doctor.id, "appointment_time": rfc3339(start), "notes": "embarrassing rash" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = booked["id"].as_str().unwrap().to_owned();
    let path = format!("/appointments/{id}");

    let first = calendar_at(&app, &format!("{path}/ics"), &patient).await;
    let negotiated = app
        .client
        .get(app.url(&path))
        .bearer_auth(&doctor.token)
        .header("Accept", "text/calendar")
        .send()
        .await
        .unwrap();
    let later = start + Duration::hours(2);
    app.put(
        &path,
        &patient,
        &json!({ "appointment_time": rfc3339(later) }),
    )
    .await;
    let moved = calendar_at(&app, &format!("{path}/ics"), &patient).await;
    app.delete(&path, &patient).await;
    let cancelled = calendar_at(&app, &format!("{path}/ics"), &patient).await;
    let stranger = ics(&app, &format!("{path}/ics"), &caller(Role::Patient)).await;

    let event = &first["events"][0];
    assert_eq!(first["events"].as_array().unwrap().len(), 1);
    assert_eq!(event["uid"], format!("{id}@localhost"));
    assert_eq!(event["start"], start.to_rfc3339());
    assert_eq!(event["end"], (start + Duration::minutes(30)).to_rfc3339());
    assert_eq!(event["summary"], "Appointment with Dr. Jürgen Müller");
    assert_eq!(event["location"], "Köln Süd");
    assert_eq!(event["status"], "CONFIRMED");
    assert_eq!(event["description"], Value::Null);
    assert!(!first.to_string().contains("rash"), "no notes: {first}");
    assert_eq!(negotiated.status(), 200);
    let negotiated = read_calendar(&negotiated.text().await.unwrap()).await;
    assert_eq!(negotiated["events"][0]["uid"], event["uid"]);
    let moved = &moved["events"][0];
    assert_eq!(moved["uid"], event["uid"]);
    assert_eq!(moved["start"], later.to_rfc3339());
    assert!(moved["sequence"].as_i64() > event["sequence"].as_i64());
    let cancelled = &cancelled["events"][0];
    assert_eq!(cancelled["status"], "CANCELLED");
    assert!(cancelled["sequence"].as_i64() > moved["sequence"].as_i64());
    assert_problem(stranger, 404).await;
}

async fn new_feed(app: &TestApp, who: &Caller) -> reqwest::Response {
    app.client
        .post(app.url("/calendar-feeds"))
        .bearer_auth(&who.token)
        .send()
        .await
        .unwrap()
}

async fn feed_url(app: &TestApp, who: &Caller) -> String {
    let res = new_feed(app, who).await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    let url = body["url"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with(&app.address) && url.ends_with(".ics"),
        "{url}"
    );
    url
}

/// The feed at `url`, read as a calendar app does: no token.
async fn subscribed(app: &TestApp, url: &str) -> reqwest::Response {
    app.client.get(url).send().await.unwrap()
}

#[tokio::test]
async fn a_patients_feed_opens_by_its_url_alone_lists_their_visits_and_a_new_one_replaces_it() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let patient = caller(Role::Patient);
    let other = caller(Role::Patient);
    let kept = app
        .booked(&patient, doctor.id, at(next(Weekday::Mon), "10:00"))
        .await;
    let dropped = app
        .booked(&patient, doctor.id, at(next(Weekday::Mon), "11:00"))
        .await;
    app.delete(&format!("/appointments/{dropped}"), &patient)
        .await;
    app.booked(&other, doctor.id, at(next(Weekday::Mon), "12:00"))
        .await;
    let long_ago = app.seed_appointment(
        patient.id,
        doctor.id,
        Utc::now() - Duration::days(40),
        "completed",
    );

    let url = feed_url(&app, &patient).await;
    let res = subscribed(&app, &url).await;

    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let feed = read_calendar(&res.text().await.unwrap()).await;
    let events = feed["events"].as_array().unwrap();
    let status_of = |id: &str| {
        events
            .iter()
            .find(|e| e["uid"] == format!("{id}@localhost"))
            .map(|e| e["status"].as_str().unwrap().to_owned())
    };
    assert_eq!(events.len(), 2, "{feed}");
    assert_eq!(status_of(&kept).as_deref(), Some("CONFIRMED"));
    assert_eq!(status_of(&dropped).as_deref(), Some("CANCELLED"));
    assert_eq!(status_of(&long_ago), None, "more than 30 days back");
    assert_eq!(events[0]["summary"], "Appointment with Dr. Gregory House");

    let renewed = feed_url(&app, &patient).await;
    assert_eq!(subscribed(&app, &url).await.status(), 404, "replaced");
    assert_eq!(subscribed(&app, &renewed).await.status(), 200);
    let ended = app.delete("/calendar-feeds", &patient).await;
    assert_eq!(ended.status(), 204);
    assert_eq!(subscribed(&app, &renewed).await.status(), 404);
    assert_problem(app.delete("/calendar-feeds", &patient).await, 404).await;
    let guessed = format!("{}/calendar-feeds/not-a-secret.ics", app.address);
    assert_problem(subscribed(&app, &guessed).await, 404).await;
    assert_problem(new_feed(&app, &caller(Role::Admin)).await, 403).await;
    let anonymous = app
        .client
        .post(app.url("/calendar-feeds"))
        .send()
        .await
        .unwrap();
    assert_problem(anonymous, 401).await;
}

#[tokio::test]
async fn a_doctors_feed_names_no_patient_unless_the_clinic_says_so() {
    let discreet = spawn_app().await;
    let named = spawn_app_with(|s| s.calendar.feed_patient_names = true).await;
    let mut summaries = Vec::new();
    for app in [&discreet, &named] {
        let doctor = app.seed_doctor(Hours::default());
        let patient = named_caller(Role::Patient, "Anna", "Schäfer");
        app.booked(&patient, doctor.id, at(next(Weekday::Wed), "09:00"))
            .await;
        let url = feed_url(app, &doctor).await;
        let feed = read_calendar(&subscribed(app, &url).await.text().await.unwrap()).await;
        summaries.push(feed["events"][0]["summary"].as_str().unwrap().to_owned());
    }

    assert_eq!(summaries, ["Patient visit", "Visit: Anna Schäfer"]);
}
