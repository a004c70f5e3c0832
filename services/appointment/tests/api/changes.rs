use crate::helpers::*;
use chrono::{Duration, Utc, Weekday};
use common::Role;
use serde_json::{Value, json};

struct Booked {
    app: TestApp,
    doctor: Caller,
    patient: Caller,
    path: String,
    monday: chrono::NaiveDate,
}

async fn booked() -> Booked {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let patient = caller(Role::Patient);
    let monday = next(Weekday::Mon);
    let id = app.booked(&patient, doctor.id, at(monday, "10:00")).await;
    Booked {
        path: format!("/appointments/{id}"),
        app,
        doctor,
        patient,
        monday,
    }
}

async fn current(b: &Booked) -> Value {
    b.app.get(&b.path, &b.patient).await.json().await.unwrap()
}

#[tokio::test]
async fn a_patient_reschedules_into_a_free_bookable_time() {
    let b = booked().await;

    let res = b
        .app
        .put(
            &b.path,
            &b.patient,
            &json!({ "appointment_time": rfc3339(at(b.monday, "14:00")), "notes": "moved" }),
        )
        .await;

    assert_eq!(res.status(), 200);
    let moved: Value = res.json().await.unwrap();
    assert_eq!(moved["appointment_time"], rfc3339(at(b.monday, "14:00")));
    assert_eq!(moved["end_time"], rfc3339(at(b.monday, "14:30")));
    assert_eq!(moved["notes"], "moved");
    let free = b.app.slots(b.doctor.id, b.monday).await;
    assert!(
        free.iter()
            .any(|s| s["start"] == rfc3339(at(b.monday, "10:00"))),
        "the old slot is free again"
    );
}

#[tokio::test]
async fn rescheduling_follows_the_booking_rules() {
    let b = booked().await;
    b.app
        .booked(&caller(Role::Patient), b.doctor.id, at(b.monday, "11:00"))
        .await;

    let past = b
        .app
        .put(
            &b.path,
            &b.patient,
            &json!({ "appointment_time": rfc3339(Utc::now() - Duration::days(1)) }),
        )
        .await;
    let day_off = b
        .app
        .put(
            &b.path,
            &b.patient,
            &json!({ "appointment_time": rfc3339(at(next(Weekday::Sun), "10:00")) }),
        )
        .await;
    let taken = b
        .app
        .put(
            &b.path,
            &b.doctor,
            &json!({ "appointment_time": rfc3339(at(b.monday, "11:00")) }),
        )
        .await;

    assert_problem(past, 422).await;
    assert_problem(day_off, 422).await;
    assert_problem(taken, 409).await;
    assert_eq!(
        current(&b).await["appointment_time"],
        rfc3339(at(b.monday, "10:00")),
        "unchanged"
    );
}

#[tokio::test]
async fn a_cancelled_or_started_appointment_cannot_be_rescheduled() {
    let b = booked().await;
    let started = b.app.seed_appointment(
        b.patient.id,
        b.doctor.id,
        Utc::now() - Duration::minutes(10),
        "booked",
    );
    b.app.delete(&b.path, &b.patient).await;
    let target = json!({ "appointment_time": rfc3339(at(b.monday, "15:00")) });

    assert_problem(b.app.put(&b.path, &b.patient, &target).await, 409).await;
    assert_problem(
        b.app
            .put(&format!("/appointments/{started}"), &b.patient, &target)
            .await,
        409,
    )
    .await;
}

#[tokio::test]
async fn completing_before_the_start_is_409_and_after_it_works() {
    let b = booked().await;
    let past = b.app.seed_appointment(
        b.patient.id,
        b.doctor.id,
        Utc::now() - Duration::hours(2),
        "booked",
    );
    let missed = b.app.seed_appointment(
        b.patient.id,
        b.doctor.id,
        Utc::now() - Duration::hours(4),
        "booked",
    );

    let early = b
        .app
        .put(&b.path, &b.doctor, &json!({ "status": "completed" }))
        .await;
    let done = b
        .app
        .put(
            &format!("/appointments/{past}"),
            &b.doctor,
            &json!({ "status": "completed" }),
        )
        .await;
    let no_show = b
        .app
        .put(
            &format!("/appointments/{missed}"),
            &caller(Role::Admin),
            &json!({ "status": "no_show" }),
        )
        .await;

    assert_problem(early, 409).await;
    assert_eq!(done.json::<Value>().await.unwrap()["status"], "completed");
    assert_eq!(no_show.json::<Value>().await.unwrap()["status"], "no_show");
}

#[tokio::test]
async fn final_states_stay_final() {
    let b = booked().await;
    let past = b.app.seed_appointment(
        b.patient.id,
        b.doctor.id,
        Utc::now() - Duration::hours(2),
        "completed",
    );
    b.app.delete(&b.path, &b.patient).await;

    assert_problem(
        b.app
            .put(&b.path, &b.doctor, &json!({ "status": "booked" }))
            .await,
        409,
    )
    .await;
    assert_problem(b.app.delete(&b.path, &b.doctor).await, 409).await;
    let path = format!("/appointments/{past}");
    assert_problem(
        b.app
            .put(&path, &b.doctor, &json!({ "status": "no_show" }))
            .await,
        409,
    )
    .await;
    assert_problem(b.app.delete(&path, &b.patient).await, 409).await;
}

#[tokio::test]
async fn a_patient_may_not_set_the_status() {
    let b = booked().await;

    let res = b
        .app
        .put(&b.path, &b.patient, &json!({ "status": "cancelled" }))
        .await;

    assert_problem(res, 403).await;
    assert_eq!(current(&b).await["status"], "booked");
}

#[tokio::test]
async fn cancelling_keeps_the_record_and_frees_the_slot_for_rebooking() {
    let b = booked().await;

    let res = b.app.delete(&b.path, &b.patient).await;

    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "cancelled");
    assert_eq!(current(&b).await["status"], "cancelled");
    let rebook = b
        .app
        .book(&caller(Role::Patient), b.doctor.id, at(b.monday, "10:00"))
        .await;
    assert_eq!(rebook.status(), 201);
}

#[tokio::test]
async fn strangers_get_404_on_change_and_cancel_and_nothing_changes() {
    let b = booked().await;
    let intruders = [caller(Role::Patient), caller(Role::Doctor)];

    for intruder in &intruders {
        let put = b
            .app
            .put(
                &b.path,
                intruder,
                &json!({ "notes": "hacked", "appointment_time": rfc3339(at(b.monday, "15:00")) }),
            )
            .await;
        let delete = b.app.delete(&b.path, intruder).await;
        assert_problem(put, 404).await;
        assert_problem(delete, 404).await;
    }

    let unchanged = current(&b).await;
    assert_eq!(unchanged["status"], "booked");
    assert!(unchanged["notes"].is_null());
    assert_eq!(
        unchanged["appointment_time"],
        rfc3339(at(b.monday, "10:00"))
    );
}
