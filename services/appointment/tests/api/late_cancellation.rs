//! Late cancellation: a patient may not cancel or move an appointment inside the doctor's
//! cancellation notice; the doctor and admins may, and the figures count it.

use crate::helpers::*;
use chrono::{Datelike, Duration, Utc, Weekday};
use common::Role;
use serde_json::{Value, json};

struct Soon {
    app: TestApp,
    doctor: Caller,
    patient: Caller,
    path: String,
}

/// An appointment starting in three hours, with a doctor whose cancellation notice is 24 h,
/// booked an hour ago (past the grace after booking).
async fn soon() -> Soon {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let patient = caller(Role::Patient);
    let start = Utc::now() + Duration::hours(3);
    let id = app.seed_appointment(patient.id, doctor.id, start, "booked");
    diesel::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "UPDATE appointments SET created_at = now() - interval '1 hour' WHERE id = '{id}'"
        )),
        &mut app.db.connect(),
    )
    .unwrap();
    Soon {
        path: format!("/appointments/{id}"),
        app,
        doctor,
        patient,
    }
}

async fn cancel_with(app: &TestApp, path: &str, who: &Caller, body: &Value) -> reqwest::Response {
    app.client
        .delete(app.url(path))
        .bearer_auth(&who.token)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_patient_cancelling_inside_the_notice_is_409_late_cancellation() {
    let s = soon().await;

    let problem = assert_problem(s.app.delete(&s.path, &s.patient).await, 409).await;

    assert!(
        problem["type"]
            .as_str()
            .unwrap()
            .ends_with("late-cancellation"),
        "{problem}"
    );
    let seen: Value = s.app.get(&s.path, &s.patient).await.json().await.unwrap();
    assert_eq!(seen["status"], "booked");
}

#[tokio::test]
async fn a_patient_rescheduling_inside_the_notice_is_409_and_the_doctor_may() {
    let s = soon().await;
    let monday = next(Weekday::Mon);
    let body = json!({ "appointment_time": rfc3339(at(monday, "10:00")) });

    let by_patient = s.app.put(&s.path, &s.patient, &body).await;
    let by_doctor = s.app.put(&s.path, &s.doctor, &body).await;

    let problem = assert_problem(by_patient, 409).await;
    assert!(
        problem["type"]
            .as_str()
            .unwrap()
            .ends_with("late-cancellation")
    );
    assert_eq!(by_doctor.status(), 200);
    // Notes alone are not a cancellation: the patient may still change them.
    let notes = s
        .app
        .put(&s.path, &s.patient, &json!({ "notes": "bring results" }))
        .await;
    assert_eq!(notes.status(), 200);
}

#[tokio::test]
async fn the_doctor_cancels_late_with_a_reason_the_appointment_shows() {
    let s = soon().await;

    let res = cancel_with(
        &s.app,
        &s.path,
        &s.doctor,
        &json!({ "reason": "called in sick" }),
    )
    .await;

    assert_eq!(res.status(), 200);
    let cancelled: Value = res.json().await.unwrap();
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["cancellation_reason"], "called in sick");
    assert_eq!(cancelled["cancelled_by"], "doctor");
}

#[tokio::test]
async fn a_patient_cancels_outside_the_notice_with_or_without_a_reason() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let patient = caller(Role::Patient);
    let monday = next(Weekday::Mon);
    let first = app.booked(&patient, doctor.id, at(monday, "10:00")).await;
    let second = app.booked(&patient, doctor.id, at(monday, "11:00")).await;

    let with_reason = cancel_with(
        &app,
        &format!("/appointments/{first}"),
        &patient,
        &json!({ "reason": "feeling better" }),
    )
    .await;
    let without = app
        .delete(&format!("/appointments/{second}"), &patient)
        .await;

    let with_reason: Value = with_reason.json().await.unwrap();
    assert_eq!(with_reason["cancellation_reason"], "feeling better");
    assert_eq!(with_reason["cancelled_by"], "patient");
    let without: Value = without.json().await.unwrap();
    assert!(without["cancellation_reason"].is_null());
    assert_eq!(without["cancelled_by"], "patient");
    let booked = app.booked(&patient, doctor.id, at(monday, "12:00")).await;
    let path = format!("/appointments/{booked}");
    let too_long = cancel_with(&app, &path, &patient, &json!({ "reason": "x".repeat(501) })).await;
    assert_eq!(
        error_fields(&assert_problem(too_long, 422).await),
        ["reason"]
    );
    let malformed = app
        .client
        .delete(app.url(&path))
        .bearer_auth(&patient.token)
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_problem(malformed, 400).await;
    let seen: Value = app.get(&path, &patient).await.json().await.unwrap();
    assert_eq!(seen["status"], "booked");
}

#[tokio::test]
async fn stats_count_late_cancellations_and_the_no_show_rate() {
    let s = soon().await;
    let past = Utc::now() - Duration::days(2);
    let other = caller(Role::Patient);
    s.app
        .seed_appointment(other.id, s.doctor.id, past, "no_show");
    s.app.seed_appointment(
        other.id,
        s.doctor.id,
        past + Duration::hours(1),
        "completed",
    );
    s.app.seed_appointment(
        other.id,
        s.doctor.id,
        past + Duration::hours(2),
        "completed",
    );
    let admin = caller(Role::Admin);

    assert_eq!(s.app.delete(&s.path, &admin).await.status(), 200);

    let stats: Value = s
        .app
        .get("/admin/stats", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stats["late_cancellations"], 1);
    assert_eq!(stats["no_show"], 1);
    assert!(
        (stats["no_show_rate"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9,
        "{stats}"
    );
    let cancelled: Value = s.app.get(&s.path, &admin).await.json().await.unwrap();
    assert_eq!(cancelled["cancelled_by"], "admin");
}

#[tokio::test]
async fn a_booking_made_moments_ago_may_be_undone_or_moved_inside_the_notice() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let patient = caller(Role::Patient);
    // A working day of the coming week, inside a week's notice.
    let tomorrow = (2..7)
        .map(|d| Utc::now().date_naive() + Duration::days(d))
        .find(|day| day.weekday().number_from_monday() <= 5)
        .unwrap();
    week_of_notice(&app, &doctor);
    let first = app.booked(&patient, doctor.id, at(tomorrow, "10:00")).await;
    let second = app.booked(&patient, doctor.id, at(tomorrow, "11:00")).await;

    let undone = app
        .delete(&format!("/appointments/{first}"), &patient)
        .await;
    let moved = app
        .put(
            &format!("/appointments/{second}"),
            &patient,
            &json!({ "appointment_time": rfc3339(at(tomorrow, "14:00")) }),
        )
        .await;

    assert_eq!(undone.status(), 200);
    assert_eq!(moved.status(), 200);
    let no_grace = spawn_app_with(|s| {
        s.cancellation_grace =
            appointment_service::domain::appointment::CancellationGrace(Duration::zero());
    })
    .await;
    let doctor = no_grace.seed_doctor(Hours::default());
    week_of_notice(&no_grace, &doctor);
    let late = no_grace
        .booked(&patient, doctor.id, at(tomorrow, "10:00"))
        .await;
    let refused = no_grace
        .delete(&format!("/appointments/{late}"), &patient)
        .await;
    assert_problem(refused, 409).await;
}

fn week_of_notice(app: &TestApp, doctor: &Caller) {
    diesel::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "UPDATE doctor_profiles SET cancellation_notice_hours = 168 WHERE user_id = '{}'",
            doctor.id
        )),
        &mut app.db.connect(),
    )
    .unwrap();
}
