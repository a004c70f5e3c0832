use crate::helpers::*;
use chrono::{Duration, Utc, Weekday};
use common::Role;
use serde_json::{Value, json};

#[tokio::test]
async fn a_patient_books_a_slot_and_gets_the_appointment() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours {
        slot_minutes: 45,
        ..Hours::default()
    });
    let patient = caller(Role::Patient);
    let start = at(next(Weekday::Mon), "09:45");

    let res = app
        .book_body(&patient, &json!({ "doctor_id": doctor.id, "appointment_time": rfc3339(start), "notes": "first visit" }))
        .await;

    assert_eq!(res.status(), 201);
    let appointment: Value = res.json().await.unwrap();
    assert_eq!(appointment["patient_id"], patient.id.to_string());
    assert_eq!(appointment["doctor_id"], doctor.id.to_string());
    assert_eq!(appointment["appointment_time"], rfc3339(start));
    assert_eq!(
        appointment["end_time"],
        rfc3339(start + Duration::minutes(45))
    );
    assert_eq!(appointment["status"], "booked");
    assert_eq!(appointment["notes"], "first visit");
    for field in ["id", "created_at", "updated_at"] {
        assert!(appointment[field].is_string(), "{field}");
    }
}

#[tokio::test]
async fn the_id_the_directory_shows_books_the_doctor_and_the_appointment_keeps_the_user_id() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let patient = caller(Role::Patient);
    let listed: Vec<Value> = app
        .client
        .get(app.url("/doctors/"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let profile = &listed[0];
    assert_eq!(profile["doctor_id"], doctor.id.to_string());
    let profile_id = profile["id"].as_str().unwrap();
    assert_ne!(profile_id, doctor.id.to_string());
    let start = at(next(Weekday::Tue), "10:00");

    let by_profile_id = app
        .book_body(
            &patient,
            &json!({ "doctor_id": profile_id, "appointment_time": rfc3339(start) }),
        )
        .await;
    let same_slot_by_user_id = app.book(&caller(Role::Patient), doctor.id, start).await;

    assert_eq!(by_profile_id.status(), 201);
    let appointment: Value = by_profile_id.json().await.unwrap();
    assert_eq!(appointment["doctor_id"], doctor.id.to_string());
    assert_problem(same_slot_by_user_id, 409).await;
    let slots = app
        .client
        .get(app.url(&format!(
            "/doctors/{profile_id}/slots?date={}",
            next(Weekday::Tue)
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(slots.status(), 200);
}

#[tokio::test]
async fn a_time_without_an_offset_is_read_as_utc() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let day = next(Weekday::Wed);

    let res = app
        .book_body(
            &caller(Role::Patient),
            &json!({ "doctor_id": doctor.id, "appointment_time": format!("{day}T11:00:00") }),
        )
        .await;

    assert_eq!(
        res.json::<Value>().await.unwrap()["appointment_time"],
        format!("{day}T11:00:00Z")
    );
}

#[tokio::test]
async fn times_the_doctor_does_not_work_are_422_on_appointment_time() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let monday = next(Weekday::Mon);
    let cases = [
        (Utc::now() - Duration::hours(1), "in the past"),
        (at(next(Weekday::Sun), "10:00"), "a day off"),
        (at(monday, "08:30"), "before opening"),
        (at(monday, "16:45"), "straddling closing"),
        (at(monday, "17:00"), "at closing"),
    ];
    for (start, case) in cases {
        let res = app.book(&caller(Role::Patient), doctor.id, start).await;
        assert_eq!(
            error_fields(&assert_problem(res, 422).await),
            ["appointment_time"],
            "{case}"
        );
    }
    assert_eq!(app.count_appointments(), 0);
}

#[tokio::test]
async fn hours_are_checked_in_the_doctors_time_zone() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours {
        timezone: "America/New_York",
        ..Hours::default()
    });
    let monday = next(Weekday::Mon);

    // 10:00Z is 05:00 or 06:00 in New York: before opening there.
    let early = app
        .book(&caller(Role::Patient), doctor.id, at(monday, "10:00"))
        .await;
    let late_utc = app
        .book(&caller(Role::Patient), doctor.id, at(monday, "20:00"))
        .await;

    assert_problem(early, 422).await;
    assert_eq!(
        late_utc.status(),
        201,
        "20:00Z is 15:00 or 16:00 in New York"
    );
}

#[tokio::test]
async fn an_unknown_doctor_is_404() {
    let app = spawn_app().await;

    let res = app
        .book(
            &caller(Role::Patient),
            common::UserId::new(),
            at(next(Weekday::Mon), "10:00"),
        )
        .await;

    assert_problem(res, 404).await;
}

#[tokio::test]
async fn doctors_and_admins_cannot_book() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let start = at(next(Weekday::Mon), "10:00");

    assert_problem(app.book(&caller(Role::Doctor), doctor.id, start).await, 403).await;
    assert_problem(app.book(&caller(Role::Admin), doctor.id, start).await, 403).await;
    let anonymous = app
        .client
        .post(app.url("/appointments"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_problem(anonymous, 401).await;
}

#[tokio::test]
async fn every_bad_field_of_a_booking_is_named() {
    let app = spawn_app().await;

    let res = app
        .book_body(
            &caller(Role::Patient),
            &json!({ "doctor_id": "nope", "appointment_time": "soon", "notes": 7 }),
        )
        .await;

    assert_eq!(
        error_fields(&assert_problem(res, 422).await),
        ["appointment_time", "doctor_id", "notes"]
    );
}

#[tokio::test]
async fn overlapping_the_doctors_calendar_exactly_or_partly_is_409() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let monday = next(Weekday::Mon);
    app.booked(&caller(Role::Patient), doctor.id, at(monday, "10:00"))
        .await;

    let exact = app
        .book(&caller(Role::Patient), doctor.id, at(monday, "10:00"))
        .await;
    let partial = app
        .book(&caller(Role::Patient), doctor.id, at(monday, "10:15"))
        .await;
    let adjacent = app
        .book(&caller(Role::Patient), doctor.id, at(monday, "10:30"))
        .await;

    assert_problem(exact, 409).await;
    assert_problem(partial, 409).await;
    assert_eq!(adjacent.status(), 201, "back to back is fine");
    assert_eq!(app.count_appointments(), 2);
}

#[tokio::test]
async fn a_patient_cannot_be_in_two_places_at_once() {
    let app = spawn_app().await;
    let first = app.seed_doctor(Hours::default());
    let second = app.seed_doctor(Hours::default());
    let patient = caller(Role::Patient);
    let monday = next(Weekday::Mon);
    app.booked(&patient, first.id, at(monday, "11:00")).await;

    let res = app.book(&patient, second.id, at(monday, "11:15")).await;

    let problem = assert_problem(res, 409).await;
    assert!(problem["detail"].as_str().unwrap().contains("patient"));
}

#[tokio::test]
async fn an_idempotent_retry_replays_and_another_body_is_422() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let patient = caller(Role::Patient);
    let monday = next(Weekday::Mon);
    let send = |who: Caller, start| {
        let app = &app;
        let doctor = doctor.id;
        async move {
            app.client
                .post(app.url("/appointments"))
                .bearer_auth(&who.token)
                .header("Idempotency-Key", "book-42")
                .json(&json!({ "doctor_id": doctor, "appointment_time": rfc3339(start) }))
                .send()
                .await
                .unwrap()
        }
    };

    let first = send(patient.clone(), at(monday, "09:00")).await;
    let first_body: Value = first.json().await.unwrap();
    let retry = send(patient.clone(), at(monday, "09:00")).await;
    let other_body = send(patient.clone(), at(monday, "12:00")).await;
    let other_patient = send(caller(Role::Patient), at(monday, "13:00")).await;

    assert_eq!(retry.status(), 201);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(retry.json::<Value>().await.unwrap(), first_body);
    assert_eq!(
        error_fields(&assert_problem(other_body, 422).await),
        ["Idempotency-Key"]
    );
    assert_eq!(other_patient.status(), 201, "keys are scoped per caller");
    assert!(other_patient.headers().get("idempotent-replayed").is_none());
    assert_eq!(app.count_appointments(), 2);
}
