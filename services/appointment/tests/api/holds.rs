//! Holds: a slot kept for a patient while they confirm, taken exactly as a booking is, and
//! free again the instant it expires, with no sweeper to wait for.

use crate::helpers::*;
use chrono::{Duration, Utc, Weekday};
use common::Role;
use serde_json::Value;

async fn short_holds() -> TestApp {
    spawn_app_with(|s| s.holds.ttl = std::time::Duration::from_secs(1)).await
}

#[tokio::test]
async fn a_hold_keeps_the_slot_until_its_patient_confirms_it() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let patient = caller(Role::Patient);
    let start = at(next(Weekday::Mon), "10:00");

    let res = app.hold(&patient, doctor.id, start).await;

    assert_eq!(res.status(), 201);
    let held: Value = res.json().await.unwrap();
    assert_eq!(held["status"], "held");
    let expires: chrono::DateTime<Utc> = held["hold_expires_at"].as_str().unwrap().parse().unwrap();
    assert!(
        (expires - (Utc::now() + Duration::seconds(300)))
            .num_seconds()
            .abs()
            <= 5
    );
    let id = held["id"].as_str().unwrap();
    assert_problem(
        app.book(&caller(Role::Patient), doctor.id, start).await,
        409,
    )
    .await;
    assert!(
        app.slots(doctor.id, next(Weekday::Mon))
            .await
            .iter()
            .all(|s| s["start"] != rfc3339(start))
    );
    assert_problem(app.confirm(&doctor, id).await, 403).await;
    assert_problem(app.confirm(&caller(Role::Patient), id).await, 404).await;

    let confirmed = app.confirm(&patient, id).await;

    assert_eq!(confirmed.status(), 200);
    assert_eq!(confirmed.json::<Value>().await.unwrap()["status"], "booked");
    assert_problem(app.confirm(&patient, id).await, 409).await;
    let booked = app
        .book(&patient, doctor.id, start + Duration::hours(2))
        .await;
    assert_problem(
        app.confirm(
            &patient,
            booked.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap(),
        )
        .await,
        409,
    )
    .await;
}

#[tokio::test]
async fn an_expired_hold_cannot_be_confirmed_reads_expired_and_frees_its_slot_at_once() {
    let app = short_holds().await;
    let doctor = app.seed_doctor(Hours::default());
    let patient = caller(Role::Patient);
    let monday = next(Weekday::Mon);
    let start = at(monday, "10:00");
    let held: Value = app
        .hold(&patient, doctor.id, start)
        .await
        .json()
        .await
        .unwrap();
    let id = held["id"].as_str().unwrap().to_owned();
    assert_problem(
        app.book(&caller(Role::Patient), doctor.id, start).await,
        409,
    )
    .await;

    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;

    let seen: Value = app
        .get(&format!("/appointments/{id}"), &patient)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["status"], "expired");
    assert_problem(app.confirm(&patient, &id).await, 409).await;
    assert!(
        app.slots(doctor.id, monday)
            .await
            .iter()
            .any(|s| s["start"] == rfc3339(start))
    );
    let other = app.book(&caller(Role::Patient), doctor.id, start).await;
    assert_eq!(other.status(), 201, "{}", other.text().await.unwrap());
    let expired: Vec<Value> = app
        .get("/appointments?status=expired", &patient)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(expired.len(), 1);
    let held: Vec<Value> = app
        .get("/appointments?status=held", &patient)
        .await
        .json()
        .await
        .unwrap();
    assert!(held.is_empty());
}

#[tokio::test]
async fn the_fourth_unexpired_hold_of_a_patient_is_409_and_cancelling_a_hold_frees_it() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let patient = caller(Role::Patient);
    let monday = next(Weekday::Mon);
    let mut ids = Vec::new();
    for day in 0..3 {
        let res = app
            .hold(
                &patient,
                doctor.id,
                at(monday + Duration::days(day), "10:00"),
            )
            .await;
        assert_eq!(res.status(), 201);
        ids.push(
            res.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }

    let fourth = app
        .hold(&patient, doctor.id, at(monday + Duration::days(3), "10:00"))
        .await;

    assert_problem(fourth, 409).await;
    let cancelled = app
        .delete(&format!("/appointments/{}", ids[0]), &patient)
        .await;
    assert_eq!(
        cancelled.json::<Value>().await.unwrap()["status"],
        "cancelled"
    );
    assert_eq!(
        app.book(&caller(Role::Patient), doctor.id, at(monday, "10:00"))
            .await
            .status(),
        201
    );
    let again = app
        .hold(&patient, doctor.id, at(monday + Duration::days(3), "10:00"))
        .await;
    assert_eq!(again.status(), 201, "one hold fewer, room for one more");
}

#[tokio::test]
async fn of_twenty_concurrent_holds_and_bookings_of_one_slot_on_two_instances_one_wins() {
    let app = spawn_app().await;
    let replica = start(
        test_settings(&app.db),
        test_support::db::TestDatabase::create_empty(),
    )
    .await;
    let doctor = app.seed_doctor(Hours::default());
    let start = at(next(Weekday::Mon), "11:00");
    let patients: Vec<Caller> = (0..20).map(|_| caller(Role::Patient)).collect();
    let instances = [&app, &replica];

    let statuses: Vec<u16> =
        futures_util::future::join_all(patients.iter().enumerate().map(|(i, p)| async move {
            let instance = instances[i % 2];
            let res = if i % 3 == 0 {
                instance.hold(p, doctor.id, start).await
            } else {
                instance.book(p, doctor.id, start).await
            };
            res.status().as_u16()
        }))
        .await;

    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        19,
        "{statuses:?}"
    );
    assert_eq!(app.count_appointments(), 1);
}

#[tokio::test]
async fn the_upkeep_pass_writes_expired_for_lists_and_stats() {
    let app = short_holds().await;
    let doctor = app.seed_doctor(Hours::default());
    let patient = caller(Role::Patient);
    app.hold(&patient, doctor.id, at(next(Weekday::Mon), "10:00"))
        .await;

    let written = eventually(std::time::Duration::from_secs(5), || async {
        app.db
            .count("SELECT count(*) AS n FROM appointments WHERE status = 'expired'")
            == 1
    })
    .await;

    assert!(
        written,
        "the pass marks the lapsed hold within a few seconds"
    );
}

#[tokio::test]
async fn fresh_accounts_behind_one_address_cannot_hold_a_doctors_whole_day() {
    let app = spawn_app_with(|s| s.holds.max_per_doctor_per_address = 2).await;
    let doctor = app.seed_doctor(Hours::default());
    let other_doctor = app.seed_doctor(Hours::default());
    let monday = next(Weekday::Mon);
    for slot in ["09:00", "09:30"] {
        let res = app
            .hold(&caller(Role::Patient), doctor.id, at(monday, slot))
            .await;
        assert_eq!(res.status(), 201, "{slot}");
    }
    let newcomer = caller(Role::Patient);

    let third = app.hold(&newcomer, doctor.id, at(monday, "10:00")).await;

    assert_problem(third, 409).await;
    let elsewhere = app
        .hold(&newcomer, other_doctor.id, at(monday, "10:00"))
        .await;
    assert_eq!(
        elsewhere.status(),
        201,
        "another doctor's day is another budget"
    );
    let booking = app.book(&newcomer, doctor.id, at(monday, "11:00")).await;
    assert_eq!(booking.status(), 201, "a booking is no hold");
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM appointments WHERE status = 'held'"),
        3
    );
}
