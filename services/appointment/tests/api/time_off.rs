//! `POST/GET/DELETE /doctors/profile/time-off`: ranges a doctor does not work.

use crate::helpers::*;
use chrono::{Duration, Utc, Weekday};
use common::Role;
use serde_json::{Value, json};

fn range(start: chrono::DateTime<Utc>, end: chrono::DateTime<Utc>) -> Value {
    json!({ "start": rfc3339(start), "end": rfc3339(end), "reason": "conference" })
}

#[tokio::test]
async fn time_off_removes_its_slots_refuses_bookings_and_deleting_it_brings_them_back() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let monday = next(Weekday::Mon);
    let all_day = app.slots(doctor.id, monday).await;

    let res = app
        .post(
            "/doctors/profile/time-off",
            &doctor,
            &range(at(monday, "13:00"), at(monday, "17:00")),
        )
        .await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["start"], rfc3339(at(monday, "13:00")));
    assert_eq!(created["end"], rfc3339(at(monday, "17:00")));
    assert_eq!(created["reason"], "conference");
    assert_eq!(created["cancelled"], json!([]));
    assert_eq!(
        app.slots(doctor.id, monday).await.len(),
        8,
        "the morning only"
    );
    let refused = assert_problem(
        app.book(&caller(Role::Patient), doctor.id, at(monday, "14:00"))
            .await,
        422,
    )
    .await;
    assert!(
        refused["detail"].as_str().unwrap().contains("time off"),
        "{refused}"
    );

    let path = format!(
        "/doctors/profile/time-off/{}",
        created["id"].as_str().unwrap()
    );
    assert_eq!(app.delete(&path, &doctor).await.status(), 204);

    assert_eq!(app.slots(doctor.id, monday).await, all_day);
    assert_problem(app.delete(&path, &doctor).await, 404).await;
}

#[tokio::test]
async fn time_off_over_bookings_is_409_with_their_ids_and_writes_nothing() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let monday = next(Weekday::Mon);
    let first = app
        .booked(&caller(Role::Patient), doctor.id, at(monday, "10:00"))
        .await;
    let second = app
        .booked(&caller(Role::Patient), doctor.id, at(monday, "15:30"))
        .await;
    app.booked(
        &caller(Role::Patient),
        doctor.id,
        at(monday + Duration::days(1), "10:00"),
    )
    .await;

    let res = app
        .post(
            "/doctors/profile/time-off",
            &doctor,
            &range(at(monday, "00:00"), at(monday, "23:00")),
        )
        .await;

    let problem = assert_problem(res, 409).await;
    assert!(
        problem["type"]
            .as_str()
            .unwrap()
            .ends_with("stranded-appointments")
    );
    assert_eq!(problem["conflicts"], json!([first, second]));
    assert_eq!(app.db.count_rows("doctor_time_off"), 0);
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM appointments WHERE status = 'booked'"),
        3
    );
}

#[tokio::test]
async fn time_off_with_cancel_appointments_cancels_each_in_the_same_transaction() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let patient = caller(Role::Patient);
    let monday = next(Weekday::Mon);
    let first = app.booked(&patient, doctor.id, at(monday, "10:00")).await;
    let second = app
        .booked(&caller(Role::Patient), doctor.id, at(monday, "15:30"))
        .await;

    let mut body = range(at(monday, "00:00"), at(monday + Duration::days(1), "00:00"));
    body["cancel_appointments"] = json!(true);
    let res = app.post("/doctors/profile/time-off", &doctor, &body).await;

    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["cancelled"], json!([first, second]));
    let seen: Value = app
        .get(&format!("/appointments/{first}"), &patient)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["status"], "cancelled");
    assert_eq!(seen["cancellation_reason"], "doctor unavailable");
    assert_eq!(seen["cancelled_by"], "doctor");
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM appointments WHERE status = 'cancelled'"),
        2
    );
    let events = app
        .audit_events_as(&caller(Role::Admin), &format!("?resource_id={second}"))
        .await;
    let cancels: Vec<&Value> = events
        .iter()
        .filter(|e| e["action"] == "appointment.cancel")
        .collect();
    assert_eq!(cancels.len(), 1, "{events:?}");
    assert_eq!(cancels[0]["actor_id"], doctor.id.to_string());
    assert!(app.slots(doctor.id, monday).await.is_empty());
}

#[tokio::test]
async fn bad_time_off_is_422_naming_the_field() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let now = Utc::now();
    let post = |body: Value| {
        let (app, doctor) = (&app, &doctor);
        async move { app.post("/doctors/profile/time-off", doctor, &body).await }
    };

    let cases = [
        (
            range(now + Duration::hours(2), now + Duration::hours(1)),
            "end",
        ),
        (
            range(now - Duration::hours(3), now - Duration::hours(1)),
            "end",
        ),
        (range(now, now + Duration::days(367)), "end"),
        (json!({ "end": rfc3339(now + Duration::hours(1)) }), "start"),
        (
            json!({ "start": "soon", "end": rfc3339(now + Duration::hours(1)) }),
            "start",
        ),
        (
            json!({ "start": rfc3339(now), "end": rfc3339(now + Duration::hours(1)), "reason": "a\nb" }),
            "reason",
        ),
        (
            json!({ "start": rfc3339(now), "end": rfc3339(now + Duration::hours(1)), "cancel_appointments": "yes" }),
            "cancel_appointments",
        ),
    ];
    for (body, field) in cases {
        let problem = assert_problem(post(body.clone()).await, 422).await;
        assert_eq!(error_fields(&problem), [field], "{body}");
    }
    assert_eq!(app.db.count_rows("doctor_time_off"), 0);
    // Ongoing (begun an hour ago) and a full 366 days are fine.
    assert_eq!(
        post(range(now - Duration::hours(1), now + Duration::hours(1)))
            .await
            .status(),
        201
    );
    assert_eq!(
        post(range(now, now + Duration::days(366))).await.status(),
        201
    );
}

#[tokio::test]
async fn time_off_is_the_doctors_own() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let other = app.seed_doctor(Hours::default());
    let monday = next(Weekday::Mon);
    let later = app
        .post(
            "/doctors/profile/time-off",
            &doctor,
            &range(
                at(monday + Duration::days(7), "09:00"),
                at(monday + Duration::days(7), "12:00"),
            ),
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    let sooner = app
        .post(
            "/doctors/profile/time-off",
            &doctor,
            &range(at(monday, "09:00"), at(monday, "12:00")),
        )
        .await
        .json::<Value>()
        .await
        .unwrap();

    let mine: Vec<Value> = app
        .get("/doctors/profile/time-off", &doctor)
        .await
        .json()
        .await
        .unwrap();
    let theirs: Vec<Value> = app
        .get("/doctors/profile/time-off", &other)
        .await
        .json()
        .await
        .unwrap();
    let window = format!(
        "?from={}&to={}",
        rfc3339(at(monday, "00:00")),
        rfc3339(at(monday, "23:00"))
    );
    let that_day: Vec<Value> = app
        .get(&format!("/doctors/profile/time-off{window}"), &doctor)
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(
        mine.iter().map(|t| t["id"].clone()).collect::<Vec<_>>(),
        [sooner["id"].clone(), later["id"].clone()]
    );
    assert!(theirs.is_empty());
    assert_eq!(that_day.len(), 1);
    let path = format!(
        "/doctors/profile/time-off/{}",
        sooner["id"].as_str().unwrap()
    );
    assert_problem(app.delete(&path, &other).await, 404).await;
    assert_problem(
        app.get("/doctors/profile/time-off", &caller(Role::Patient))
            .await,
        403,
    )
    .await;
    let by_patient = app
        .post(
            "/doctors/profile/time-off",
            &caller(Role::Patient),
            &range(at(monday, "09:00"), at(monday, "10:00")),
        )
        .await;
    assert_problem(by_patient, 403).await;
    assert_problem(
        app.get("/doctors/profile/time-off?from=yesterday", &doctor)
            .await,
        422,
    )
    .await;
    assert_eq!(app.db.count_rows("doctor_time_off"), 2);
}

/// Twenty bookings into one Monday (sixteen slots, four of them twice) and a time off over
/// that whole Monday, all at once, spread over two instances on one database.
async fn race_time_off_against_bookings(app: &TestApp, replica: &TestApp) {
    let doctor = app.seed_doctor(Hours {
        max_daily_bookings_per_patient: 48,
        ..Hours::default()
    });
    let monday = next(Weekday::Mon);
    let slots = app.slots(doctor.id, monday).await;
    let patients: Vec<Caller> = (0..20).map(|_| caller(Role::Patient)).collect();
    let instances = [app, replica];
    let bookings = slots
        .iter()
        .take(16)
        .chain(slots.iter().take(4))
        .zip(&patients)
        .enumerate()
        .map(|(i, (slot, patient))| {
            let start: chrono::DateTime<Utc> = slot["start"].as_str().unwrap().parse().unwrap();
            instances[i % 2].book(patient, doctor.id, start)
        });
    let whole_day = range(at(monday, "00:00"), at(monday, "23:59"));
    let time_off = replica.post("/doctors/profile/time-off", &doctor, &whole_day);

    let (time_off, booked) = tokio::join!(time_off, futures_util::future::join_all(bookings));

    let booked_count = booked.iter().filter(|r| r.status() == 201).count();
    let inside = app.db.count(&format!(
        "SELECT count(*) AS n FROM appointments a JOIN doctor_time_off t ON t.doctor_id = a.doctor_id \
         WHERE a.status = 'booked' AND a.appointment_time < t.ends_at AND a.end_time > t.starts_at \
         AND a.doctor_id = '{}'",
        doctor.id
    ));
    assert_eq!(inside, 0, "no booking inside the time off");
    match time_off.status().as_u16() {
        // The time off came first: every booking after it was refused.
        201 => assert_eq!(booked_count, 0),
        // Some bookings came first: the time off names them and is not written (so the
        // bookings after it may go ahead).
        409 => {
            let problem: Value = time_off.json().await.unwrap();
            let conflicts = problem["conflicts"].as_array().unwrap();
            assert!(!conflicts.is_empty() && conflicts.len() <= booked_count);
            let written = format!(
                "SELECT count(*) AS n FROM doctor_time_off WHERE doctor_id = '{}'",
                doctor.id
            );
            assert_eq!(app.db.count(&written), 0);
        }
        other => panic!("time off answered {other}"),
    }
}

#[tokio::test]
async fn a_time_off_and_twenty_bookings_into_it_racing_on_two_instances_leave_none_inside_it() {
    let app = spawn_app().await;
    let replica = start(
        test_settings(&app.db),
        test_support::db::TestDatabase::create_empty(),
    )
    .await;
    for _ in 0..5 {
        race_time_off_against_bookings(&app, &replica).await;
    }
}
