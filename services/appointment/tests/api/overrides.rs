//! `PUT/GET/DELETE /doctors/profile/hours/{date}`: one date's hours instead of the weekly rule.

use crate::helpers::*;
use chrono::{Duration, Weekday};
use common::Role;
use serde_json::{Value, json};

fn path(date: chrono::NaiveDate) -> String {
    format!("/doctors/profile/hours/{date}")
}

#[tokio::test]
async fn a_closed_working_day_has_no_slots_and_refuses_bookings_until_the_override_goes() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let monday = next(Weekday::Mon);

    let res = app
        .put(&path(monday), &doctor, &json!({ "closed": true }))
        .await;

    assert_eq!(res.status(), 200);
    let saved: Value = res.json().await.unwrap();
    assert_eq!(saved["date"], monday.to_string());
    assert_eq!(saved["closed"], true);
    assert!(saved["available_from"].is_null());
    assert!(app.slots(doctor.id, monday).await.is_empty());
    let refused = assert_problem(
        app.book(&caller(Role::Patient), doctor.id, at(monday, "10:00"))
            .await,
        422,
    )
    .await;
    assert!(
        refused["detail"].as_str().unwrap().contains("closed"),
        "{refused}"
    );
    assert_eq!(
        app.slots(doctor.id, monday + Duration::days(7)).await.len(),
        16,
        "the next Monday works"
    );

    assert_eq!(app.delete(&path(monday), &doctor).await.status(), 204);
    assert_eq!(app.slots(doctor.id, monday).await.len(), 16);
    assert_problem(app.delete(&path(monday), &doctor).await, 404).await;
}

#[tokio::test]
async fn an_opened_saturday_offers_its_hours_and_takes_bookings() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let saturday = next(Weekday::Sat);
    assert!(app.slots(doctor.id, saturday).await.is_empty());

    let res = app
        .put(
            &path(saturday),
            &doctor,
            &json!({ "available_from": "10:00", "available_to": "12:00" }),
        )
        .await;

    assert_eq!(res.status(), 200);
    let saved: Value = res.json().await.unwrap();
    assert_eq!(saved["available_from"], "10:00");
    assert_eq!(saved["available_to"], "12:00");
    assert_eq!(saved["closed"], false);
    let slots = app.slots(doctor.id, saturday).await;
    assert_eq!(slots.len(), 4);
    assert_eq!(slots[0]["start"], rfc3339(at(saturday, "10:00")));
    app.booked(&caller(Role::Patient), doctor.id, at(saturday, "11:00"))
        .await;
    assert_problem(
        app.book(&caller(Role::Patient), doctor.id, at(saturday, "12:00"))
            .await,
        422,
    )
    .await;
    assert!(
        app.slots(doctor.id, saturday + Duration::days(7))
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn an_override_stranding_a_booking_is_409_with_its_id_and_changes_nothing() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let monday = next(Weekday::Mon);
    let late = app
        .booked(&caller(Role::Patient), doctor.id, at(monday, "15:00"))
        .await;
    app.booked(&caller(Role::Patient), doctor.id, at(monday, "10:00"))
        .await;

    let shorter = app
        .put(
            &path(monday),
            &doctor,
            &json!({ "available_from": "09:00", "available_to": "13:00" }),
        )
        .await;
    let closed = app
        .put(&path(monday), &doctor, &json!({ "closed": true }))
        .await;

    let problem = assert_problem(shorter, 409).await;
    assert!(
        problem["type"]
            .as_str()
            .unwrap()
            .ends_with("stranded-appointments")
    );
    assert_eq!(problem["conflicts"], json!([late]));
    assert_eq!(
        assert_problem(closed, 409).await["conflicts"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(app.db.count_rows("doctor_hours_overrides"), 0);
    // Hours that still hold both are fine.
    let wider = app
        .put(
            &path(monday),
            &doctor,
            &json!({ "available_from": "08:00", "available_to": "18:00" }),
        )
        .await;
    assert_eq!(wider.status(), 200);
}

#[tokio::test]
async fn bad_overrides_are_422_and_the_list_is_the_doctors_own_by_date() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let other = app.seed_doctor(Hours::default());
    let monday = next(Weekday::Mon);
    let put = |date: String, body: Value| {
        let doctor = &doctor;
        let app = &app;
        async move {
            app.put(&format!("/doctors/profile/hours/{date}"), doctor, &body)
                .await
        }
    };

    let cases = [
        (monday.to_string(), json!({}), "available_from"),
        (
            monday.to_string(),
            json!({ "available_from": "12:00", "available_to": "10:00" }),
            "available_to",
        ),
        (
            monday.to_string(),
            json!({ "available_from": "10:00" }),
            "available_to",
        ),
        (
            monday.to_string(),
            json!({ "closed": true, "available_from": "10:00", "available_to": "11:00" }),
            "closed",
        ),
        (
            monday.to_string(),
            json!({ "available_from": "25:00", "available_to": "26:00" }),
            "available_from",
        ),
        ("2020-01-06".to_owned(), json!({ "closed": true }), "date"),
        ("not-a-date".to_owned(), json!({ "closed": true }), "date"),
    ];
    for (date, body, field) in cases {
        let problem = assert_problem(put(date.clone(), body.clone()).await, 422).await;
        assert!(
            error_fields(&problem).contains(&field.to_owned()),
            "{date} {body}: {problem}"
        );
    }
    assert_eq!(app.db.count_rows("doctor_hours_overrides"), 0);

    let later = monday + Duration::days(14);
    assert_eq!(
        put(later.to_string(), json!({ "closed": true }))
            .await
            .status(),
        200
    );
    assert_eq!(
        put(monday.to_string(), json!({ "closed": true }))
            .await
            .status(),
        200
    );
    // Setting a date again replaces its override.
    assert_eq!(
        put(
            monday.to_string(),
            json!({ "available_from": "10:00", "available_to": "11:00" })
        )
        .await
        .status(),
        200
    );

    let mine: Vec<Value> = app
        .get("/doctors/profile/hours", &doctor)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        mine.iter().map(|o| o["date"].clone()).collect::<Vec<_>>(),
        [json!(monday.to_string()), json!(later.to_string())]
    );
    assert_eq!(mine[0]["available_from"], "10:00");
    let theirs: Vec<Value> = app
        .get("/doctors/profile/hours", &other)
        .await
        .json()
        .await
        .unwrap();
    assert!(theirs.is_empty());
    assert_problem(app.delete(&path(monday), &other).await, 404).await;
    let range = format!(
        "/doctors/profile/hours?from={monday}&to={}",
        monday + Duration::days(366)
    );
    assert_eq!(
        error_fields(&assert_problem(app.get(&range, &doctor).await, 422).await),
        ["to"]
    );
    assert_problem(
        app.put(
            &path(monday),
            &caller(Role::Patient),
            &json!({ "closed": true }),
        )
        .await,
        403,
    )
    .await;
}
