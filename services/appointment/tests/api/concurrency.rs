//! Double booking is impossible under concurrency, also across replicas.

use crate::helpers::*;
use chrono::Weekday;
use common::Role;
use futures_util::future::join_all;
use serde_json::json;

async fn race(addresses: &[String], doctor: common::UserId, contenders: usize) -> Vec<u16> {
    let client = reqwest::Client::new();
    let start = rfc3339(at(next(Weekday::Thu), "14:00"));
    let attempts = (0..contenders).map(|i| {
        let patient = caller(Role::Patient);
        let url = format!("{}/appointments", addresses[i % addresses.len()]);
        let client = client.clone();
        let body = json!({ "doctor_id": doctor, "appointment_time": start });
        async move {
            client
                .post(url)
                .bearer_auth(&patient.token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    join_all(attempts).await
}

#[tokio::test]
async fn of_twenty_simultaneous_bookings_of_one_slot_exactly_one_succeeds() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());

    let statuses = race(std::slice::from_ref(&app.address), doctor.id, 20).await;

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
async fn two_instances_on_one_database_still_book_a_slot_once() {
    let app = spawn_app().await;
    let replica = start(
        test_settings(&app.db),
        test_support::db::TestDatabase::create_empty(),
    )
    .await;
    let doctor = app.seed_doctor(Hours::default());

    let statuses = race(
        &[app.address.clone(), replica.address.clone()],
        doctor.id,
        20,
    )
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
async fn two_replicas_starting_together_on_a_fresh_database_both_come_up_ready() {
    let db = test_support::db::TestDatabase::create_empty();

    let (first, second) = tokio::join!(
        appointment_service::Application::build(test_settings(&db)),
        appointment_service::Application::build(test_settings(&db)),
    );

    for app in [
        first.expect("first replica"),
        second.expect("second replica"),
    ] {
        let url = format!("http://127.0.0.1:{}/health/ready", app.port());
        tokio::spawn(app.run_until_stopped());
        assert_eq!(reqwest::get(url).await.unwrap().status(), 200);
    }
}
